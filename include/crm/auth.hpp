// libcrm: authentication: how a Service authenticates (AuthOptions, JwtAlgorithm), who is acting
// (Principal), and what a login or registration takes and hands out.
#pragma once

#include <crm/models.hpp>
#include <crm/types.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crm {
inline namespace v1 {

class Service;

/// The HMAC algorithm that signs access tokens.
enum class JwtAlgorithm {
    hs256,  ///< "HS256", the default
    hs384,  ///< "HS384"
    hs512,  ///< "HS512"
};
[[nodiscard]] std::string_view to_string(JwtAlgorithm) noexcept;  ///< "HS256", ...
template <>
[[nodiscard]] std::optional<JwtAlgorithm> parse<JwtAlgorithm>(std::string_view) noexcept;

/// How the Service authenticates: token keys and lifetimes, password hashing cost.
struct AuthOptions {
    /// HMAC key for access tokens: at least 32 bytes, or Service refuses to start. Empty (the
    /// default): a Service for a host that never issues tokens (a script, an import); its token
    /// operations (register_user, login, refresh, authenticate) throw Error(invalid) on field
    /// "jwtSecret", and its list cursors are valid only within that Service.
    std::string jwt_secret{};
    JwtAlgorithm jwt_algorithm = JwtAlgorithm::hs256;  ///< the only algorithm accepted
    std::optional<std::string> issuer{};  ///< `iss` claim, checked when set
    std::chrono::seconds access_token_ttl{900};      ///< lifetime of access tokens
    std::chrono::seconds refresh_token_ttl{604800};  ///< lifetime of refresh tokens
    std::chrono::seconds leeway{5};  ///< accepted clock skew on `exp`
    /// Argon2id cost. 0 means libsodium's INTERACTIVE limits. A stored hash of another cost is
    /// upgraded on the next successful login.
    std::uint64_t password_opslimit = 0;
    std::size_t password_memlimit = 0;  ///< Argon2id memory in bytes; 0: INTERACTIVE (64 MiB)
    /// Password hashes computed at once (each may take memlimit bytes); 0 means the number of cores.
    unsigned max_concurrent_hashes = 0;
    /// Callers that may wait for a hashing slot when all are busy (at most 100000); nullopt means
    /// twice max_concurrent_hashes. One more fails at once with Error(unavailable) and
    /// retry_after() of 1 s, so that a burst of logins cannot hold every thread of the host.
    std::optional<unsigned> max_queued_hashes{};
    /// Login throttling: after this many failed logins within login_window for one email, or for
    /// one client address, every login for it (the right password included) fails with
    /// Error(throttled) until the window passes. 0 disables throttling; at most 100000. The counts
    /// live in the database, shared by every Service on it.
    unsigned login_max_failures = 10;
    /// The throttling window: 1 s to 1 day.
    std::chrono::seconds login_window{900};
    /// A principal older than this is checked against its user's current row at the start of
    /// every call (one indexed read): a role change or a deletion counts from then on, even for a
    /// principal a host keeps for hours. A younger one is trusted as it is, so that authenticate()
    /// followed at once by an operation (a server's request) reads the row only once. 0 to 1 hour.
    std::chrono::milliseconds principal_max_age{1000};
};

/// Who is acting. Only the Service makes user principals (from a login or an access token);
/// a host's own administration uses Principal::system(), which is never implied.
class Principal {
public:
    /// The trusted host application itself: may do everything, owns nothing.
    [[nodiscard]] static Principal system() noexcept { return Principal{Uuid{}, Role::admin, true}; }

    [[nodiscard]] const Uuid& user_id() const noexcept { return user_id_; }  ///< nil for system
    /// The role as of the user's row when this principal was made or last checked (ADMIN for the
    /// system principal). Service calls do not trust it blindly: see AuthOptions::principal_max_age.
    [[nodiscard]] Role role() const noexcept { return role_; }
    /// True for Principal::system().
    [[nodiscard]] bool is_system() const noexcept { return is_system_; }

private:
    friend class Service;
    Principal(Uuid user_id, Role role, bool is_system)
        : user_id_(user_id), role_(role), is_system_(is_system), verified_at_(std::chrono::steady_clock::now()) {}
    Uuid user_id_;
    Role role_;
    bool is_system_;
    std::chrono::steady_clock::time_point verified_at_;  ///< when role_ was read from the user's row
};

/// What a login, registration or refresh hands out.
struct Tokens {
    std::string access_token{};   ///< a compact JWS for Service::authenticate()
    std::string refresh_token{};  ///< an opaque secret for Service::refresh(), valid once
};

/// The result of a login or registration.
struct AuthResult {
    User user{};      ///< who logged in
    Tokens tokens{};  ///< their new tokens
};

/// A self-registration: always creates a SALES user.
struct Registration {
    std::string email{};     ///< trimmed and lower-cased by the library
    std::string password{};  ///< 8 to 1024 characters
    std::optional<std::string> name{};  ///< defaults to the part of the email before '@'
};

}  // namespace v1
}  // namespace crm
