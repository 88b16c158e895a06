// libcrm: the input rules, checked without doing anything.
#pragma once

#include <crm/error.hpp>
#include <crm/models.hpp>
#include <crm/service.hpp>

namespace crm {
inline namespace v1 {

// Each check() adds to `errors` what the Service would refuse in this input as invalid (a field
// that already has a problem keeps it), and changes nothing. The Service runs the same checks, so
// a host need not call them; one that reads its own input first (a server parsing JSON and query
// strings) collects its format problems into a FieldErrors, runs check() into the same one and
// reports every problem in one Error. The rules that need the database or the caller are the
// Service's alone: a taken email, a lead in scope, the currentPassword of users changing their
// own password, a list cursor's signature.

/// A registration: email, password, and the name (or the default taken from the email).
void check(const Registration& registration, FieldErrors& errors);
/// A new user: as a registration.
void check(const NewUser& user, FieldErrors& errors);
/// The fields a user update gives: name, email, password.
void check(const UserUpdate& update, FieldErrors& errors);
/// A new lead: title, description, source, metadata.
void check(const NewLead& lead, FieldErrors& errors);
/// The fields a lead update gives.
void check(const LeadChanges& changes, FieldErrors& errors);
/// A lead filter's texts: source, q.
void check(const LeadFilter& filter, FieldErrors& errors);
/// A page request's page and limit (in range; a cursor only with page 1).
void check(const PageRequest& page, FieldErrors& errors);
/// A new activity's body.
void check(const NewActivity& activity, FieldErrors& errors);
/// The body an activity update gives.
void check(const ActivityUpdate& update, FieldErrors& errors);

}  // namespace v1
}  // namespace crm
