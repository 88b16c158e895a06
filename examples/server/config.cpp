#include "config.hpp"

#include "json.hpp"
#include "log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <thread>

namespace crm_server {

namespace {

constexpr std::string_view whitespace = " \t\r\n";

std::string_view trim(std::string_view s) {
    auto first = s.find_first_not_of(whitespace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(whitespace) - first + 1);
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}

// The `.env` file: KEY=VALUE lines, `#` comments, an optional `export `, values optionally quoted.
std::map<std::string, std::string> read_dotenv(const std::string& path, std::vector<std::string>& warnings) {
    std::map<std::string, std::string> values;
    std::ifstream in(path);
    if (!in) return values;
    std::string raw;
    for (int number = 1; std::getline(in, raw); ++number) {
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        if (line.substr(0, 7) == "export ") line = trim(line.substr(7));
        auto eq = line.find('=');
        std::string_view key = trim(line.substr(0, eq));
        if (eq == std::string_view::npos || key.empty()) {
            warnings.push_back(fmt::format(".env line {} is not KEY=VALUE: ignored", number));
            continue;
        }
        std::string_view value = trim(line.substr(eq + 1));
        std::string parsed;
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
            char quote = value.front();
            value = value.substr(1, value.size() - 2);
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (quote == '"' && value[i] == '\\' && i + 1 < value.size()) {
                    char next = value[++i];
                    parsed.push_back(next == 'n' ? '\n' : next);
                } else {
                    parsed.push_back(value[i]);
                }
            }
        } else {
            auto comment = value.find(" #");
            parsed = std::string(trim(value.substr(0, comment)));
        }
        values[std::string(key)] = std::move(parsed);
    }
    // A .env with a secret in it should be as private as the secret.
    struct stat st {};
    bool has_secret = values.count("CRM_JWT_SECRET") || values.count("CRM_ADMIN_PASSWORD") ||
                      (values.count("CRM_DATABASE_URL") && values["CRM_DATABASE_URL"].find('@') != std::string::npos);
    if (has_secret && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0)
        warnings.push_back(fmt::format("{} holds secrets but other users may read it (mode {:03o}): chmod 600 {}", path,
                                       st.st_mode & 0777, path));
    return values;
}

class Settings {
public:
    explicit Settings(std::vector<std::string>& warnings) : dotenv_(read_dotenv(".env", warnings)) {}

    /// The environment's value, else the `.env` one; an empty value counts as unset.
    [[nodiscard]] std::optional<std::string> get(const char* name) const {
        if (const char* v = std::getenv(name); v && *v) return std::string(v);
        if (auto it = dotenv_.find(name); it != dotenv_.end() && !it->second.empty()) return it->second;
        return std::nullopt;
    }

    [[nodiscard]] std::uint64_t number(const char* name, std::uint64_t fallback, std::uint64_t min,
                                       std::uint64_t max) const {
        auto text = get(name);
        if (!text) return fallback;
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
        if (ec != std::errc{} || end != text->data() + text->size() || value < min || value > max)
            throw ConfigError(fmt::format("{} must be an integer from {} to {}", name, min, max));
        return value;
    }

private:
    std::map<std::string, std::string> dotenv_;
};

CorsPolicy parse_cors(std::string_view list) {
    CorsPolicy policy;
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string origin = lower(trim(list.substr(0, comma)));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        while (!origin.empty() && origin.back() == '/') origin.pop_back();
        if (origin == "*")
            policy.any = true;
        else if (!origin.empty())
            policy.origins.push_back(std::move(origin));
    }
    return policy;
}

std::string random_secret() {
    unsigned char bytes[48];
    for (std::size_t got = 0; got < sizeof bytes;) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw ConfigError(std::string("cannot read random bytes: ") + std::strerror(errno));
        got += static_cast<std::size_t>(n);
    }
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (std::size_t i = 0; i < sizeof bytes; i += 3) {  // base64url, 48 bytes -> 64 characters
        std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(v >> shift) & 63]);
    }
    return out;
}

std::optional<std::string> read_secret_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw ConfigError("cannot read the JWT secret file " + path + ": " + std::strerror(errno));
    }
    std::string text;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int saved = errno;
            ::close(fd);
            throw ConfigError("cannot read the JWT secret file " + path + ": " + std::strerror(saved));
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return std::string(trim(text));
}

}  // namespace

bool CorsPolicy::allows(std::string_view origin) const {
    if (any) return !origin.empty();
    std::string wanted = lower(origin);
    return std::find(origins.begin(), origins.end(), wanted) != origins.end();
}

Config load_config() {
    Config config;
    Settings s(config.warnings);

    if (auto v = s.get("CRM_HOST")) config.host = *v;
    config.port = static_cast<std::uint16_t>(s.number("PORT", 3000, 0, 65535));
    if (auto v = s.get("CRM_DATABASE_URL")) config.database_url = *v;
    config.jwt_secret = s.get("CRM_JWT_SECRET");

    constexpr std::uint64_t ten_years = 10ULL * 366 * 24 * 3600;
    config.auth.access_token_ttl = std::chrono::seconds(s.number("CRM_ACCESS_TOKEN_TTL", 900, 1, ten_years));
    config.auth.refresh_token_ttl = std::chrono::seconds(s.number("CRM_REFRESH_TOKEN_TTL", 604800, 1, ten_years));
    if (auto v = s.get("CRM_JWT_ALGORITHM")) {
        auto algorithm = crm::parse<crm::JwtAlgorithm>(*v);
        if (!algorithm) throw ConfigError("CRM_JWT_ALGORITHM must be HS256, HS384 or HS512");
        config.auth.jwt_algorithm = *algorithm;
    }
    // Argon2id cost: `interactive` (libsodium's INTERACTIVE limits, the default) or `min`
    // (crypto_pwhash_OPSLIMIT_MIN = 1, crypto_pwhash_MEMLIMIT_MIN = 8192: for tests only).
    if (auto v = s.get("CRM_PASSWORD_COST")) {
        if (*v == "min") {
            config.auth.password_opslimit = 1;
            config.auth.password_memlimit = 8192;
            config.warnings.push_back("CRM_PASSWORD_COST=min: password hashes are weak, use this for tests only");
        } else if (*v != "interactive") {
            throw ConfigError("CRM_PASSWORD_COST must be interactive or min");
        }
    }

    // Login throttling (the core keeps the counts in the database): failures per email or client
    // address within the window; 0 turns it off. Bounds as crm::AuthOptions checks them.
    config.auth.login_max_failures = static_cast<unsigned>(s.number("CRM_LOGIN_MAX_FAILURES", 10, 0, 100000));
    config.auth.login_window = std::chrono::seconds(s.number("CRM_LOGIN_WINDOW", 900, 1, 86400));
    if (config.auth.login_max_failures == 0)
        config.warnings.push_back("CRM_LOGIN_MAX_FAILURES=0: failed logins are not throttled");

    config.admin_email = s.get("CRM_ADMIN_EMAIL");
    config.admin_password = s.get("CRM_ADMIN_PASSWORD");
    if (config.admin_email.has_value() != config.admin_password.has_value())
        config.warnings.push_back("only one of CRM_ADMIN_EMAIL and CRM_ADMIN_PASSWORD is set: no ADMIN is created");

    if (auto v = s.get("CRM_CORS_ORIGINS")) config.cors = parse_cors(*v);

    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    config.threads = static_cast<unsigned>(s.number("CRM_THREADS", std::max(16u, 4 * cores), 1, 1024));

    Limits& l = config.limits;
    l.io_threads = static_cast<unsigned>(s.number("CRM_IO_THREADS", cores, 1, 256));
    l.header_timeout = std::chrono::seconds(s.number("CRM_HEADER_TIMEOUT", 10, 1, 3600));
    l.idle_timeout = std::chrono::seconds(s.number("CRM_IDLE_TIMEOUT", 75, 1, 86400));
    l.shutdown_timeout = std::chrono::seconds(s.number("CRM_SHUTDOWN_TIMEOUT", 10, 1, 3600));
    l.max_connections = s.number("CRM_MAX_CONNECTIONS", 10000, 1, 1000000);
    l.max_connections_per_client = s.number("CRM_MAX_CONNECTIONS_PER_CLIENT", 1000, 1, 1000000);
    if (l.max_connections_per_client > l.max_connections) l.max_connections_per_client = l.max_connections;
    return config;
}

std::string jwt_secret_path(std::string_view database_url) {
    constexpr std::string_view sqlite = "sqlite:";
    if (database_url.substr(0, sqlite.size()) == sqlite && database_url != "sqlite::memory:") {
        std::string_view path = database_url.substr(sqlite.size());
        if (auto query = path.find('?'); query != std::string_view::npos) path = path.substr(0, query);
        if (!path.empty()) return std::string(path) + ".jwt-secret";
    }
    return "crm.jwt-secret";
}

std::string resolve_jwt_secret(Config& config) {
    if (config.jwt_secret) return *config.jwt_secret;
    std::string path = jwt_secret_path(config.database_url);
    if (auto kept = read_secret_file(path)) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
            config.warnings.push_back("the JWT secret file " + path + " is readable by others: chmod 600 it");
        config.warnings.push_back("CRM_JWT_SECRET is not set: using the secret kept in " + path);
        return *kept;
    }
    std::string secret = random_secret();
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) {  // another process just made it
            if (auto kept = read_secret_file(path)) return *kept;
        }
        throw ConfigError("cannot create the JWT secret file " + path + ": " + std::strerror(errno));
    }
    std::string line = secret + "\n";
    bool ok = ::fchmod(fd, 0600) == 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
              ::fsync(fd) == 0;
    int saved = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(path.c_str());
        throw ConfigError("cannot write the JWT secret file " + path + ": " + std::strerror(saved));
    }
    config.warnings.push_back("CRM_JWT_SECRET is not set: generated a new secret and kept it in " + path +
                              " (mode 0600); set CRM_JWT_SECRET to choose your own");
    return secret;
}

void bootstrap_admin(crm::Service& service, const Config& config) {
    if (!config.admin_email || !config.admin_password) return;
    try {
        crm::NewUser admin{*config.admin_email, *config.admin_password, std::nullopt, crm::Role::admin};
        auto user = service.create_user(crm::Principal::system(), admin);
        log("info", "created the ADMIN " + user.email + " (id " + user.id.to_string() + ") from CRM_ADMIN_EMAIL");
    } catch (const crm::Error& e) {
        if (e.code() != crm::Errc::conflict) throw;
        log("info", "CRM_ADMIN_EMAIL: a user with that email exists, left as it is");
    }
}

}  // namespace crm_server
