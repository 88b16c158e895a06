#include "resource_json.hpp"

namespace crm::json {

namespace {

Json nullable(const std::optional<std::string>& text) { return text ? Json(*text) : Json(nullptr); }
Json nullable(const std::optional<Uuid>& id) { return id ? Json(id->to_string()) : Json(nullptr); }
Json nullable(const std::optional<std::int64_t>& n) { return n ? Json(*n) : Json(nullptr); }

Json metadata(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    Json parsed = Json::parse(*text, nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? Json(nullptr) : parsed;
}

}  // namespace

Json to_json(const User& user) {
    return {{"id", user.id.to_string()},
            {"name", user.name},
            {"email", user.email},
            {"role", to_string(user.role)},
            {"createdAt", format_timestamp(user.created_at)},
            {"updatedAt", format_timestamp(user.updated_at)}};
}

Json to_json(const Lead& lead) {
    return {{"id", lead.id.to_string()},
            {"title", lead.title},
            {"description", nullable(lead.description)},
            {"status", to_string(lead.status)},
            {"source", nullable(lead.source)},
            {"ownerId", nullable(lead.owner_id)},
            {"metadata", metadata(lead.metadata)},
            {"createdAt", format_timestamp(lead.created_at)},
            {"updatedAt", format_timestamp(lead.updated_at)}};
}

Json to_json(const Activity& activity) {
    return {{"id", activity.id.to_string()},
            {"leadId", activity.lead_id.to_string()},
            {"type", to_string(activity.type)},
            {"body", nullable(activity.body)},
            {"createdBy", nullable(activity.created_by)},
            {"createdAt", format_timestamp(activity.created_at)},
            {"updatedAt", format_timestamp(activity.updated_at)}};
}

Json to_json(const Tokens& tokens) {
    return {{"accessToken", tokens.access_token}, {"refreshToken", tokens.refresh_token}};
}

Json to_json(const AuthResult& result) {
    return {{"user", to_json(result.user)},
            {"accessToken", result.tokens.access_token},
            {"refreshToken", result.tokens.refresh_token}};
}

Json list_json(Json items, const Pagination& p) {
    return {{"data", std::move(items)},
            {"pagination",
             {{"page", p.page > 0 ? Json(p.page) : Json(nullptr)},
              {"limit", p.limit},
              {"total", nullable(p.total)},
              {"totalPages", nullable(p.total_pages)},
              {"nextCursor", nullable(p.next_cursor)}}}};
}

std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace crm::json
