#include "routes.hpp"

#include "problem.hpp"

#include <charconv>

namespace crm_server {

namespace {

using crm::Change;

Reply ok(json body) { return {200, std::move(body)}; }
Reply created(json body) { return {201, std::move(body)}; }
Reply no_content() { return {204, std::nullopt}; }

// ---- query parameters ------------------------------------------------------------------------
// Their format problems go into the request's crm::FieldErrors, the core's checks of what was read
// (crm::check) follow into the same collector, and one 400 lists them all.

// The single value of a query parameter; empty counts as absent.
std::optional<std::string> query(const Request& req, const char* name, crm::FieldErrors& errors,
                                 std::string_view when_repeated) {
    auto count = req.get_param_value_count(name);
    if (count == 0) return std::nullopt;
    if (count > 1) {
        errors.add(name, when_repeated);
        return std::nullopt;
    }
    std::string value = req.get_param_value(name);
    if (value.empty()) return std::nullopt;
    return value;
}

// A decimal integer; the core checks its range. A repeated parameter or one that is no decimal
// integer is out of every range: it is read as 0, so that the core's check reports it with its
// one message for that parameter.
std::int64_t integer_param(const Request& req, const char* name, std::int64_t fallback) {
    auto count = req.get_param_value_count(name);
    if (count == 0) return fallback;
    std::string text = req.get_param_value(name);
    if (count == 1 && text.empty()) return fallback;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (count > 1 || ec != std::errc{} || end != text.data() + text.size()) return 0;
    return value;
}

// ?page= and ?limit=, or v1.1's ?cursor= (with ?limit=) and ?total=true|false. A cursor together
// with ?page= is refused even for page=1: the two ways of paging do not mix.
crm::PageRequest page_request(const Request& req, crm::FieldErrors& errors) {
    crm::PageRequest page;
    page.page = integer_param(req, "page", page.page);
    page.limit = integer_param(req, "limit", page.limit);
    page.cursor = query(req, "cursor", errors, "must be given once");
    if (page.cursor && req.get_param_value_count("page") > 0) errors.add("page", "cannot be combined with cursor");
    if (auto total = query(req, "total", errors, "must be true or false")) {
        if (*total == "true")
            page.with_total = true;
        else if (*total != "false")
            errors.add("total", "must be true or false");
    }
    crm::check(page, errors);
    return page;
}

// ---- authentication --------------------------------------------------------------------------

Reply auth_register(Call& c) {
    Fields f(c.body);
    crm::Registration registration{f.required_string("email"), f.required_string("password"), f.string("name")};
    f.check(registration);  // a `role` member is ignored: registration always makes a SALES user
    auto result = c.service.register_user(registration);
    c.user_id = result.user.id;
    return created(to_json(result));
}

Reply auth_login(Call& c) {
    Fields f(c.body);
    std::string email = f.required_string("email");
    std::string password = f.required_string("password");
    f.check();
    // Failures count per email and per peer address (the TCP peer: a proxy in front must be
    // accounted for by whoever deploys one; see docs/security.md).
    auto result = c.service.login(email, password, c.request.remote_addr);
    c.user_id = result.user.id;
    return ok(to_json(result));
}

Reply auth_refresh(Call& c) {
    Fields f(c.body);
    std::string token = f.required_string("refreshToken");
    f.check();
    return ok(to_json(c.service.refresh(token)));
}

Reply auth_logout(Call& c) {
    Fields f(c.body);
    std::string token = f.required_string("refreshToken");
    f.check();
    c.service.logout(token);
    return no_content();
}

Reply auth_me(Call& c) { return ok(to_json(c.service.me(c.actor()))); }

// ---- users -----------------------------------------------------------------------------------

Reply users_list(Call& c) {
    crm::FieldErrors errors;
    auto page = page_request(c.request, errors);
    errors.throw_if_any();
    return ok(to_json(c.service.list_users(c.actor(), page)));
}

Reply users_get(Call& c) { return ok(to_json(c.service.get_user(c.actor(), c.id()))); }

Reply users_update(Call& c) {
    Fields f(c.body);
    crm::UserUpdate update;
    update.name = f.string("name");
    update.email = f.string("email");
    update.role = f.enumeration<crm::Role>("role", crm::role_names());
    update.password = f.string("password");
    update.current_password = f.string("currentPassword");
    f.check(update);
    return ok(to_json(c.service.update_user(c.actor(), c.id(), update)));
}

Reply users_delete(Call& c) {
    c.service.delete_user(c.actor(), c.id());
    return no_content();
}

// ---- leads -----------------------------------------------------------------------------------

Reply leads_list(Call& c) {
    crm::FieldErrors errors;
    auto page = page_request(c.request, errors);
    crm::LeadFilter filter;
    // `status`: one value or a comma separated list; the parameter may also be repeated.
    // An empty value is no filter.
    bool bad_status = false;
    for (std::size_t i = 0, n = c.request.get_param_value_count("status"); i < n; ++i) {
        std::string value = c.request.get_param_value("status", i);
        std::string_view list = value;
        for (std::size_t start = 0; !list.empty() && start <= list.size();) {
            auto comma = list.find(',', start);
            auto name = list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
            if (auto status = crm::parse<crm::LeadStatus>(name))
                filter.statuses.push_back(*status);
            else
                bad_status = true;
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
    }
    if (bad_status) errors.add("status", "must be one or more of " + std::string(crm::lead_status_names()));
    if (auto owner = query(c.request, "ownerId", errors, "must be given once")) {
        if (*owner == "null")
            filter.owner_id = std::optional<crm::Uuid>{};  // unowned leads only
        else if (auto id = crm::Uuid::parse(*owner))
            filter.owner_id = std::optional<crm::Uuid>(*id);
        else
            errors.add("ownerId", "must be a UUID or null");
    }
    filter.source = query(c.request, "source", errors, "must be given once");
    filter.q = query(c.request, "q", errors, "must be given once");
    crm::LeadSort sort;
    static constexpr std::string_view sort_message =
        "must be one of createdAt, updatedAt, title, status, optionally prefixed with -";
    if (auto text = query(c.request, "sort", errors, sort_message)) {
        if (auto parsed = crm::LeadSort::parse(*text))
            sort = *parsed;
        else
            errors.add("sort", sort_message);
    }
    crm::check(filter, errors);
    errors.throw_if_any();
    return ok(to_json(c.service.list_leads(c.actor(), filter, sort, page)));
}

Reply leads_get(Call& c) { return ok(to_json(c.service.get_lead(c.actor(), c.id()))); }

Reply leads_create(Call& c) {
    Fields f(c.body);
    crm::NewLead lead;
    lead.title = f.required_string("title");
    lead.description = f.nullable_string("description").value_or(std::nullopt);
    lead.status = f.enumeration<crm::LeadStatus>("status", crm::lead_status_names());
    lead.source = f.nullable_string("source").value_or(std::nullopt);
    lead.owner_id = f.nullable_uuid("ownerId");
    lead.metadata = f.nullable_object("metadata").value_or(std::nullopt);
    f.check(lead);
    return created(to_json(c.service.create_lead(c.actor(), lead)));
}

Reply leads_update(Call& c) {
    Fields f(c.body);
    crm::LeadChanges changes;
    changes.title = f.string("title");
    changes.description = f.nullable_string("description");
    changes.status = f.enumeration<crm::LeadStatus>("status", crm::lead_status_names());
    changes.source = f.nullable_string("source");
    changes.owner_id = f.nullable_uuid("ownerId");
    changes.metadata = f.nullable_object("metadata");
    f.check(changes);
    return ok(to_json(c.service.update_lead(c.actor(), c.id(), changes)));
}

Reply leads_delete(Call& c) {
    c.service.delete_lead(c.actor(), c.id());
    return no_content();
}

// ---- activities ------------------------------------------------------------------------------

Reply activities_for_lead(Call& c) {
    crm::FieldErrors errors;
    auto page = page_request(c.request, errors);
    errors.throw_if_any();
    return ok(to_json(c.service.list_activities(c.actor(), c.id(), page)));
}

Reply activities_get(Call& c) { return ok(to_json(c.service.get_activity(c.actor(), c.id()))); }

Reply activities_create(Call& c) {
    Fields f(c.body);
    f.require("leadId");
    f.require("type");
    auto lead_id = f.uuid("leadId");
    auto type = f.enumeration<crm::ActivityType>("type", crm::activity_type_names());
    auto body = f.nullable_string("body");
    // Placeholders stand in for a missing leadId or type, which the format problems already name.
    crm::NewActivity activity{lead_id.value_or(crm::Uuid{}), type.value_or(crm::ActivityType::note),
                              body.value_or(std::nullopt)};
    f.check(activity);  // a `createdBy` member is ignored: the author is always the caller
    return created(to_json(c.service.create_activity(c.actor(), activity)));
}

Reply activities_update(Call& c) {
    Fields f(c.body);
    crm::ActivityUpdate update;
    update.type = f.enumeration<crm::ActivityType>("type", crm::activity_type_names());
    update.body = f.nullable_string("body");
    update.lead_id = f.uuid("leadId");
    f.check(update);
    return ok(to_json(c.service.update_activity(c.actor(), c.id(), update)));
}

Reply activities_delete(Call& c) {
    c.service.delete_activity(c.actor(), c.id());
    return no_content();
}

// ---- health ----------------------------------------------------------------------------------

Reply health(Call& c) {
    if (c.service.database().ping()) return ok({{"status", "ok"}, {"database", "ok"}});
    return {503, json{{"status", "error"}, {"database", "unavailable"}}};
}

// ---- the OpenAPI document, for generating clients from a running server -----------------------

Reply openapi(Call&) { return {200, std::nullopt, "application/yaml", openapi_document()}; }

}  // namespace

const std::vector<Route>& route_table() {
    using enum Access;
    using enum Input;
    static const std::vector<Route> table{
        {"POST",   "/api/auth/register",              open,   json_object, auth_register},
        {"POST",   "/api/auth/login",                 open,   json_object, auth_login},
        {"POST",   "/api/auth/refresh",               open,   json_object, auth_refresh},
        {"POST",   "/api/auth/logout",                open,   json_object, auth_logout},
        {"GET",    "/api/auth/me",                    bearer, none,        auth_me},
        {"GET",    "/api/users",                      bearer, none,        users_list},
        {"GET",    "/api/users/{id}",                 bearer, none,        users_get},
        {"PUT",    "/api/users/{id}",                 bearer, json_object, users_update},
        {"DELETE", "/api/users/{id}",                 bearer, none,        users_delete},
        {"GET",    "/api/leads",                      bearer, none,        leads_list},
        {"POST",   "/api/leads",                      bearer, json_object, leads_create},
        {"GET",    "/api/leads/{id}",                 bearer, none,        leads_get},
        {"PUT",    "/api/leads/{id}",                 bearer, json_object, leads_update},
        {"DELETE", "/api/leads/{id}",                 bearer, none,        leads_delete},
        {"GET",    "/api/activities/lead/{leadId}",   bearer, none,        activities_for_lead},
        {"POST",   "/api/activities",                 bearer, json_object, activities_create},
        {"GET",    "/api/activities/{id}",            bearer, none,        activities_get},
        {"PUT",    "/api/activities/{id}",            bearer, json_object, activities_update},
        {"DELETE", "/api/activities/{id}",            bearer, none,        activities_delete},
        {"GET",    "/api/health",                     open,   none,        health},
        {"GET",    "/api/openapi.yaml",               open,   none,        openapi},
    };
    return table;
}

}  // namespace crm_server
