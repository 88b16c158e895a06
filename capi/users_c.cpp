// Users: list, get, create, update (through crm_user_fields), delete; the user handle.
#include "capi_internal.hpp"

using namespace crm::capi;

crm_user::crm_user(crm::User u)
    : user(std::move(u)),
      id(user.id.to_string()),
      created_at(crm::format_timestamp(user.created_at)),
      updated_at(crm::format_timestamp(user.updated_at)) {}

extern "C" {

int crm_user_list(crm_user_page** out, crm_db* db, const crm_principal* principal, const crm_page_request* request) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        result = make_page<crm_user_page>(svc.list_users(who, page_request(request))).release();
    });
}

const char* crm_user_page_next_cursor(const crm_user_page* page) { return next_cursor_of(page); }

int crm_user_get(crm_user** out, crm_db* db, const crm_principal* principal, const char* id) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        result = make<crm_user>(svc.get_user(who, uuid(id, "id"))).release();
    });
}

int crm_user_create(crm_user** out, crm_db* db, const crm_principal* principal, const char* email,
                    const char* password, const char* name, crm_role_t role) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::NewUser user{std::string(text(email, "email")), std::string(text(password, "password")),
                          nullable_text(name, "name"), to_cpp(role, "role")};
        result = make<crm_user>(svc.create_user(who, user)).release();
    });
}

int crm_user_update(crm_user** out, crm_db* db, const crm_principal* principal, const char* id,
                    const crm_user_fields* changes) {
    return guard([&] {
        auto& result = out_param(out);
        auto& svc = service(db);
        const auto& who = actor(principal);
        crm::Uuid target = uuid(id, "id");
        result = make<crm_user>(svc.update_user(who, target, handle(changes, "changes").update)).release();
    });
}

int crm_user_delete(crm_db* db, const crm_principal* principal, const char* id) {
    return guard([&] {
        auto& svc = service(db);
        const auto& who = actor(principal);
        svc.delete_user(who, uuid(id, "id"));
    });
}

const char* crm_user_id(const crm_user* user) { return user ? user->id.c_str() : nullptr; }
const char* crm_user_name(const crm_user* user) { return user ? user->user.name.c_str() : nullptr; }
const char* crm_user_email(const crm_user* user) { return user ? user->user.email.c_str() : nullptr; }
const char* crm_user_created_at(const crm_user* user) { return user ? user->created_at.c_str() : nullptr; }
const char* crm_user_updated_at(const crm_user* user) { return user ? user->updated_at.c_str() : nullptr; }
crm_role_t crm_user_role(const crm_user* user) { return user ? to_c(user->user.role) : CRM_ROLE_INVALID; }
int64_t crm_user_created_at_ms(const crm_user* user) { return user ? epoch_ms(user->user.created_at) : 0; }
int64_t crm_user_updated_at_ms(const crm_user* user) { return user ? epoch_ms(user->user.updated_at) : 0; }
void crm_user_free(crm_user* user) { std::unique_ptr<crm_user> owned(user); }

size_t crm_user_page_count(const crm_user_page* list) { return list ? list->items.size() : 0; }
const crm_user* crm_user_page_at(const crm_user_page* list, size_t i) {
    return list && i < list->items.size() ? &list->items[i] : nullptr;
}
int64_t crm_user_page_number(const crm_user_page* list) { return list ? list->page : 0; }
int64_t crm_user_page_limit(const crm_user_page* list) { return list ? list->limit : 0; }
int64_t crm_user_page_total(const crm_user_page* list) { return list ? list->total : 0; }
int64_t crm_user_page_total_pages(const crm_user_page* list) { return list ? list->total_pages : 0; }
void crm_user_page_free(crm_user_page* list) { std::unique_ptr<crm_user_page> owned(list); }

int crm_user_fields_new(crm_user_fields** out) {
    return guard([&] {
        auto& result = out_param(out);
        result = make<crm_user_fields>().release();
    });
}

int crm_user_fields_set_name(crm_user_fields* fields, const char* name) {
    return guard([&] { handle(fields, "fields").update.name = std::string(text(name, "name")); });
}

int crm_user_fields_set_email(crm_user_fields* fields, const char* email) {
    return guard([&] { handle(fields, "fields").update.email = std::string(text(email, "email")); });
}

int crm_user_fields_set_role(crm_user_fields* fields, crm_role_t role) {
    return guard([&] { handle(fields, "fields").update.role = to_cpp(role, "role"); });
}

int crm_user_fields_set_password(crm_user_fields* fields, const char* password, const char* current_password) {
    return guard([&] {
        auto& update = handle(fields, "fields").update;
        std::string next(text(password, "password"));
        std::optional<std::string> current = nullable_text(current_password, "current_password");
        update.password = std::move(next);
        update.current_password = std::move(current);
    });
}

void crm_user_fields_free(crm_user_fields* fields) { std::unique_ptr<crm_user_fields> owned(fields); }

}  // extern "C"
