// Test harness for crm-server: runs the real executable as a child process on a free loopback
// port, in a temporary working directory, on the backend this run is for (CRM_TEST_BACKEND), and
// talks to it over HTTP with httplib::Client.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace crmtest {

using json = nlohmann::json;

/// "sqlite" or "postgresql" (CRM_TEST_BACKEND, default sqlite).
[[nodiscard]] std::string backend();

/// A fresh PostgreSQL database on the server at CRM_TEST_PG_URL (the run fails when that is
/// unset: a PostgreSQL run never skips), dropped in the destructor.
class PgDatabase {
public:
    PgDatabase();
    ~PgDatabase();
    PgDatabase(const PgDatabase&) = delete;
    PgDatabase& operator=(const PgDatabase&) = delete;
    [[nodiscard]] const std::string& url() const { return url_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    /// Runs SQL on the maintenance database (the one CRM_TEST_PG_URL names).
    static void admin(const std::string& sql);

private:
    std::string name_, url_;
};

/// One HTTP response.
struct Reply {
    int status = 0;  ///< 0: no response (connection failed)
    httplib::Headers headers;
    std::string body;

    [[nodiscard]] nlohmann::json json() const;
    [[nodiscard]] std::string header(const std::string& name) const;
    [[nodiscard]] bool has_header(const std::string& name) const;
};

struct ServerOptions {
    /// Environment of the server, on top of (or replacing) the defaults below.
    std::map<std::string, std::string> env;
    /// When false, the server gets only `env` (plus PORT and PATH): no database URL, no secret.
    bool defaults = true;
    /// Use this working directory instead of a new temporary one (kept afterwards).
    std::optional<std::filesystem::path> dir;
};

/// ServerOptions without spelling out every member.
[[nodiscard]] inline ServerOptions with_env(std::map<std::string, std::string> env, bool defaults = true,
                                           std::optional<std::filesystem::path> dir = std::nullopt) {
    ServerOptions options;
    options.env = std::move(env);
    options.defaults = defaults;
    options.dir = std::move(dir);
    return options;
}

inline constexpr const char* admin_email = "admin@example.com";
inline constexpr const char* admin_password = "admin-password-1";
inline constexpr const char* jwt_secret = "server-test-secret-0123456789-abcdefghijklmnop";
inline constexpr const char* cors_origin = "http://app.example.com";

/// A running crm-server. Defaults: a database of this run's backend, CRM_JWT_SECRET=jwt_secret,
/// CRM_ADMIN_EMAIL/PASSWORD, CRM_CORS_ORIGINS=cors_origin, CRM_PASSWORD_COST=min.
class Server {
public:
    explicit Server(ServerOptions options = {});
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] const std::string& database_url() const { return database_url_; }
    [[nodiscard]] pid_t pid() const { return pid_; }
    /// Everything the server wrote to stdout and stderr so far.
    [[nodiscard]] std::string log() const;
    /// Sends SIGTERM and waits; returns the exit status (or 128 + signal).
    int stop(int timeout_seconds = 30);
    /// Waits for the process to exit (killing it after the timeout); returns as stop() does.
    int wait_exit(int timeout_seconds = 30);
    [[nodiscard]] bool running() const { return pid_ > 0; }

    // HTTP, one connection per call unless a client is given.
    [[nodiscard]] Reply send(const std::string& method, const std::string& path, const std::string& token = "",
                             const std::optional<std::string>& body = std::nullopt,
                             const std::string& content_type = "application/json",
                             const httplib::Headers& headers = {}) const;
    [[nodiscard]] Reply get(const std::string& path, const std::string& token = "") const;
    [[nodiscard]] Reply post(const std::string& path, const json& body, const std::string& token = "") const;
    [[nodiscard]] Reply put(const std::string& path, const json& body, const std::string& token = "") const;
    [[nodiscard]] Reply del(const std::string& path, const std::string& token = "") const;
    /// Bytes written as they are on a new connection; the whole answer as text.
    [[nodiscard]] std::string raw(const std::string& request) const;

private:
    bool start(const ServerOptions& options, std::string& why);

    std::optional<PgDatabase> pg_;
    std::filesystem::path dir_;
    bool own_dir_ = true;
    std::string database_url_;
    int port_ = 0;
    pid_t pid_ = -1;
};

/// A user as the tests use one: ids and tokens from register/login.
struct Session {
    std::string id, email, password, access, refresh;
    json user;
};

/// Logs in (200 expected).
[[nodiscard]] Session login(const Server& server, const std::string& email, const std::string& password);
/// Registers (201 expected); a SALES user.
[[nodiscard]] Session register_user(const Server& server, const std::string& email,
                                    const std::string& password = "password-123", const std::string& name = "");
/// Registers a user and lets `admin` give them `role` (ADMIN, MANAGER or SALES).
[[nodiscard]] Session make_user(const Server& server, const Session& admin, const std::string& email,
                                const std::string& role);
/// The bootstrap ADMIN of a default server.
[[nodiscard]] Session admin_session(const Server& server);

/// Creates a lead (201 expected) and returns it.
json create_lead(const Server& server, const std::string& token, const json& body);

/// A problem+json body: checks content type, status and code members; returns the body.
json expect_problem(const Reply& reply, int status, const std::string& code);

// ---- tokens ---------------------------------------------------------------------------------

[[nodiscard]] std::string base64url(const std::string& bytes);
[[nodiscard]] std::string base64url_decode(const std::string& text);
/// A JWS with this header and payload, signed with HMAC-SHA256 or -SHA512 ("HS256"/"HS512") or
/// unsigned ("none").
[[nodiscard]] std::string make_jwt(const json& header, const json& payload, const std::string& key,
                                   const std::string& algorithm);
/// The payload of a JWS, decoded.
[[nodiscard]] json jwt_payload(const std::string& token);

[[nodiscard]] std::int64_t unix_now();
[[nodiscard]] bool is_timestamp(const json& value);  ///< "2026-11-28T05:48:00.123Z"
[[nodiscard]] bool is_lower_uuid(const json& value);
/// Percent-encodes a query value.
[[nodiscard]] std::string url_encode(const std::string& text);

}  // namespace crmtest
