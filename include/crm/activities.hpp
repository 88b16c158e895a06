// libcrm: what a caller gives to record or change an activity (see Service's activity operations).
#pragma once

#include <crm/models.hpp>
#include <crm/types.hpp>

#include <optional>
#include <string>

namespace crm {
inline namespace v1 {

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

}  // namespace v1
}  // namespace crm
