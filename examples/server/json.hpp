// crm-server: models to JSON, and request bodies from JSON.
#pragma once

#include <crm/crm.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm_server {

using json = nlohmann::ordered_json;  // members keep the order they are written (and sent) in

[[nodiscard]] json to_json(const crm::User& user);
[[nodiscard]] json to_json(const crm::Lead& lead);
[[nodiscard]] json to_json(const crm::Activity& activity);
[[nodiscard]] json to_json(const crm::Tokens& tokens);
[[nodiscard]] json to_json(const crm::AuthResult& result);

/// A value or JSON null.
template <class T>
[[nodiscard]] json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

/// {"data": [...], "pagination": {"page", "limit", "total", "totalPages", "nextCursor"}}. In cursor
/// mode `page` is null (the position is the cursor, not a page number), and so are `total` and
/// `totalPages` unless ?total=true counted them.
template <class T>
[[nodiscard]] json to_json(const crm::Page<T>& page) {
    json data = json::array();
    for (const auto& item : page.items) data.push_back(to_json(item));
    return {{"data", std::move(data)},
            {"pagination",
             {{"page", page.page > 0 ? json(page.page) : json(nullptr)},
              {"limit", page.limit},
              {"total", or_null(page.total)},
              {"totalPages", or_null(page.total_pages())},
              {"nextCursor", or_null(page.next_cursor)}}}};
}

/// Compact UTF-8 text of a response body.
[[nodiscard]] std::string dump(const json& value);

/// A request body that must be one JSON object. Throws HttpError(bad_request) for malformed JSON,
/// nesting deeper than 64 levels or another value than an object, and crm::Error(invalid) naming
/// the top-level member when any string (or member name) in it contains U+0000.
[[nodiscard]] json parse_object(std::string_view text);

/// Reads the members of a request object with their JSON types checked. Problems are collected
/// per field; check() throws them as one crm::Error(invalid). Unknown members are ignored.
class Fields {
public:
    explicit Fields(const json& object) : object_(object) {}

    /// Absent: nullopt. Present: must be a string.
    [[nodiscard]] std::optional<std::string> string(const char* name);
    /// Absent or null: "is required". Present: must be a string.
    [[nodiscard]] std::string required_string(const char* name);
    /// Absent: nullopt (leave alone). null: {nullopt}. Else a string.
    [[nodiscard]] crm::Change<std::optional<std::string>> nullable_string(const char* name);
    /// Absent: nullopt. Present: one of the wire names of Enum.
    template <class Enum>
    [[nodiscard]] std::optional<Enum> enumeration(const char* name, std::string_view allowed);
    /// Absent: nullopt. Present: a UUID in text form.
    [[nodiscard]] std::optional<crm::Uuid> uuid(const char* name);
    /// Absent: nullopt. null: {nullopt}. Else a UUID in text form.
    [[nodiscard]] crm::Change<std::optional<crm::Uuid>> nullable_uuid(const char* name);
    /// Absent: nullopt. null: {nullopt}. Else a JSON object, returned as its text.
    [[nodiscard]] crm::Change<std::optional<std::string>> nullable_object(const char* name);
    /// A member that must be present and not null ("is required"); call before reading it.
    void require(const char* name);

    /// Throws crm::Error(invalid) with every problem found, if any.
    void check() const;

private:
    [[nodiscard]] const json* find(const char* name) const;
    void fail(const char* name, std::string message);

    const json& object_;
    std::vector<crm::FieldError> errors_;
};

/// "must be one of NEW, CONTACTED, QUALIFIED, CLOSED" and the like.
inline constexpr std::string_view role_names = "ADMIN, MANAGER, SALES";
inline constexpr std::string_view lead_status_names = "NEW, CONTACTED, QUALIFIED, CLOSED";
inline constexpr std::string_view activity_type_names = "NOTE, CALL, EMAIL";

template <class Enum>
std::optional<Enum> Fields::enumeration(const char* name, std::string_view allowed) {
    const json* value = find(name);
    if (!value) return std::nullopt;
    if (value->is_string())
        if (auto parsed = crm::parse<Enum>(value->get_ref<const std::string&>())) return parsed;
    fail(name, "must be one of " + std::string(allowed));
    return std::nullopt;
}

}  // namespace crm_server
