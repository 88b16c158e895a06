#include "router.hpp"

#include "log.hpp"
#include "problem.hpp"
#include "routes.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace crm_server {

namespace {

using httplib::Request;
using httplib::Response;

// What the access log needs to know about the request this thread is serving. cpp-httplib
// serves a request from its first byte to its log line on one worker thread.
struct Exchange {
    bool active = false;
    std::chrono::steady_clock::time_point start;
    std::string request_id;
    std::optional<crm::Uuid> user_id;
};
thread_local Exchange current;

void begin_exchange(Response& res) {
    current = Exchange{true, std::chrono::steady_clock::now(), crm::Uuid::generate().to_string(), std::nullopt};
    res.set_header("X-Request-Id", current.request_id);
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

std::string_view trim(std::string_view s) {
    auto first = s.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string_view> segments(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.empty() || path.front() != '/') return out;
    path.remove_prefix(1);
    while (true) {
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

// The route's parameters when `path` fits its pattern.
std::optional<std::vector<std::string_view>> fit(const Route& route, const std::vector<std::string_view>& parts) {
    auto pattern = segments(route.path);
    if (pattern.size() != parts.size()) return std::nullopt;
    std::vector<std::string_view> params;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (pattern[i].starts_with('{')) {
            if (parts[i].empty()) return std::nullopt;
            params.push_back(parts[i]);
        } else if (pattern[i] != parts[i]) {
            return std::nullopt;
        }
    }
    return params;
}

struct Match {
    const Route* route = nullptr;  ///< for the request's method; null: see allow
    std::vector<std::string_view> params;
    std::string allow;  ///< the methods the path has, for Allow; empty: no such path
};

Match match(std::string_view method, std::string_view path) {
    // "/api/leads/" is "/api/leads", as in Express.
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    auto parts = segments(path);
    Match m;
    std::vector<std::string_view> methods;
    for (const auto& route : route_table()) {
        auto params = fit(route, parts);
        if (!params) continue;
        if (std::find(methods.begin(), methods.end(), route.method) == methods.end()) {
            methods.push_back(route.method);
            if (route.method == "GET") methods.push_back("HEAD");
        }
        if (!m.route && route.method == method) {
            m.route = &route;
            m.params = std::move(*params);
        }
    }
    if (methods.empty()) return m;
    methods.push_back("OPTIONS");
    for (auto name : methods) m.allow += (m.allow.empty() ? "" : ", ") + std::string(name);
    return m;
}

// The body of a POST, PUT, PATCH or DELETE, at most max_body_bytes of it (after any content
// decoding). cpp-httplib refuses a larger Content-Length itself (status 413, body skipped).
std::string read_body(const Request& req, Response& res, const httplib::ContentReader& reader) {
    std::string body;
    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112 6.3).
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) return body;
    bool too_large = false;
    auto receive = [&](const char* data, std::size_t n) {
        if (body.size() + n > max_body_bytes) {
            too_large = true;
            return false;
        }
        body.append(data, n);
        return true;
    };
    bool ok = req.is_multipart_form_data()
                  ? reader([](const httplib::MultipartFormData&) { return true; }, receive)
                  : reader(receive);
    if (too_large || res.status == 413) {
        if (too_large) res.set_header("Connection", "close");  // the rest of the body is still unread
        throw HttpError(Problem::payload_too_large, "the request body is larger than 1 MiB");
    }
    if (req.is_multipart_form_data()) {
        // Not JSON in any case: json_body() answers 415 (the parts were never needed).
        if (!ok) res.set_header("Connection", "close");
        return body;
    }
    if (!ok) throw HttpError(Problem::bad_request, "the request body could not be read");
    return body;
}

// The JSON object a route takes: application/json (any parameters), then parse_object().
json json_body(const Request& req, const std::string& body) {
    std::string type = req.get_header_value("Content-Type");
    if (type.empty() && body.empty()) throw HttpError(Problem::bad_request, "a JSON object body is required");
    if (lower(trim(std::string_view(type).substr(0, type.find(';')))) != "application/json")
        throw HttpError(Problem::unsupported_media_type, "the request body must be application/json");
    return parse_object(body);
}

// "Bearer <token>", the scheme in any letter case.
crm::Principal authenticate(crm::Service& service, const Request& req) {
    auto refuse = [](const std::string& detail) {
        HttpError e(Problem::unauthorized, detail);
        e.bearer_challenge = true;
        return e;
    };
    if (!req.has_header("Authorization")) throw refuse("an access token is required");
    const std::string value = req.get_header_value("Authorization");
    std::string_view header = trim(value);
    auto space = header.find_first_of(" \t");
    if (space == std::string_view::npos || lower(header.substr(0, space)) != "bearer")
        throw refuse("the Authorization header must be Bearer <access token>");
    std::string_view token = trim(header.substr(space + 1));
    if (token.empty()) throw refuse("an access token is required");
    try {
        return service.authenticate(token);
    } catch (const crm::Error& e) {
        if (e.code() == crm::Errc::unauthorized) throw refuse(e.what());
        throw;
    }
}

// The request's path for a log line: encoded, and cut at 256 characters.
std::string loggable_path(const Request& req) {
    constexpr std::size_t max_path = 256;
    std::string path = log_safe(std::string_view(req.path).substr(0, max_path));
    if (req.path.size() > max_path) path += "...";
    return path.empty() ? "-" : path;
}

void render(Response& res, const Reply& reply) {
    res.status = reply.status;
    if (reply.body)
        res.set_content(dump(*reply.body), "application/json");
    else
        res.body.clear();
}

void render_problem(const Request& req, Response& res, const ProblemKind& kind, std::string_view detail,
                    const std::vector<crm::FieldError>& errors, std::string_view log_detail = {}) {
    res.status = kind.status;
    res.set_content(problem_json(kind, detail, errors, current.request_id), "application/problem+json");
    if (kind.status >= 500)
        log("error", "requestId=" + current.request_id + " " + log_safe(req.method) + " " + loggable_path(req) + " " +
                         std::to_string(kind.status) + " " + std::string(kind.code) + ": " +
                         std::string(log_detail.empty() ? detail : log_detail));
}

bool routed_by_httplib(std::string_view method) {
    for (std::string_view m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
        if (m == method) return true;
    return false;
}

}  // namespace

void Router::add_cors_headers(const Request& req, Response& res) const {
    if (cors_.enabled() && !cors_.any) res.set_header("Vary", "Origin");  // the answer depends on it
    std::string origin = req.get_header_value("Origin");
    if (origin.empty() || !cors_.allows(origin)) return;
    res.set_header("Access-Control-Allow-Origin", cors_.any ? "*" : origin);
    res.set_header("Access-Control-Expose-Headers", "X-Request-Id, WWW-Authenticate, Retry-After");
}

void Router::handle(const Request& req, Response& res, const httplib::ContentReader* reader) {
    try {
        std::string body = reader ? read_body(req, res, *reader) : std::string();
        std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
        Match m = match(method, req.path);
        if (m.allow.empty()) throw HttpError(Problem::not_found, "no such route");
        if (method == "OPTIONS") {  // preflight or not: no authentication
            res.status = 204;
            res.set_header("Allow", m.allow);
            if (res.has_header("Access-Control-Allow-Origin")) {
                res.set_header("Access-Control-Allow-Methods", m.allow);
                res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
                res.set_header("Access-Control-Max-Age", "600");
            }
            return;
        }
        if (!m.route) {
            res.set_header("Allow", m.allow);
            throw HttpError(Problem::method_not_allowed, "this route does not answer " + req.method);
        }
        Call call{service_, req, {}, std::nullopt, json{}, std::nullopt};
        if (m.route->access == Access::bearer) {
            call.principal = authenticate(service_, req);
            current.user_id = call.principal->user_id();
        }
        auto names = segments(m.route->path);
        for (std::size_t i = 0, p = 0; i < names.size(); ++i) {
            if (!names[i].starts_with('{')) continue;
            std::string name(names[i].substr(1, names[i].size() - 2));
            auto id = crm::Uuid::parse(m.params[p++]);
            if (!id) throw HttpError(Problem::bad_request, name + " must be a UUID", {{name, "must be a UUID"}});
            call.ids.push_back(*id);
        }
        if (m.route->input == Input::json_object) call.body = json_body(req, body);
        Reply reply = m.route->handler(call);
        if (call.user_id) current.user_id = call.user_id;
        render(res, reply);
    } catch (const HttpError& e) {
        if (e.bearer_challenge) res.set_header("WWW-Authenticate", "Bearer");
        render_problem(req, res, kind(e.problem), e.what(), e.errors);
    } catch (const crm::Error& e) {
        const ProblemKind& k = kind(e.code());
        if (e.retry_after()) res.set_header("Retry-After", std::to_string(e.retry_after()->count()));
        render_problem(req, res, k, public_detail(k, e.what(), e.retry_after().has_value()),
                       e.code() == crm::Errc::invalid ? e.field_errors() : std::vector<crm::FieldError>{}, e.what());
    } catch (const std::exception& e) {
        render_problem(req, res, kind(Problem::internal), public_detail(kind(Problem::internal), ""), {}, e.what());
    }
}

void Router::install(httplib::Server& server) {
    server.set_payload_max_length(max_body_bytes);

    server.set_pre_routing_handler([this](const Request& req, Response& res) {
        begin_exchange(res);
        add_cors_headers(req, res);
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // One handler for every path and method: matching is ours (route_table), so that an existing
    // path answers 405 with Allow. [\s\S] also matches a decoded newline.
    const std::string any_path = R"([\s\S]*)";
    auto plain = [this](const Request& req, Response& res) { handle(req, res, nullptr); };
    auto with_body = [this](const Request& req, Response& res, const httplib::ContentReader& reader) {
        handle(req, res, &reader);
    };
    server.Get(any_path, plain);
    server.Options(any_path, plain);
    server.Delete(any_path, plain);
    server.Delete(any_path, with_body);
    server.Post(any_path, with_body);
    server.Put(any_path, with_body);
    server.Patch(any_path, with_body);

    // Failures cpp-httplib answers itself (unparsable request, URI too long, methods it does not
    // route such as TRACE): problem+json as well. Our own problems already have a body.
    server.set_error_handler(httplib::Server::HandlerWithResponse([this](const Request& req, Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (!current.active) {
            begin_exchange(res);
            add_cors_headers(req, res);
        }
        if (!req.method.empty() && !routed_by_httplib(req.method) && res.status == 400) {
            Match m = match(req.method, req.path);
            if (!m.allow.empty()) {
                res.set_header("Allow", m.allow);
                render_problem(req, res, kind(Problem::method_not_allowed), "this route does not answer " + req.method, {});
            } else {
                render_problem(req, res, kind(Problem::not_found), "no such route", {});
            }
            return httplib::Server::HandlerResponse::Handled;
        }
        ProblemKind k = kind_for_status(res.status);
        std::string detail = k.problem == Problem::payload_too_large ? "the request body is larger than 1 MiB"
                             : k.problem == Problem::not_found      ? "no such route"
                                                                    : std::string(k.title);
        render_problem(req, res, k, detail, {});
        return httplib::Server::HandlerResponse::Handled;
    }));

    server.set_exception_handler([this](const Request& req, Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        render_problem(req, res, kind(Problem::internal), public_detail(kind(Problem::internal), ""), {}, what);
    });

    // One line per request: method, path without the query, status, duration, user. Never a
    // header, token, password or body.
    server.set_logger([](const Request& req, const Response& res) {
        char duration[32] = "-";
        if (current.active) {
            std::chrono::duration<double, std::milli> ms = std::chrono::steady_clock::now() - current.start;
            std::snprintf(duration, sizeof duration, "%.1fms", ms.count());
        }
        log("access", (req.method.empty() ? "-" : log_safe(req.method)) + " " + loggable_path(req) + " " +
                          std::to_string(res.status) + " " +
                          duration + " user=" + (current.user_id ? current.user_id->to_string() : "-") +
                          " requestId=" + (current.request_id.empty() ? "-" : current.request_id));
        current = Exchange{};
    });
}

void print_routes(std::ostream& out) {
    for (const auto& route : route_table()) out << route.method << ' ' << route.path << '\n';
}

}  // namespace crm_server
