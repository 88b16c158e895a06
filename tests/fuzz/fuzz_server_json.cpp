// Fuzz target: request bodies through the server's JSON -> validation path: parse_object(), the
// Fields readers of every route that takes a body (as examples/server/routes.cpp uses them), then
// the core's validation (crm::validate(NewLead), the Validator's email/password/text rules) and
// the problem+json rendering of whatever error came out.
//
// Properties: the only exceptions are HttpError(bad_request) and crm::Error(invalid) (anything else
// would be a 500); every error renders to a JSON object; a body that passes the lead checks keeps
// its metadata a JSON object.
//
// TODO(transport): written against the cpp-httplib server's json.cpp/problem.cpp; when the Beast
// transport lands, keep feeding the body through whatever replaces parse_object().
#include "fuzz_common.hpp"

#include "json.hpp"
#include "problem.hpp"
#include "validate.hpp"

#include <crm/service.hpp>

#include <string>
#include <string_view>

namespace {

using crm_server::Fields;
using crm_server::json;

void render(const crm_server::ProblemKind& kind, std::string_view detail, const std::vector<crm::FieldError>& errors) {
    auto text = crm_server::problem_json(kind, crm_server::public_detail(kind, detail), errors, "fuzz-request");
    auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    CRM_FUZZ_CHECK(parsed.is_object());
}

// One route's body reading; `body` is the parsed object.
template <class Read>
void route(const json& body, Read read) {
    try {
        read(body);
    } catch (const crm_server::HttpError& e) {
        CRM_FUZZ_CHECK(e.problem == crm_server::Problem::bad_request);
        render(crm_server::kind(e.problem), e.what(), e.errors);
    } catch (const crm::Error& e) {
        CRM_FUZZ_CHECK(e.code() == crm::Errc::invalid);
        CRM_FUZZ_CHECK(!e.field_errors().empty());
        render(crm_server::kind(e.code()), e.what(), e.field_errors());
    }
}

void throw_if(const crm::detail::Validator& v) { v.throw_if_invalid(); }

void lead_checks(const crm::NewLead& lead) {
    auto errors = crm::validate(lead);
    if (!errors.empty()) throw crm::Error::invalid_fields(errors);
    if (lead.metadata) CRM_FUZZ_CHECK(nlohmann::json::parse(*lead.metadata, nullptr, false).is_object());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 65536) return -1;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    json body;
    try {
        body = crm_server::parse_object(text);
    } catch (const crm_server::HttpError& e) {
        CRM_FUZZ_CHECK(e.problem == crm_server::Problem::bad_request);
        render(crm_server::kind(e.problem), e.what(), e.errors);
        return 0;
    } catch (const crm::Error& e) {
        CRM_FUZZ_CHECK(e.code() == crm::Errc::invalid);
        render(crm_server::kind(e.code()), e.what(), e.field_errors());
        return 0;
    }
    CRM_FUZZ_CHECK(body.is_object());

    route(body, [](const json& b) {  // POST /api/auth/register
        Fields f(b);
        crm::Registration r{f.required_string("email"), f.required_string("password"), f.string("name")};
        f.check();
        crm::detail::Validator v;
        v.email("email", crm::detail::normalize_email(r.email));
        v.password("password", r.password);
        if (r.name) v.text("name", *r.name, crm::detail::max_name_length);
        throw_if(v);
    });
    route(body, [](const json& b) {  // POST /api/auth/login, refresh, logout
        Fields f(b);
        (void)f.required_string("email");
        (void)f.required_string("password");
        (void)f.required_string("refreshToken");
        f.check();
    });
    route(body, [](const json& b) {  // PUT /api/users/{id}
        Fields f(b);
        crm::UserUpdate update;
        update.name = f.string("name");
        update.email = f.string("email");
        update.role = f.enumeration<crm::Role>("role", crm::role_names());
        update.password = f.string("password");
        update.current_password = f.string("currentPassword");
        f.check();
    });
    route(body, [](const json& b) {  // POST /api/leads
        Fields f(b);
        crm::NewLead lead;
        lead.title = f.required_string("title");
        lead.description = f.nullable_string("description").value_or(std::nullopt);
        lead.status = f.enumeration<crm::LeadStatus>("status", crm::lead_status_names());
        lead.source = f.nullable_string("source").value_or(std::nullopt);
        lead.owner_id = f.nullable_uuid("ownerId");
        lead.metadata = f.nullable_object("metadata").value_or(std::nullopt);
        f.check();
        lead_checks(lead);
    });
    route(body, [](const json& b) {  // PUT /api/leads/{id}: the same field rules on what is given
        Fields f(b);
        crm::LeadChanges changes;
        changes.title = f.string("title");
        changes.description = f.nullable_string("description");
        changes.status = f.enumeration<crm::LeadStatus>("status", crm::lead_status_names());
        changes.source = f.nullable_string("source");
        changes.owner_id = f.nullable_uuid("ownerId");
        changes.metadata = f.nullable_object("metadata");
        f.check();
        crm::NewLead as_new;
        as_new.title = changes.title.value_or("title");
        as_new.description = changes.description.value_or(std::nullopt);
        as_new.source = changes.source.value_or(std::nullopt);
        as_new.metadata = changes.metadata.value_or(std::nullopt);
        lead_checks(as_new);
    });
    route(body, [](const json& b) {  // POST /api/activities, PUT /api/activities/{id}
        Fields f(b);
        f.require("leadId");
        f.require("type");
        auto lead_id = f.uuid("leadId");
        auto type = f.enumeration<crm::ActivityType>("type", crm::activity_type_names());
        auto text = f.nullable_string("body");
        f.check();
        CRM_FUZZ_CHECK(lead_id.has_value() && type.has_value());  // require() + check() promise it
        if (text && *text) {
            crm::detail::Validator v;
            v.text("body", **text);
            throw_if(v);
        }
    });
    return 0;
}
