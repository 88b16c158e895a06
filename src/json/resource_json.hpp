// crm_json: libcrm's models in the HTTP contract's resource shapes (/api's User, Lead, Activity,
// tokens and lists), for every program here that writes them: crm-server, the C ABI's
// crm_*_to_json() and crmctl's JSON output. Built on the public headers and nlohmann-json only;
// not installed, and never part of libcrm's exported API.
#pragma once

#include <crm/models.hpp>
#include <crm/service.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace crm::json {

using Json = nlohmann::ordered_json;  // members keep the contract's order

/// {"id","name","email","role","createdAt","updatedAt"}: never the password or its hash.
[[nodiscard]] Json to_json(const User& user);
/// {"id","title","description","status","source","ownerId","metadata","createdAt","updatedAt"}.
/// `metadata` is the stored JSON text as a value; stored text that does not parse (which only an
/// edit of the database behind the library's back can leave) is shown as null, so that the lead
/// and every list holding it stay readable (docs/design.md, "Resource shapes").
[[nodiscard]] Json to_json(const Lead& lead);
/// {"id","leadId","type","body","createdBy","createdAt","updatedAt"}.
[[nodiscard]] Json to_json(const Activity& activity);
/// {"accessToken","refreshToken"}.
[[nodiscard]] Json to_json(const Tokens& tokens);
/// {"user","accessToken","refreshToken"}.
[[nodiscard]] Json to_json(const AuthResult& result);

/// A list's "pagination" member.
struct Pagination {
    std::int64_t page = 0;  ///< 0 in cursor mode: shown as null (the position is the cursor)
    std::int64_t limit = 0;
    std::optional<std::int64_t> total{}, total_pages{};  ///< null unless counted
    std::optional<std::string> next_cursor{};             ///< null on the last page
};

/// {"data": items, "pagination": {"page","limit","total","totalPages","nextCursor"}}.
[[nodiscard]] Json list_json(Json items, const Pagination& pagination);

/// A Page of any model, as list_json().
template <class T>
[[nodiscard]] Json to_json(const Page<T>& page) {
    Json items = Json::array();
    for (const auto& item : page.items) items.push_back(to_json(item));
    return list_json(std::move(items), {page.page, page.limit, page.total, page.total_pages(), page.next_cursor});
}

/// Compact UTF-8 text; bytes that are not UTF-8 (none pass the library's validation) become U+FFFD
/// instead of failing the whole document.
[[nodiscard]] std::string dump(const Json& value);

}  // namespace crm::json
