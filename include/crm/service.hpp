// libcrm: every CRM operation, checked against the acting principal. Includes what the
// operations take and give: auth.hpp (options, Principal, tokens), users.hpp, leads.hpp,
// activities.hpp.
#pragma once

#include <crm/activities.hpp>
#include <crm/auth.hpp>
#include <crm/database.hpp>
#include <crm/error.hpp>
#include <crm/leads.hpp>
#include <crm/models.hpp>
#include <crm/types.hpp>
#include <crm/users.hpp>

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace crm {
inline namespace v1 {

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
