// Internal: partial updates, merged into the row once, in the service (`apply`), and the rule for
// "updatedAt" that every update follows. The stores then write the merged row as it is.
#pragma once

#include <crm/models.hpp>

namespace crm::detail {

/// The "updatedAt" of a row changed at `now` that last changed at `previous`: `now`, but always
/// at least 1 ms after `previous`, so that two changes within one millisecond (or after the clock
/// stepped back) still order, and a client comparing updatedAt sees every change.
[[nodiscard]] Timestamp next_updated_at(Timestamp previous, Timestamp now) noexcept;

/// A partial update of a user's profile, as the service has checked and normalised it (the
/// password goes to the store apart, already hashed).
struct UserChanges {
    Change<std::string> name{};   ///< new name
    Change<std::string> email{};  ///< new email, normalised
    Change<Role> role{};          ///< new role
};

/// A partial update of an activity (its lead never changes).
struct ActivityChanges {
    Change<ActivityType> type{};                ///< new type
    Change<std::optional<std::string>> body{};  ///< new body, or null
};

/// `row` with the given changes, its "updatedAt" advanced by next_updated_at(). The id and
/// "createdAt" never change.
[[nodiscard]] User apply(User row, const UserChanges& changes, Timestamp now);
[[nodiscard]] Lead apply(Lead row, const LeadChanges& changes, Timestamp now);
[[nodiscard]] Activity apply(Activity row, const ActivityChanges& changes, Timestamp now);

}  // namespace crm::detail
