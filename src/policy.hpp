// Internal: the RBAC policy — one table of role × action × ownership that every service
// operation consults. Nothing else in the library looks at a role.
#pragma once

#include <crm/auth.hpp>

namespace crm::detail {

enum class Action {
    list_users,
    read_user,
    create_user,
    update_user,
    change_role,
    delete_user,
    read_lead,  // also: list leads, and read/list the lead's activities
    create_lead,
    update_lead,
    delete_lead,
    assign_lead,  // give a lead an owner other than the caller (or none)
    create_activity,
    update_activity,
    delete_activity,
};

/// How far a role's permission for an action reaches.
enum class Reach { none, own, any };

/// What `actor` may reach for `action`. The system principal reaches everything.
[[nodiscard]] Reach reach(const Principal& actor, Action action) noexcept;

/// Throws when `actor` may not perform `action` on an object that is (`own`) or is not theirs:
/// `not_found` for leads and activities (out-of-scope objects look absent), `forbidden` otherwise.
void require(const Principal& actor, Action action, bool own);

}  // namespace crm::detail
