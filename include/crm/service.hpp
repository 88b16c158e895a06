// libcrm: every CRM operation, checked against the acting principal.
#pragma once

#include <crm/database.hpp>
#include <crm/error.hpp>
#include <crm/models.hpp>
#include <crm/types.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm {
inline namespace v1 {

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

/// A user created by an ADMIN or the system principal.
struct NewUser {
    std::string email{};                ///< trimmed and lower-cased by the library
    std::string password{};             ///< 8 to 1024 characters
    std::optional<std::string> name{};  ///< defaults to the part of the email before '@'
    Role role = Role::sales;          ///< the new user's role
};

/// A partial update of a user, password included.
struct UserUpdate {
    Change<std::string> name{};      ///< new name
    Change<std::string> email{};     ///< new email
    Change<Role> role{};             ///< new role (ADMIN only)
    Change<std::string> password{};  ///< new password; revokes every refresh token of the user
    /// Required when users change their own password.
    std::optional<std::string> current_password{};
};

/// A lead to create.
struct NewLead {
    std::string title{};                       ///< not blank, at most 255 characters
    std::optional<std::string> description{};  ///< free text
    std::optional<LeadStatus> status{};  ///< default NEW
    std::optional<std::string> source{};       ///< at most 255 characters
    /// nullopt: the caller owns it; {nullopt}: unowned (ADMIN, MANAGER); {id}: that user.
    Change<std::optional<Uuid>> owner_id{};
    std::optional<std::string> metadata{};  ///< a JSON object as text, or nullopt for null
};

/// An activity to record on a lead; its author is always the acting principal.
struct NewActivity {
    Uuid lead_id{};                            ///< the lead, which must be in the caller's scope
    ActivityType type = ActivityType::note;  ///< what kind of activity
    std::optional<std::string> body{};         ///< free text
};

/// A partial update of an activity.
struct ActivityUpdate {
    Change<ActivityType> type{};                ///< new type
    Change<std::optional<std::string>> body{};  ///< new body, or null
    /// May be given, but only equal to the activity's current lead (else invalid).
    std::optional<Uuid> lead_id{};
};

/// The problems of a new lead, without creating it: what create_lead() would refuse as invalid.
[[nodiscard]] std::vector<FieldError> validate(const NewLead& lead);

/// The CRM core. Every operation takes the acting principal first and enforces the RBAC policy:
/// objects outside the principal's scope are `not_found`, disallowed operations `forbidden`.
/// Thread-safe; cheap to share by reference.
class Service {
public:
    /// Throws Error(invalid) for a secret of 1 to 31 bytes (none at all: see AuthOptions::jwt_secret).
    Service(Database db, AuthOptions options);
    ~Service();
    Service(Service&&) noexcept;             ///< moves the service; the source is left empty
    Service& operator=(Service&&) noexcept;  ///< moves the service; the source is left empty

    // Authentication: every operation but logout() and me() needs AuthOptions::jwt_secret.
    [[nodiscard]] AuthResult register_user(const Registration& registration);  ///< always SALES
    /// Checks the password; unknown emails and wrong passwords fail alike (unauthorized).
    ///
    /// Throttled (see AuthOptions::login_max_failures): when the email, or `client_address`, has
    /// had too many failures within the window, throws Error(throttled) with retry_after() before
    /// looking at the password, for unknown emails exactly as for real ones. `client_address`
    /// identifies where the attempt comes from (an IP address; IPv6 addresses count per /64);
    /// empty: only the email is counted. A successful login clears the email's count, not the
    /// address's. Throws Error(unavailable) with retry_after() when password hashing is busy.
    [[nodiscard]] AuthResult login(std::string_view email, std::string_view password,
                                   std::string_view client_address = {});
    /// Spends the refresh token and issues new tokens. A spent token presented again revokes
    /// every refresh token of its user. Throws Error(unauthorized).
    [[nodiscard]] Tokens refresh(std::string_view refresh_token);
    void logout(std::string_view refresh_token);  ///< unknown tokens are ignored
    /// Verifies an access token and loads the user's current row. Throws Error(unauthorized).
    [[nodiscard]] Principal authenticate(std::string_view access_token);
    /// The acting user's own row.
    [[nodiscard]] User me(const Principal& actor);

    // Users.
    /// Every user, oldest first (ADMIN).
    [[nodiscard]] Page<User> list_users(const Principal& actor, const PageRequest& page);
    /// One user (ADMIN, MANAGER: anyone; SALES: themselves).
    [[nodiscard]] User get_user(const Principal& actor, const Uuid& id);
    /// The user with this email (compared trimmed and case-insensitively).
    [[nodiscard]] User get_user_by_email(const Principal& actor, std::string_view email);
    /// Creates a user of any role (ADMIN).
    [[nodiscard]] User create_user(const Principal& actor, const NewUser& user);
    /// Changes a user (ADMIN: anyone; others: themselves, not their role). Users changing their
    /// own password give the current one. Demoting the last ADMIN is a conflict.
    [[nodiscard]] User update_user(const Principal& actor, const Uuid& id, const UserUpdate& update);
    /// Deletes a user (ADMIN); their leads and activities stay, unowned and authorless. Deleting
    /// the last ADMIN is a conflict.
    void delete_user(const Principal& actor, const Uuid& id);

    // Leads.
    /// Leads matching `filter` in the caller's scope (SALES: their own), sorted and paginated.
    [[nodiscard]] Page<Lead> list_leads(const Principal& actor, const LeadFilter& filter, const LeadSort& sort,
                                        const PageRequest& page);
    /// One lead; not_found outside the caller's scope.
    [[nodiscard]] Lead get_lead(const Principal& actor, const Uuid& id);
    /// Creates a lead. SALES may own it themselves only (forbidden otherwise).
    [[nodiscard]] Lead create_lead(const Principal& actor, const NewLead& lead);
    /// Changes the given fields of a lead in the caller's scope; reassigning follows create_lead's rule.
    [[nodiscard]] Lead update_lead(const Principal& actor, const Uuid& id, const LeadChanges& changes);
    /// Deletes a lead in the caller's scope, and its activities.
    void delete_lead(const Principal& actor, const Uuid& id);
    /// Creates every lead in one transaction, or none: a lead that fails validation throws
    /// Error(invalid) with fields named "[index].field"; a database failure rolls back the batch.
    [[nodiscard]] std::vector<Lead> create_leads(const Principal& actor, const std::vector<NewLead>& leads);
    /// Calls `visit` for every lead in `actor`'s scope that matches `filter`, oldest first, reading
    /// in chunks so that memory stays bounded whatever the number of leads.
    void for_each_lead(const Principal& actor, const LeadFilter& filter, const std::function<void(const Lead&)>& visit);

    // Activities: in scope exactly when their lead is.
    /// The activities of a lead in scope, newest first.
    [[nodiscard]] Page<Activity> list_activities(const Principal& actor, const Uuid& lead_id, const PageRequest& page);
    /// One activity; not_found when its lead is outside the caller's scope.
    [[nodiscard]] Activity get_activity(const Principal& actor, const Uuid& id);
    /// Records an activity on a lead in scope, authored by the caller.
    [[nodiscard]] Activity create_activity(const Principal& actor, const NewActivity& activity);
    /// Changes an activity's type or body; moving it to another lead is invalid.
    [[nodiscard]] Activity update_activity(const Principal& actor, const Uuid& id, const ActivityUpdate& update);
    /// Deletes an activity whose lead is in scope.
    void delete_activity(const Principal& actor, const Uuid& id);

    /// The database this service works on.
    [[nodiscard]] Database& database() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace crm
