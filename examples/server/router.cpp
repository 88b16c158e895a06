#include "router.hpp"

#include "log.hpp"
#include "problem.hpp"
#include "routes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace crm_server {

namespace {

// Every response carries a request id (X-Request-Id, and requestId in problem bodies).
void begin_exchange(Response& res) {
    res.request_id = crm::Uuid::generate().to_string();
    res.set_header("X-Request-Id", res.request_id);
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

// The JSON object a route takes: application/json (any parameters), then parse_object().
json json_body(const Request& req) {
    const std::string& body = req.body;
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
    if (!reply.media_type.empty())
        res.set_content(std::string(reply.document), reply.media_type);
    else if (reply.body)
        res.set_content(dump(*reply.body), "application/json");
    else
        res.body.clear();
}

void render_problem(const Request& req, Response& res, const ProblemKind& kind, std::string_view detail,
                    const std::vector<crm::FieldError>& errors, std::string_view log_detail = {}) {
    res.status = kind.status;
    res.set_content(problem_json(kind, detail, errors, res.request_id), "application/problem+json");
    if (kind.status >= 500)
        log("error", fmt::format("requestId={} {} {} {} {}: {}", res.request_id, log_safe(req.method),
                                 loggable_path(req), kind.status, kind.code, log_detail.empty() ? detail : log_detail));
}

}  // namespace

void Router::add_cors_headers(const Request& req, Response& res) const {
    if (cors_.enabled() && !cors_.any) res.set_header("Vary", "Origin");  // the answer depends on it
    std::string origin = req.get_header_value("Origin");
    if (origin.empty() || !cors_.allows(origin)) return;
    res.set_header("Access-Control-Allow-Origin", cors_.any ? "*" : origin);
    res.set_header("Access-Control-Expose-Headers", "X-Request-Id, WWW-Authenticate, Retry-After");
}

Response Router::handle(const Request& req) const {
    Response res;
    begin_exchange(res);
    add_cors_headers(req, res);
    try {
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
            return res;
        }
        if (!m.route) {
            res.set_header("Allow", m.allow);
            throw HttpError(Problem::method_not_allowed, "this route does not answer " + log_safe(req.method));
        }
        Call call{service_, req, {}, std::nullopt, json{}, std::nullopt};
        if (m.route->access == Access::bearer) {
            call.principal = authenticate(service_, req);
            res.user_id = call.principal->user_id();
        }
        auto names = segments(m.route->path);
        for (std::size_t i = 0, p = 0; i < names.size(); ++i) {
            if (!names[i].starts_with('{')) continue;
            std::string name(names[i].substr(1, names[i].size() - 2));
            auto id = crm::Uuid::parse(m.params[p++]);
            if (!id) throw HttpError(Problem::bad_request, name + " must be a UUID", {{name, "must be a UUID"}});
            call.ids.push_back(*id);
        }
        // A body sent to a route that takes none (a GET with a body) was read and is ignored.
        if (m.route->input == Input::json_object) call.body = json_body(req);
        Reply reply = m.route->handler(call);
        if (call.user_id) res.user_id = call.user_id;
        render(res, reply);
    } catch (const HttpError& e) {
        if (e.bearer_challenge) res.set_header("WWW-Authenticate", "Bearer");
        render_problem(req, res, kind(e.problem), e.what(), e.errors);
    } catch (const crm::Error& e) {
        const ProblemKind& k = kind(e.code());
        if (e.retry_after()) res.set_header("Retry-After", std::to_string(e.retry_after()->count()));
        // The fields at fault, as the core names them: every invalid one, the taken email of a
        // conflict. A server-side failure names none (nothing about its cause leaves the server).
        render_problem(req, res, k, public_detail(k, e.what(), e.retry_after().has_value()),
                       k.status < 500 ? e.field_errors() : std::vector<crm::FieldError>{}, e.what());
    } catch (const std::exception& e) {
        render_problem(req, res, kind(Problem::internal), public_detail(kind(Problem::internal), ""), {}, e.what());
    }
    return res;
}

Response Router::transport_error(const Request& req, Problem problem, const std::string& detail) const {
    Response res;
    begin_exchange(res);
    add_cors_headers(req, res);
    res.close = true;  // after these the connection's state is unknown, or its rest unread
    render_problem(req, res, kind(problem), detail, {});
    return res;
}

void Router::log_access(const Request& req, const Response& res, std::chrono::steady_clock::duration duration,
                        std::size_t body_bytes) {
    auto or_dash = [](const std::string& s) { return s.empty() ? std::string_view("-") : std::string_view(s); };
    log("access", fmt::format("{} {} {} {:.1f}ms bytes={} client={} user={} requestId={}",
                              req.method.empty() ? "-" : log_safe(req.method), loggable_path(req), res.status,
                              std::chrono::duration<double, std::milli>(duration).count(), body_bytes,
                              or_dash(req.remote_addr), res.user_id ? res.user_id->to_string() : "-",
                              or_dash(res.request_id)));
}

void print_routes(std::ostream& out) {
    for (const auto& route : route_table()) out << route.method << ' ' << route.path << '\n';
}

}  // namespace crm_server
