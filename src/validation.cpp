// The public check() of every input (crm/validation.hpp): which rule of validate.hpp applies to
// which field. The Service runs these same checks before it does anything.
#include "validate.hpp"

#include <crm/validation.hpp>

namespace crm {
inline namespace v1 {

using namespace detail;

void check(const NewUser& user, FieldErrors& errors) {
    // An email a host could not read (its format problem already recorded) gives no default name
    // to judge: the client is told about the email only.
    const bool email_unread = errors.has("email");
    Validator v(errors);
    std::string email = normalize_email(user.email);
    v.email("email", email);
    v.password("password", user.password);
    if (user.name || !email_unread)
        v.required_text("name", user.name ? *user.name : default_name(email), max_name_length);
}

void check(const Registration& r, FieldErrors& errors) { check(NewUser{r.email, r.password, r.name, Role::sales}, errors); }

void check(const UserUpdate& update, FieldErrors& errors) {
    Validator v(errors);
    if (update.name) v.required_text("name", *update.name, max_name_length);
    if (update.email) v.email("email", normalize_email(*update.email));
    if (update.password) v.password("password", *update.password);
}

namespace {

void check_lead_fields(Validator& v, const Change<std::string>& title,
                       const Change<std::optional<std::string>>& description,
                       const Change<std::optional<std::string>>& source,
                       const Change<std::optional<std::string>>& metadata) {
    if (title) v.required_text("title", *title, max_name_length);
    if (description && *description) v.text("description", **description);
    if (source && *source) v.text("source", **source, max_name_length);
    if (metadata && *metadata) v.json_object("metadata", **metadata);
}

}  // namespace

void check(const NewLead& lead, FieldErrors& errors) {
    Validator v(errors);
    check_lead_fields(v, lead.title, lead.description, lead.source, lead.metadata);
}

void check(const LeadChanges& changes, FieldErrors& errors) {
    Validator v(errors);
    check_lead_fields(v, changes.title, changes.description, changes.source, changes.metadata);
}

void check(const LeadFilter& filter, FieldErrors& errors) {
    Validator v(errors);
    if (filter.source) v.text("source", *filter.source);
    if (filter.q) v.text("q", *filter.q);
}

void check(const PageRequest& page, FieldErrors& errors) {
    Validator v(errors);
    v.page(page);
}

void check(const NewActivity& activity, FieldErrors& errors) {
    Validator v(errors);
    if (activity.body) v.text("body", *activity.body);
}

void check(const ActivityUpdate& update, FieldErrors& errors) {
    Validator v(errors);
    if (update.body && *update.body) v.text("body", **update.body);
}

std::vector<FieldError> validate(const NewLead& lead) {
    FieldErrors errors;
    check(lead, errors);
    return errors.list();
}

}  // namespace v1
}  // namespace crm
