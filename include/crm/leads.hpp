// libcrm: what a caller gives to create a lead, and its validation (see Service's lead
// operations; LeadChanges, LeadFilter and LeadSort are in models.hpp).
#pragma once

#include <crm/error.hpp>
#include <crm/models.hpp>
#include <crm/types.hpp>

#include <optional>
#include <string>
#include <vector>

namespace crm {
inline namespace v1 {

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

/// The problems of a new lead, without creating it: what create_lead() would refuse as invalid.
[[nodiscard]] std::vector<FieldError> validate(const NewLead& lead);

}  // namespace v1
}  // namespace crm
