// JSON text of the handles, in the HTTP contract's resource shapes (crm_json: src/json/).
#include "capi_internal.hpp"

#include "resource_json.hpp"

using namespace crm::capi;
using crm::json::Json;

namespace {

Json to_json(const crm_user& u) { return crm::json::to_json(u.user); }
Json to_json(const crm_lead& l) { return crm::json::to_json(l.lead); }
Json to_json(const crm_activity& a) { return crm::json::to_json(a.activity); }

template <class Handle>
Json to_json(const crm_page_of<Handle>& list) {
    Json items = Json::array();
    for (const auto& item : list.items) items.push_back(to_json(item));
    auto counted = [](std::int64_t n) { return n >= 0 ? std::optional(n) : std::nullopt; };  // -1: not counted
    return crm::json::list_json(std::move(items),
                                {list.page, list.limit, counted(list.total), counted(list.total_pages), list.next_cursor});
}

Json to_json(const crm_tokens& t) {
    return t.user ? crm::json::to_json(crm::AuthResult{t.user->user, t.tokens}) : crm::json::to_json(t.tokens);
}

// The body of every crm_*_to_json(): JSON text of `value` into *out, released with crm_free().
template <class Handle>
int render(char** out, const Handle* value, const char* argument) {
    return guard([&] {
        auto& result = out_param(out);
        result = copy_for_caller(crm::json::dump(to_json(handle(value, argument))));
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
