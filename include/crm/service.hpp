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

enum class JwtAlgorithm { hs256, hs384, hs512 };
[[nodiscard]] std::string_view to_string(JwtAlgorithm) noexcept;  ///< "HS256", ...
template <>
[[nodiscard]] std::optional<JwtAlgorithm> parse<JwtAlgorithm>(std::string_view) noexcept;

struct AuthOptions {
    /// HMAC key for access tokens: at least 32 bytes, or Service refuses to start.
    std::string jwt_secret;
    JwtAlgorithm jwt_algorithm = JwtAlgorithm::hs256;
    std::optional<std::string> issuer;  ///< `iss` claim, checked when set
    std::chrono::seconds access_token_ttl{900};
    std::chrono::seconds refresh_token_ttl{604800};
    std::chrono::seconds leeway{5};  ///< accepted clock skew on `exp`
    /// Argon2id cost. 0 means libsodium's INTERACTIVE limits. A stored hash of another cost is
    /// upgraded on the next successful login.
    std::uint64_t password_opslimit = 0;
    std::size_t password_memlimit = 0;
    /// Password hashes computed at once (each may take memlimit bytes); 0 means the number of cores.
    unsigned max_concurrent_hashes = 0;
};

/// Who is acting. Only the Service makes user principals (from a login or an access token);
/// a host's own administration uses Principal::system(), which is never implied.
class Principal {
public:
    /// The trusted host application itself: may do everything, owns nothing.
    [[nodiscard]] static Principal system() noexcept { return Principal{Uuid{}, Role::admin, true}; }

    [[nodiscard]] const Uuid& user_id() const noexcept { return user_id_; }  ///< nil for system
    [[nodiscard]] Role role() const noexcept { return role_; }
    [[nodiscard]] bool is_system() const noexcept { return is_system_; }

private:
    friend class Service;
    Principal(Uuid user_id, Role role, bool is_system) : user_id_(user_id), role_(role), is_system_(is_system) {}
    Uuid user_id_;
    Role role_;
    bool is_system_;
};

struct Tokens {
    std::string access_token;
    std::string refresh_token;
};

struct AuthResult {
    User user;
    Tokens tokens;
};

struct Registration {
    std::string email;
    std::string password;
    std::optional<std::string> name;  ///< defaults to the part of the email before '@'
};

struct NewUser {
    std::string email;
    std::string password;
    std::optional<std::string> name;
    Role role = Role::sales;
};

struct UserUpdate {
    Change<std::string> name;
    Change<std::string> email;
    Change<Role> role;
    Change<std::string> password;
    /// Required when users change their own password.
    std::optional<std::string> current_password;
};

struct NewLead {
    std::string title;
    std::optional<std::string> description;
    std::optional<LeadStatus> status;  ///< default NEW
    std::optional<std::string> source;
    /// nullopt: the caller owns it; {nullopt}: unowned (ADMIN, MANAGER); {id}: that user.
    Change<std::optional<Uuid>> owner_id;
    std::optional<std::string> metadata;  ///< a JSON object as text, or nullopt for null
};

struct NewActivity {
    Uuid lead_id;
    ActivityType type = ActivityType::note;
    std::optional<std::string> body;
};

struct ActivityUpdate {
    Change<ActivityType> type;
    Change<std::optional<std::string>> body;
    /// May be given, but only equal to the activity's current lead (else invalid).
    std::optional<Uuid> lead_id;
};

/// The problems of a new lead, without creating it: what create_lead() would refuse as invalid.
[[nodiscard]] std::vector<FieldError> validate(const NewLead& lead);

/// The CRM core. Every operation takes the acting principal first and enforces the RBAC policy:
/// objects outside the principal's scope are `not_found`, disallowed operations `forbidden`.
/// Thread-safe; cheap to share by reference.
class Service {
public:
    /// Throws Error(invalid) for a secret shorter than 32 bytes.
    Service(Database db, AuthOptions options);
    ~Service();
    Service(Service&&) noexcept;
    Service& operator=(Service&&) noexcept;

    // Authentication.
    [[nodiscard]] AuthResult register_user(const Registration& registration);  ///< always SALES
    [[nodiscard]] AuthResult login(std::string_view email, std::string_view password);
    [[nodiscard]] Tokens refresh(std::string_view refresh_token);
    void logout(std::string_view refresh_token);  ///< unknown tokens are ignored
    /// Verifies an access token and loads the user's current row. Throws Error(unauthorized).
    [[nodiscard]] Principal authenticate(std::string_view access_token);
    [[nodiscard]] User me(const Principal& actor);

    // Users.
    [[nodiscard]] Page<User> list_users(const Principal& actor, const PageRequest& page);
    [[nodiscard]] User get_user(const Principal& actor, const Uuid& id);
    /// The user with this email (compared trimmed and case-insensitively).
    [[nodiscard]] User get_user_by_email(const Principal& actor, std::string_view email);
    [[nodiscard]] User create_user(const Principal& actor, const NewUser& user);
    [[nodiscard]] User update_user(const Principal& actor, const Uuid& id, const UserUpdate& update);
    void delete_user(const Principal& actor, const Uuid& id);

    // Leads.
    [[nodiscard]] Page<Lead> list_leads(const Principal& actor, const LeadFilter& filter, const LeadSort& sort,
                                        const PageRequest& page);
    [[nodiscard]] Lead get_lead(const Principal& actor, const Uuid& id);
    [[nodiscard]] Lead create_lead(const Principal& actor, const NewLead& lead);
    [[nodiscard]] Lead update_lead(const Principal& actor, const Uuid& id, const LeadChanges& changes);
    void delete_lead(const Principal& actor, const Uuid& id);
    /// Creates every lead in one transaction, or none: a lead that fails validation throws
    /// Error(invalid) with fields named "[index].field"; a database failure rolls back the batch.
    [[nodiscard]] std::vector<Lead> create_leads(const Principal& actor, const std::vector<NewLead>& leads);
    /// Calls `visit` for every lead in `actor`'s scope that matches `filter`, oldest first, reading
    /// in chunks so that memory stays bounded whatever the number of leads.
    void for_each_lead(const Principal& actor, const LeadFilter& filter, const std::function<void(const Lead&)>& visit);

    // Activities: in scope exactly when their lead is.
    [[nodiscard]] Page<Activity> list_activities(const Principal& actor, const Uuid& lead_id, const PageRequest& page);
    [[nodiscard]] Activity get_activity(const Principal& actor, const Uuid& id);
    [[nodiscard]] Activity create_activity(const Principal& actor, const NewActivity& activity);
    [[nodiscard]] Activity update_activity(const Principal& actor, const Uuid& id, const ActivityUpdate& update);
    void delete_activity(const Principal& actor, const Uuid& id);

    [[nodiscard]] Database& database() noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace crm
