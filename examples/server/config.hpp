// crm-server: configuration from the environment and a `.env` file in the working directory.
#pragma once

#include <crm/crm.hpp>

#include <chrono>
#include <cstddef>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crm_server {

/// A setting that cannot be used; the message names the variable, never its value.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Which browser origins may call the API (CRM_CORS_ORIGINS).
struct CorsPolicy {
    bool any = false;                  ///< `*` was listed
    std::vector<std::string> origins;  ///< exact origins, lower-cased, without a trailing '/'
    [[nodiscard]] bool enabled() const noexcept { return any || !origins.empty(); }
    [[nodiscard]] bool allows(std::string_view origin) const;
};

/// The transport's settings (transport.cpp); the fixed protocol limits are constants there.
struct Limits {
    unsigned io_threads = 1;                          ///< CRM_IO_THREADS (default: cores)
    std::chrono::seconds header_timeout{10};          ///< CRM_HEADER_TIMEOUT: the whole request head
    std::chrono::seconds idle_timeout{75};            ///< CRM_IDLE_TIMEOUT: keep-alive between requests
    std::chrono::seconds shutdown_timeout{10};        ///< CRM_SHUTDOWN_TIMEOUT: requests in flight at a stop
    std::size_t max_connections = 10000;              ///< CRM_MAX_CONNECTIONS
    std::size_t max_connections_per_client = 1000;    ///< CRM_MAX_CONNECTIONS_PER_CLIENT (per IP address)
};

struct Config {
    std::string host = "127.0.0.1";         ///< CRM_HOST
    std::uint16_t port = 3000;              ///< PORT (0: any free port)
    std::string database_url = "sqlite:crm.db";  ///< CRM_DATABASE_URL
    std::optional<std::string> jwt_secret;  ///< CRM_JWT_SECRET; unset: see resolve_jwt_secret()
    /// TTLs, algorithm, password cost, login throttling (the secret is set later)
    crm::AuthOptions auth;
    std::optional<std::string> admin_email, admin_password;  ///< CRM_ADMIN_EMAIL, CRM_ADMIN_PASSWORD
    CorsPolicy cors;                        ///< CRM_CORS_ORIGINS
    unsigned threads = 4;                   ///< CRM_THREADS: handler threads and database connections
    Limits limits;                          ///< the transport's threads, deadlines and caps
    std::vector<std::string> warnings;      ///< for the caller to log
};

/// Reads the configuration: the process environment wins over `.env` in the working directory.
/// Throws ConfigError for a value that cannot be used.
[[nodiscard]] Config load_config();

/// Where the generated JWT secret is kept: beside the database file for `sqlite:PATH`
/// (PATH + ".jwt-secret"), else `crm.jwt-secret` in the working directory.
[[nodiscard]] std::string jwt_secret_path(std::string_view database_url);

/// The secret to sign access tokens with: CRM_JWT_SECRET, or the one kept in jwt_secret_path()
/// (created with mode 0600 on first start). Adds a warning to `config` when not configured.
[[nodiscard]] std::string resolve_jwt_secret(Config& config);

/// Creates the ADMIN named by CRM_ADMIN_EMAIL/CRM_ADMIN_PASSWORD unless a user has that email.
void bootstrap_admin(crm::Service& service, const Config& config);

}  // namespace crm_server
