#include "json.hpp"

#include "problem.hpp"

namespace crm_server {

namespace {

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
    crm::FieldErrors errors;
    for (auto it = value.begin(); it != value.end(); ++it)
        if (it.key().find('\0') != std::string::npos || has_nul(it.value()))
            errors.add(it.key().find('\0') == std::string::npos ? it.key() : "body", "must not contain U+0000");
    errors.throw_if_any();
    return value;
}

const json* Fields::find(const char* name) const {
    auto it = object_.find(name);
    return it == object_.end() ? nullptr : &*it;
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

}  // namespace crm_server
