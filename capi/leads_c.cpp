// Leads: create, get, update (through crm_lead_fields), delete, list (crm_lead_filter); the lead handle.
#include "capi_internal.hpp"

#include <nlohmann/json.hpp>

using namespace crm::capi;

crm_lead::crm_lead(crm::Lead l)
    : lead(std::move(l)),
      id(lead.id.to_string()),
      owner_id(lead.owner_id ? lead.owner_id->to_string() : std::string()),
      created_at(crm::format_timestamp(lead.created_at)),
      updated_at(crm::format_timestamp(lead.updated_at)) {}

namespace {

// The fields of a new lead: those never set keep the core's defaults.
crm::NewLead new_lead(const crm::LeadChanges& c) {
    crm::NewLead lead;
    lead.title = c.title.value_or(std::string());
    lead.description = c.description.value_or(std::nullopt);
    lead.status = c.status;
    lead.source = c.source.value_or(std::nullopt);
    lead.owner_id = c.owner_id;
    lead.metadata = c.metadata.value_or(std::nullopt);
    return lead;
}

}  // namespace

extern "C" {

int crm_lead_create(crm_lead** out, crm_db* db, const crm_principal* principal, const crm_lead_fields* fields) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        result = make<crm_lead>(svc.create_lead(who, new_lead(handle(fields, "fields").changes))).release();
    });
}

int crm_lead_get(crm_lead** out, crm_db* db, const crm_principal* principal, const char* id) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        result = make<crm_lead>(svc.get_lead(who, uuid(id, "id"))).release();
    });
}

int crm_lead_update(crm_lead** out, crm_db* db, const crm_principal* principal, const char* id,
                    const crm_lead_fields* changes) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::Uuid target = uuid(id, "id");
        result = make<crm_lead>(svc.update_lead(who, target, handle(changes, "changes").changes)).release();
    });
}

int crm_lead_delete(crm_db* db, const crm_principal* principal, const char* id) {
    return guard([&] {
        auto& svc = service(db);
        const auto& who = actor(principal);
        svc.delete_lead(who, uuid(id, "id"));
    });
}

int crm_lead_list(crm_lead_page** out, crm_db* db, const crm_principal* principal, const crm_lead_filter* filter,
                  crm_lead_sort_t sort, crm_sort_direction_t direction, const crm_page_request* request) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::LeadSort order = to_cpp(sort, direction);
        crm::LeadFilter all;
        const crm::LeadFilter& which = filter ? filter->filter : all;
        result = make_page<crm_lead_page>(svc.list_leads(who, which, order, page_request(request))).release();
    });
}

int crm_lead_for_each(crm_db* db, const crm_principal* principal, const crm_lead_filter* filter, crm_lead_visitor visit,
                      void* context) {
    // The visitor says stop by returning nonzero; an exception (never crossing the ABI) ends the walk.
    struct Stop {};
    return guard([&] {
        auto& svc = service(db);
        const auto& who = actor(principal);
        if (!visit) throw invalid_argument("visit", "must not be NULL");
        crm::LeadFilter all;
        const crm::LeadFilter& which = filter ? filter->filter : all;
        try {
            svc.for_each_lead(who, which, [&](const crm::Lead& lead) {
                const crm_lead handle(lead);
                if (visit(&handle, context) != 0) throw Stop{};
            });
        } catch (const Stop&) {
        }
    });
}

int crm_lead_create_many(crm_lead_page** out, crm_db* db, const crm_principal* principal,
                         const crm_lead_fields* const* fields, size_t count) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        if (count > 0 && !fields) throw invalid_argument("fields", "must not be NULL when count is not 0");
        std::vector<crm::NewLead> leads;
        leads.reserve(count);
        for (size_t i = 0; i < count; ++i)
            leads.push_back(new_lead(handle(fields[i], "fields[" + std::to_string(i) + "]").changes));
        auto created = svc.create_leads(who, leads);
        auto n = static_cast<std::int64_t>(created.size());
        crm::Page<crm::Lead> page;
        page.items = std::move(created);
        page.page = 1;
        page.limit = n;
        page.total = n;
        result = make_page<crm_lead_page>(std::move(page)).release();
    });
}

const char* crm_lead_page_next_cursor(const crm_lead_page* page) { return next_cursor_of(page); }

const char* crm_lead_id(const crm_lead* lead) { return lead ? lead->id.c_str() : nullptr; }
const char* crm_lead_title(const crm_lead* lead) { return lead ? lead->lead.title.c_str() : nullptr; }
const char* crm_lead_description(const crm_lead* lead) { return lead ? c_str_or_null(lead->lead.description) : nullptr; }
const char* crm_lead_source(const crm_lead* lead) { return lead ? c_str_or_null(lead->lead.source) : nullptr; }
const char* crm_lead_owner_id(const crm_lead* lead) { return lead ? c_str_or_null(lead->owner_id) : nullptr; }
const char* crm_lead_metadata(const crm_lead* lead) { return lead ? c_str_or_null(lead->lead.metadata) : nullptr; }
const char* crm_lead_created_at(const crm_lead* lead) { return lead ? lead->created_at.c_str() : nullptr; }
const char* crm_lead_updated_at(const crm_lead* lead) { return lead ? lead->updated_at.c_str() : nullptr; }
crm_lead_status_t crm_lead_status(const crm_lead* lead) {
    return lead ? to_c(lead->lead.status) : CRM_LEAD_STATUS_INVALID;
}
int64_t crm_lead_created_at_ms(const crm_lead* lead) { return lead ? epoch_ms(lead->lead.created_at) : 0; }
int64_t crm_lead_updated_at_ms(const crm_lead* lead) { return lead ? epoch_ms(lead->lead.updated_at) : 0; }
void crm_lead_free(crm_lead* lead) { std::unique_ptr<crm_lead> owned(lead); }

size_t crm_lead_page_count(const crm_lead_page* list) { return list ? list->items.size() : 0; }
const crm_lead* crm_lead_page_at(const crm_lead_page* list, size_t i) {
    return list && i < list->items.size() ? &list->items[i] : nullptr;
}
int64_t crm_lead_page_number(const crm_lead_page* list) { return list ? list->page : 0; }
int64_t crm_lead_page_limit(const crm_lead_page* list) { return list ? list->limit : 0; }
int64_t crm_lead_page_total(const crm_lead_page* list) { return list ? list->total : 0; }
int64_t crm_lead_page_total_pages(const crm_lead_page* list) { return list ? list->total_pages : 0; }
void crm_lead_page_free(crm_lead_page* list) { std::unique_ptr<crm_lead_page> owned(list); }

int crm_lead_fields_new(crm_lead_fields** out) {
    return guard([&] {
        auto& result = out_param(out);
        result = make<crm_lead_fields>().release();
    });
}

int crm_lead_fields_set_title(crm_lead_fields* fields, const char* title) {
    return guard([&] { handle(fields, "fields").changes.title = std::string(text(title, "title")); });
}

int crm_lead_fields_set_description(crm_lead_fields* fields, const char* description) {
    return guard([&] { handle(fields, "fields").changes.description = nullable_text(description, "description"); });
}

int crm_lead_fields_set_status(crm_lead_fields* fields, crm_lead_status_t status) {
    return guard([&] { handle(fields, "fields").changes.status = to_cpp(status, "status"); });
}

int crm_lead_fields_set_source(crm_lead_fields* fields, const char* source) {
    return guard([&] { handle(fields, "fields").changes.source = nullable_text(source, "source"); });
}

int crm_lead_fields_set_owner_id(crm_lead_fields* fields, const char* owner_id) {
    return guard([&] {
        auto& changes = handle(fields, "fields").changes;
        changes.owner_id = owner_id ? std::optional(uuid(owner_id, "owner_id")) : std::nullopt;
    });
}

int crm_lead_fields_set_metadata(crm_lead_fields* fields, const char* metadata_json) {
    return guard([&] {
        auto& changes = handle(fields, "fields").changes;
        std::optional<std::string> metadata = nullable_text(metadata_json, "metadata");
        if (metadata) {
            // Only the syntax is checked here (to tell JSON null from a value); what a valid
            // metadata value is, is the core's rule.
            auto parsed = nlohmann::json::parse(*metadata, nullptr, /*allow_exceptions=*/false);
            if (parsed.is_discarded()) throw invalid_argument("metadata", "must be valid JSON");
            if (parsed.is_null()) metadata.reset();
        }
        changes.metadata = std::move(metadata);
    });
}

void crm_lead_fields_free(crm_lead_fields* fields) { std::unique_ptr<crm_lead_fields> owned(fields); }

int crm_lead_filter_new(crm_lead_filter** out) {
    return guard([&] {
        auto& result = out_param(out);
        result = make<crm_lead_filter>().release();
    });
}

int crm_lead_filter_set_statuses(crm_lead_filter* filter, const crm_lead_status_t* statuses, size_t count) {
    return guard([&] {
        auto& f = handle(filter, "filter").filter;
        if (count > 0 && !statuses) throw invalid_argument("statuses", "must not be NULL when count is not 0");
        std::vector<crm::LeadStatus> chosen;
        chosen.reserve(count);
        for (size_t i = 0; i < count; ++i)
            chosen.push_back(to_cpp(statuses[i], "statuses[" + std::to_string(i) + "]"));
        f.statuses = std::move(chosen);
    });
}

int crm_lead_filter_set_owner_id(crm_lead_filter* filter, const char* owner_id) {
    return guard([&] {
        auto& f = handle(filter, "filter").filter;
        f.owner_id = owner_id ? std::optional(uuid(owner_id, "owner_id")) : std::nullopt;
    });
}

int crm_lead_filter_set_source(crm_lead_filter* filter, const char* source) {
    return guard([&] { handle(filter, "filter").filter.source = std::string(text(source, "source")); });
}

int crm_lead_filter_set_query(crm_lead_filter* filter, const char* q) {
    return guard([&] { handle(filter, "filter").filter.q = std::string(text(q, "q")); });
}

void crm_lead_filter_free(crm_lead_filter* filter) { std::unique_ptr<crm_lead_filter> owned(filter); }

}  // extern "C"
