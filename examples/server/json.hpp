// crm-server: request bodies from JSON (responses: crm_json's resource_json.hpp).
#pragma once

#include "resource_json.hpp"

#include <crm/crm.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm_server {

// Responses are the contract's resource shapes, written by crm_json (src/json/) for every program.
using json = crm::json::Json;
using crm::json::dump;
using crm::json::to_json;

/// A request body that must be one JSON object. Throws HttpError(bad_request) for malformed JSON,
/// nesting deeper than 64 levels or another value than an object, and crm::Error(invalid) naming
/// the top-level member when any string (or member name) in it contains U+0000.
[[nodiscard]] json parse_object(std::string_view text);

/// Reads the members of a request object with their JSON types checked. Problems are collected
/// in one crm::FieldErrors, the first per field; check(input) adds the core's own checks of the
/// input read (crm/validation.hpp) and throws every problem as one crm::Error(invalid), so that a
/// client learns of all its mistakes at once. Unknown members are ignored.
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

    /// Throws crm::Error(invalid) with every problem found, if any (input the core has no check for).
    void check() const { errors_.throw_if_any(); }
    /// Runs the core's checks of `input` after the format problems found, then throws them all, if any.
    template <class Input>
    void check(const Input& input) {
        crm::check(input, errors_);
        errors_.throw_if_any();
    }

private:
    [[nodiscard]] const json* find(const char* name) const;
    void fail(const char* name, std::string_view message) { errors_.add(name, message); }

    const json& object_;
    crm::FieldErrors errors_;
};

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
