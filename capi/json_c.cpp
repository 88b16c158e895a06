// JSON text of the handles, in the HTTP contract's resource shapes (keys in the contract's order).
#include "capi_internal.hpp"

#include <nlohmann/json.hpp>

using namespace crm::capi;
using Json = nlohmann::ordered_json;

namespace {

Json nullable(const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); }
Json nullable_id(const std::string& id) { return id.empty() ? Json(nullptr) : Json(id); }

Json to_json(const crm_user& u) {
    return Json{{"id", u.id},
                {"name", u.user.name},
                {"email", u.user.email},
                {"role", crm::to_string(u.user.role)},
                {"createdAt", u.created_at},
                {"updatedAt", u.updated_at}};
}

Json to_json(const crm_lead& l) {
    Json metadata = nullptr;
    if (l.lead.metadata) {
        metadata = Json::parse(*l.lead.metadata, nullptr, /*allow_exceptions=*/false);
        if (metadata.is_discarded()) throw crm::Error(crm::Errc::internal, "stored lead metadata is not JSON");
    }
    return Json{{"id", l.id},
                {"title", l.lead.title},
                {"description", nullable(l.lead.description)},
                {"status", crm::to_string(l.lead.status)},
                {"source", nullable(l.lead.source)},
                {"ownerId", nullable_id(l.owner_id)},
                {"metadata", std::move(metadata)},
                {"createdAt", l.created_at},
                {"updatedAt", l.updated_at}};
}

Json to_json(const crm_activity& a) {
    return Json{{"id", a.id},
                {"leadId", a.lead_id},
                {"type", crm::to_string(a.activity.type)},
                {"body", nullable(a.activity.body)},
                {"createdBy", nullable_id(a.created_by)},
                {"createdAt", a.created_at},
                {"updatedAt", a.updated_at}};
}

template <class Handle>
Json to_json(const crm_page_of<Handle>& list) {
    Json data = Json::array();
    for (const auto& item : list.items) data.push_back(to_json(item));
    return Json{{"data", std::move(data)},
                {"pagination",
                 {{"page", list.page ? Json(list.page) : Json(nullptr)},
                  {"limit", list.limit},
                  {"total", list.total >= 0 ? Json(list.total) : Json(nullptr)},
                  {"totalPages", list.total_pages >= 0 ? Json(list.total_pages) : Json(nullptr)},
                  {"nextCursor", list.next_cursor ? Json(*list.next_cursor) : Json(nullptr)}}}};
}

Json to_json(const crm_tokens& t) {
    Json out = Json::object();
    if (t.user) out["user"] = to_json(*t.user);
    out["accessToken"] = t.tokens.access_token;
    out["refreshToken"] = t.tokens.refresh_token;
    return out;
}

// The body of every crm_*_to_json(): JSON text of `value` into *out, released with crm_free().
template <class Handle>
int render(char** out, const Handle* value, const char* argument) {
    return guard([&] {
        auto& result = out_param(out);
        result = copy_for_caller(to_json(handle(value, argument)).dump());
    });
}

}  // namespace

extern "C" {

int crm_user_to_json(char** out, const crm_user* user) { return render(out, user, "user"); }
int crm_lead_to_json(char** out, const crm_lead* lead) { return render(out, lead, "lead"); }
int crm_activity_to_json(char** out, const crm_activity* activity) { return render(out, activity, "activity"); }
int crm_tokens_to_json(char** out, const crm_tokens* tokens) { return render(out, tokens, "tokens"); }

int crm_user_page_to_json(char** out, const crm_user_page* page) {
    return render<crm_page_of<crm_user>>(out, page, "page");
}
int crm_lead_page_to_json(char** out, const crm_lead_page* page) {
    return render<crm_page_of<crm_lead>>(out, page, "page");
}
int crm_activity_page_to_json(char** out, const crm_activity_page* page) {
    return render<crm_page_of<crm_activity>>(out, page, "page");
}

}  // extern "C"
