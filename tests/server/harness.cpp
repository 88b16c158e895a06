#include "harness.hpp"

#include <doctest/doctest.h>
#include <libpq-fe.h>
#include <sodium.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace crmtest {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string random_suffix() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium");
    std::string out;
    for (int i = 0; i < 12; ++i) out.push_back("abcdefghijklmnopqrstuvwxyz0123456789"[randombytes_uniform(36)]);
    return out;
}

std::string pg_admin_url() {
    std::string url = env("CRM_TEST_PG_URL");
    if (url.empty())
        throw std::runtime_error(
            "CRM_TEST_PG_URL is not set: run the PostgreSQL tests through scripts/with-postgres.sh");
    return url;
}

// The URL with its database name (last path segment) replaced.
std::string with_database(const std::string& url, const std::string& name) {
    auto query = url.find('?');
    std::string base = url.substr(0, query);
    auto slash = base.rfind('/');
    return base.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
        throw std::runtime_error("cannot find a free port");
    int port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::string backend() {
    std::string b = env("CRM_TEST_BACKEND");
    if (b.empty() || b == "sqlite") return "sqlite";
    if (b == "postgresql") return "postgresql";
    throw std::runtime_error("CRM_TEST_BACKEND must be sqlite or postgresql");
}

// ---- PostgreSQL ------------------------------------------------------------------------------

void PgDatabase::admin(const std::string& sql) {
    PGconn* conn = PQconnectdb(pg_admin_url().c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string why = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("cannot connect to CRM_TEST_PG_URL: " + why);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    auto status = PQresultStatus(result);
    std::string why = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error("PostgreSQL refused `" + sql + "`: " + why);
}

PgDatabase::PgDatabase() : name_("crm_server_test_" + random_suffix()) {
    std::string admin_url = pg_admin_url();
    admin("CREATE DATABASE " + name_);
    url_ = with_database(admin_url, name_);
}

PgDatabase::~PgDatabase() {
    try {
        admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
        MESSAGE("could not drop " << name_ << ": " << e.what());
    }
}

// ---- replies ---------------------------------------------------------------------------------

nlohmann::json Reply::json() const {
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_discarded()) FAIL_CHECK("the body is not JSON: " << body.substr(0, 300));
    return parsed;
}

std::string Reply::header(const std::string& name) const {
    auto it = headers.find(name);  // httplib::Headers compares names case-insensitively
    return it == headers.end() ? "" : it->second;
}

bool Reply::has_header(const std::string& name) const { return headers.find(name) != headers.end(); }

// ---- the server process ----------------------------------------------------------------------

Server::Server(ServerOptions options) {
    if (options.dir) {
        dir_ = *options.dir;
        own_dir_ = false;
    } else {
        auto base = std::filesystem::temp_directory_path() / ("crm-server-test-" + random_suffix());
        std::filesystem::create_directories(base);
        dir_ = base;
    }
    if (options.defaults) {
        if (backend() == "postgresql") {
            pg_.emplace();
            database_url_ = pg_->url();
        } else {
            database_url_ = "sqlite:" + (dir_ / "crm.db").string();
        }
    }
    std::string why;
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (start(options, why)) return;
        if (why.find("cannot listen") == std::string::npos || options.env.count("PORT")) break;
    }
    // No destructor runs for an object that never finished construction: clean up here.
    pg_.reset();
    if (own_dir_ && env("CRM_TEST_KEEP").empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    throw std::runtime_error("crm-server did not start: " + why);
}

Server::~Server() {
    if (running()) stop();
    pg_.reset();
    if (own_dir_ && env("CRM_TEST_KEEP").empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
}

bool Server::start(const ServerOptions& options, std::string& why) {
    std::map<std::string, std::string> vars;
    vars["PATH"] = env("PATH").empty() ? "/usr/bin:/bin" : env("PATH");
    for (const char* pass : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "LD_LIBRARY_PATH"})
        if (!env(pass).empty()) vars[pass] = env(pass);
    if (options.defaults) {
        vars["CRM_HOST"] = "127.0.0.1";
        vars["CRM_DATABASE_URL"] = database_url_;
        vars["CRM_JWT_SECRET"] = jwt_secret;
        vars["CRM_ADMIN_EMAIL"] = admin_email;
        vars["CRM_ADMIN_PASSWORD"] = admin_password;
        vars["CRM_CORS_ORIGINS"] = cors_origin;
        vars["CRM_PASSWORD_COST"] = "min";
    }
    port_ = free_port();
    vars["PORT"] = std::to_string(port_);
    for (const auto& [k, v] : options.env) {
        if (v.empty())
            vars.erase(k);
        else
            vars[k] = v;
    }
    if (vars.count("PORT")) port_ = std::stoi(vars["PORT"]);

    std::vector<std::string> entries;
    for (const auto& [k, v] : vars) entries.push_back(k + "=" + v);
    std::vector<char*> envp;
    for (auto& e : entries) envp.push_back(e.data());
    envp.push_back(nullptr);
    std::string program = CRM_SERVER_PATH;
    char* argv[] = {program.data(), nullptr};
    std::string log_path = (dir_ / "server.log").string();
    std::string work_dir = dir_.string();
    std::size_t log_start = log().size();  // a restart in the same folder appends to the log

    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {  // only async-signal-safe calls until execve
        if (::chdir(work_dir.c_str()) != 0) _exit(126);
        int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0) _exit(126);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        ::close(fd);
        ::execve(program.c_str(), argv, envp.data());
        _exit(127);
    }

    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            why = "exited with status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                  "; its log:\n" + log();
            return false;
        }
        if (log().find("listening on", log_start) != std::string::npos) {
            httplib::Client client("127.0.0.1", port_);
            client.set_connection_timeout(5);
            auto health = client.Get("/api/health");
            if (health && health->status == 200) return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    why = "not ready after 60 s; its log:\n" + log();
    return false;
}

std::string Server::log() const { return read_file(dir_ / "server.log"); }

int Server::stop(int timeout_seconds) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    return wait_exit(timeout_seconds);
}

int Server::wait_exit(int timeout_seconds) {
    if (pid_ <= 0) return -1;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    int status = 0;
    while (true) {
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) break;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            pid_ = -1;
            MESSAGE("crm-server did not stop within " << timeout_seconds << " s; killed");
            return 137;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (code != 0) MESSAGE("crm-server exited with " << code << "; its log:\n" << log());
    return code;
}

Reply Server::send(const std::string& method, const std::string& path, const std::string& token,
                   const std::optional<std::string>& body, const std::string& content_type,
                   const httplib::Headers& headers) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_url_encode(false);
    client.set_connection_timeout(5);
    client.set_read_timeout(60);
    client.set_write_timeout(60);
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers = headers;
    if (!token.empty()) req.set_header("Authorization", "Bearer " + token);
    if (body) {
        req.body = *body;
        if (!content_type.empty()) req.set_header("Content-Type", content_type);
    }
    auto result = client.send(req);
    Reply reply;
    if (!result) {
        MESSAGE(method << " " << path << ": no response (" << httplib::to_string(result.error()) << ")");
        return reply;
    }
    reply.status = result->status;
    reply.headers = result->headers;
    reply.body = result->body;
    return reply;
}

Reply Server::get(const std::string& path, const std::string& token) const { return send("GET", path, token); }
Reply Server::post(const std::string& path, const json& body, const std::string& token) const {
    return send("POST", path, token, body.dump());
}
Reply Server::put(const std::string& path, const json& body, const std::string& token) const {
    return send("PUT", path, token, body.dump());
}
Reply Server::del(const std::string& path, const std::string& token) const { return send("DELETE", path, token); }

std::string Server::raw(const std::string& request) const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return "";
    }
    timeval tv{20, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    for (std::size_t sent = 0; sent < request.size();) {
        ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string answer;
    char buffer[4096];
    ssize_t n;
    while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return answer;
}

// ---- users -----------------------------------------------------------------------------------

namespace {

Session session_from(const Reply& reply, const std::string& email, const std::string& password) {
    auto body = reply.json();
    Session s;
    s.email = email;
    s.password = password;
    s.user = body["user"];
    s.id = body["user"]["id"].get<std::string>();
    s.access = body["accessToken"].get<std::string>();
    s.refresh = body["refreshToken"].get<std::string>();
    return s;
}

}  // namespace

Session login(const Server& server, const std::string& email, const std::string& password) {
    auto reply = server.post("/api/auth/login", {{"email", email}, {"password", password}});
    REQUIRE_MESSAGE(reply.status == 200, reply.body);
    return session_from(reply, email, password);
}

Session register_user(const Server& server, const std::string& email, const std::string& password,
                      const std::string& name) {
    json body{{"email", email}, {"password", password}};
    if (!name.empty()) body["name"] = name;
    auto reply = server.post("/api/auth/register", body);
    REQUIRE_MESSAGE(reply.status == 201, reply.body);
    return session_from(reply, email, password);
}

Session make_user(const Server& server, const Session& admin, const std::string& email, const std::string& role) {
    Session s = register_user(server, email);
    if (role != "SALES") {
        auto reply = server.put("/api/users/" + s.id, {{"role", role}}, admin.access);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        s.user = reply.json();
    }
    return s;
}

Session admin_session(const Server& server) { return login(server, admin_email, admin_password); }

json create_lead(const Server& server, const std::string& token, const json& body) {
    auto reply = server.post("/api/leads", body, token);
    REQUIRE_MESSAGE(reply.status == 201, reply.body);
    return reply.json();
}

json expect_problem(const Reply& reply, int status, const std::string& code) {
    CHECK_MESSAGE(reply.status == status, reply.body);
    CHECK(reply.header("Content-Type").rfind("application/problem+json", 0) == 0);
    auto body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded()) {
        FAIL_CHECK("not JSON: " << reply.body.substr(0, 300));
        return json::object();
    }
    CHECK(body.value("type", "") == "about:blank");
    CHECK(body.value("status", 0) == status);
    CHECK_MESSAGE(body.value("code", "") == code, reply.body);
    CHECK(body.contains("title"));
    CHECK(body.contains("detail"));
    CHECK(body.contains("requestId"));
    CHECK(body["errors"].is_array());
    return body;
}

// ---- tokens ----------------------------------------------------------------------------------

std::string base64url(const std::string& bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

std::string base64url_decode(const std::string& text) {
    std::string out(text.size(), '\0');
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return "";
    out.resize(len);
    return out;
}

std::string make_jwt(const json& header, const json& payload, const std::string& key, const std::string& algorithm) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium");
    std::string input = base64url(header.dump()) + "." + base64url(payload.dump());
    auto data = reinterpret_cast<const unsigned char*>(input.data());
    auto k = reinterpret_cast<const unsigned char*>(key.data());
    std::string mac;
    if (algorithm == "HS256") {
        crypto_auth_hmacsha256_state st;
        unsigned char out[crypto_auth_hmacsha256_BYTES];
        crypto_auth_hmacsha256_init(&st, k, key.size());
        crypto_auth_hmacsha256_update(&st, data, input.size());
        crypto_auth_hmacsha256_final(&st, out);
        mac.assign(reinterpret_cast<char*>(out), sizeof out);
    } else if (algorithm == "HS512") {
        crypto_auth_hmacsha512_state st;
        unsigned char out[crypto_auth_hmacsha512_BYTES];
        crypto_auth_hmacsha512_init(&st, k, key.size());
        crypto_auth_hmacsha512_update(&st, data, input.size());
        crypto_auth_hmacsha512_final(&st, out);
        mac.assign(reinterpret_cast<char*>(out), sizeof out);
    } else if (algorithm != "none") {
        throw std::runtime_error("make_jwt: unsupported algorithm");
    }
    return input + "." + base64url(mac);
}

json jwt_payload(const std::string& token) {
    auto first = token.find('.');
    auto second = token.find('.', first + 1);
    return json::parse(base64url_decode(token.substr(first + 1, second - first - 1)), nullptr, false);
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// True when `text` has the shape of `pattern`, where '9' stands for a decimal digit, 'x' for a
// lower-case hex digit and every other character for itself. (std::regex trips a GCC 12
// -Wmaybe-uninitialized false positive under the sanitizer flags.)
static bool has_shape(const json& value, std::string_view pattern) {
    if (!value.is_string()) return false;
    const auto& text = value.get_ref<const std::string&>();
    if (text.size() != pattern.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool digit = c >= '0' && c <= '9';
        bool ok = pattern[i] == '9'   ? digit
                  : pattern[i] == 'x' ? digit || (c >= 'a' && c <= 'f')
                                      : c == pattern[i];
        if (!ok) return false;
    }
    return true;
}

bool is_timestamp(const json& value) { return has_shape(value, "9999-99-99T99:99:99.999Z"); }

bool is_lower_uuid(const json& value) { return has_shape(value, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"); }

std::string url_encode(const std::string& text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace crmtest
