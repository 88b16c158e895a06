#include <crm/error.hpp>

#include <algorithm>
#include <utility>

namespace crm {
inline namespace v1 {

std::string_view to_string(Errc code) noexcept {
    switch (code) {
        case Errc::not_found: return "not_found";
        case Errc::conflict: return "conflict";
        case Errc::invalid: return "invalid";
        case Errc::unauthorized: return "unauthorized";
        case Errc::forbidden: return "forbidden";
        case Errc::unavailable: return "unavailable";
        case Errc::internal: return "internal";
        case Errc::throttled: return "throttled";
    }
    return "internal";
}

Error::Error(Errc code, const std::string& message, std::vector<FieldError> field_errors)
    : std::runtime_error(message), code_(code), field_errors_(std::move(field_errors)) {}

std::string to_string(const FieldError& error) { return error.field + " " + error.message; }

void FieldErrors::add(std::string_view field, std::string_view message) {
    if (!has(field)) errors_.push_back({std::string(field), std::string(message)});
}

bool FieldErrors::has(std::string_view field) const noexcept {
    return std::any_of(errors_.begin(), errors_.end(), [&](const FieldError& e) { return e.field == field; });
}

void FieldErrors::throw_if_any() const {
    if (!errors_.empty()) throw Error::invalid_fields(errors_);
}

Error Error::invalid_field(std::string field, std::string problem) {
    return invalid_fields({FieldError{std::move(field), std::move(problem)}});
}

Error Error::invalid_fields(std::vector<FieldError> errors) {
    std::string message = errors.empty() ? std::string("invalid input") : to_string(errors.front());
    return Error(Errc::invalid, message, std::move(errors));
}

Error Error::retry_later(Errc code, const std::string& message, std::chrono::seconds retry_after) {
    Error e(code, message);
    // "Retry after 0 seconds" would invite a tight retry loop: one second is the least we say.
    e.retry_after_ = std::max(retry_after, std::chrono::seconds(1));
    return e;
}

}  // namespace v1
}  // namespace crm
