// Activities: create, get, update (through crm_activity_fields), delete, list; the activity handle.
#include "capi_internal.hpp"

using namespace crm::capi;

crm_activity::crm_activity(crm::Activity a)
    : activity(std::move(a)),
      id(activity.id.to_string()),
      lead_id(activity.lead_id.to_string()),
      created_by(activity.created_by ? activity.created_by->to_string() : std::string()),
      created_at(crm::format_timestamp(activity.created_at)),
      updated_at(crm::format_timestamp(activity.updated_at)) {}

extern "C" {

int crm_activity_create(crm_activity** out, crm_db* db, const crm_principal* principal, const char* lead_id,
                        crm_activity_type_t type, const char* body) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::NewActivity activity{uuid(lead_id, "lead_id"), to_cpp(type, "type"), nullable_text(body, "body")};
        result = make<crm_activity>(svc.create_activity(who, activity)).release();
    });
}

int crm_activity_get(crm_activity** out, crm_db* db, const crm_principal* principal, const char* id) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        result = make<crm_activity>(svc.get_activity(who, uuid(id, "id"))).release();
    });
}

int crm_activity_update(crm_activity** out, crm_db* db, const crm_principal* principal, const char* id,
                        const crm_activity_fields* changes) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::Uuid target = uuid(id, "id");
        result = make<crm_activity>(svc.update_activity(who, target, handle(changes, "changes").update)).release();
    });
}

int crm_activity_delete(crm_db* db, const crm_principal* principal, const char* id) {
    return guard([&] {
        auto& svc = service(db);
        const auto& who = actor(principal);
        svc.delete_activity(who, uuid(id, "id"));
    });
}

int crm_activity_list(crm_activity_page** out, crm_db* db, const crm_principal* principal, const char* lead_id,
                      const crm_page_request* request) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::Uuid lead = uuid(lead_id, "lead_id");
        result = make_page<crm_activity_page>(svc.list_activities(who, lead, page_request(request))).release();
    });
}

const char* crm_activity_page_next_cursor(const crm_activity_page* page) { return next_cursor_of(page); }

const char* crm_activity_id(const crm_activity* a) { return a ? a->id.c_str() : nullptr; }
const char* crm_activity_lead_id(const crm_activity* a) { return a ? a->lead_id.c_str() : nullptr; }
const char* crm_activity_body(const crm_activity* a) { return a ? c_str_or_null(a->activity.body) : nullptr; }
const char* crm_activity_created_by(const crm_activity* a) { return a ? c_str_or_null(a->created_by) : nullptr; }
const char* crm_activity_created_at(const crm_activity* a) { return a ? a->created_at.c_str() : nullptr; }
const char* crm_activity_updated_at(const crm_activity* a) { return a ? a->updated_at.c_str() : nullptr; }
crm_activity_type_t crm_activity_type(const crm_activity* a) {
    return a ? to_c(a->activity.type) : CRM_ACTIVITY_TYPE_INVALID;
}
int64_t crm_activity_created_at_ms(const crm_activity* a) { return a ? epoch_ms(a->activity.created_at) : 0; }
int64_t crm_activity_updated_at_ms(const crm_activity* a) { return a ? epoch_ms(a->activity.updated_at) : 0; }
void crm_activity_free(crm_activity* activity) { std::unique_ptr<crm_activity> owned(activity); }

size_t crm_activity_page_count(const crm_activity_page* list) { return list ? list->items.size() : 0; }
const crm_activity* crm_activity_page_at(const crm_activity_page* list, size_t i) {
    return list && i < list->items.size() ? &list->items[i] : nullptr;
}
int64_t crm_activity_page_number(const crm_activity_page* list) { return list ? list->page : 0; }
int64_t crm_activity_page_limit(const crm_activity_page* list) { return list ? list->limit : 0; }
int64_t crm_activity_page_total(const crm_activity_page* list) { return list ? list->total : 0; }
int64_t crm_activity_page_total_pages(const crm_activity_page* list) { return list ? list->total_pages : 0; }
void crm_activity_page_free(crm_activity_page* list) { std::unique_ptr<crm_activity_page> owned(list); }

int crm_activity_fields_new(crm_activity_fields** out) {
    return guard([&] {
        auto& result = out_param(out);
        result = make<crm_activity_fields>().release();
    });
}

int crm_activity_fields_set_type(crm_activity_fields* fields, crm_activity_type_t type) {
    return guard([&] { handle(fields, "fields").update.type = to_cpp(type, "type"); });
}

int crm_activity_fields_set_body(crm_activity_fields* fields, const char* body) {
    return guard([&] { handle(fields, "fields").update.body = nullable_text(body, "body"); });
}

int crm_activity_fields_set_lead_id(crm_activity_fields* fields, const char* lead_id) {
    return guard([&] { handle(fields, "fields").update.lead_id = uuid(lead_id, "lead_id"); });
}

void crm_activity_fields_free(crm_activity_fields* fields) { std::unique_ptr<crm_activity_fields> owned(fields); }

}  // extern "C"
