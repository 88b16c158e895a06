#include "json.hpp"

#include "problem.hpp"

namespace crm_server {

namespace {

json optional_text(const std::optional<std::string>& text) { return text ? json(*text) : json(nullptr); }
json optional_id(const std::optional<crm::Uuid>& id) { return id ? json(id->to_string()) : json(nullptr); }

// Lead metadata is kept as the text of a JSON object; give it back as that object.
json metadata_json(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    json parsed = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    return parsed.is_discarded() ? json(nullptr) : parsed;
}

constexpr int max_depth = 64;

struct TooDeep {};

bool has_nul(const json& value) {
    if (value.is_string()) return value.get_ref<const std::string&>().find('\0') != std::string::npos;
    if (value.is_array()) {
        for (const auto& item : value)
            if (has_nul(item)) return true;
    }
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            if (it.key().find('\0') != std::string::npos || has_nul(it.value())) return true;
    }
    return false;
}

}  // namespace

json to_json(const crm::User& user) {
    return {{"id", user.id.to_string()},
            {"name", user.name},
            {"email", user.email},
            {"role", crm::to_string(user.role)},
            {"createdAt", crm::format_timestamp(user.created_at)},
            {"updatedAt", crm::format_timestamp(user.updated_at)}};
}

json to_json(const crm::Lead& lead) {
    return {{"id", lead.id.to_string()},
            {"title", lead.title},
            {"description", optional_text(lead.description)},
            {"status", crm::to_string(lead.status)},
            {"source", optional_text(lead.source)},
            {"ownerId", optional_id(lead.owner_id)},
            {"metadata", metadata_json(lead.metadata)},
            {"createdAt", crm::format_timestamp(lead.created_at)},
            {"updatedAt", crm::format_timestamp(lead.updated_at)}};
}

json to_json(const crm::Activity& activity) {
    return {{"id", activity.id.to_string()},
            {"leadId", activity.lead_id.to_string()},
            {"type", crm::to_string(activity.type)},
            {"body", optional_text(activity.body)},
            {"createdBy", optional_id(activity.created_by)},
            {"createdAt", crm::format_timestamp(activity.created_at)},
            {"updatedAt", crm::format_timestamp(activity.updated_at)}};
}

json to_json(const crm::Tokens& tokens) {
    return {{"accessToken", tokens.access_token}, {"refreshToken", tokens.refresh_token}};
}

json to_json(const crm::AuthResult& result) {
    return {{"user", to_json(result.user)},
            {"accessToken", result.tokens.access_token},
            {"refreshToken", result.tokens.refresh_token}};
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

json parse_object(std::string_view text) {
    json value;
    try {
        value = json::parse(text, [](int depth, json::parse_event_t, json&) {
            if (depth > max_depth) throw TooDeep{};
            return true;
        });
    } catch (const TooDeep&) {
        throw HttpError(Problem::bad_request, "the request body is nested too deeply");
    } catch (const json::exception&) {
        throw HttpError(Problem::bad_request, "the request body is not valid JSON");
    }
    if (!value.is_object()) throw HttpError(Problem::bad_request, "the request body must be a JSON object");
    std::vector<crm::FieldError> errors;
    for (auto it = value.begin(); it != value.end(); ++it)
        if (it.key().find('\0') != std::string::npos || has_nul(it.value()))
            errors.push_back({it.key().find('\0') == std::string::npos ? it.key() : "body", "must not contain U+0000"});
    if (!errors.empty()) throw crm::Error(crm::Errc::invalid, errors.front().field + " must not contain U+0000", errors);
    return value;
}

const json* Fields::find(const char* name) const {
    auto it = object_.find(name);
    return it == object_.end() ? nullptr : &*it;
}

void Fields::fail(const char* name, std::string message) {
    for (const auto& e : errors_)
        if (e.field == name) return;
    errors_.push_back({name, std::move(message)});
}

std::optional<std::string> Fields::string(const char* name) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_string()) return value->get<std::string>();
    fail(name, "must be a string");
    return std::nullopt;
}

std::string Fields::required_string(const char* name) {
    const json* value = find(name);
    if (!value || value->is_null()) {
        fail(name, "is required");
        return {};
    }
    return string(name).value_or("");
}

crm::Change<std::optional<std::string>> Fields::nullable_string(const char* name) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_null()) return std::optional<std::string>{};
    if (value->is_string()) return std::optional<std::string>(value->get<std::string>());
    fail(name, "must be a string or null");
    return std::nullopt;
}

std::optional<crm::Uuid> Fields::uuid(const char* name) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_string())
        if (auto id = crm::Uuid::parse(value->get_ref<const std::string&>())) return id;
    fail(name, "must be a UUID");
    return std::nullopt;
}

crm::Change<std::optional<crm::Uuid>> Fields::nullable_uuid(const char* name) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_null()) return std::optional<crm::Uuid>{};
    if (value->is_string())
        if (auto id = crm::Uuid::parse(value->get_ref<const std::string&>())) return std::optional<crm::Uuid>(id);
    fail(name, "must be a UUID or null");
    return std::nullopt;
}

crm::Change<std::optional<std::string>> Fields::nullable_object(const char* name) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_null()) return std::optional<std::string>{};
    if (value->is_object()) return std::optional<std::string>(dump(*value));
    fail(name, "must be a JSON object or null");
    return std::nullopt;
}

void Fields::require(const char* name) {
    const json* value = find(name);
    if (!value || value->is_null()) fail(name, "is required");
}

void Fields::check() const {
    if (errors_.empty()) return;
    const auto& first = errors_.front();
    throw crm::Error(crm::Errc::invalid, first.field + " " + first.message, errors_);
}

}  // namespace crm_server
