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

Error Error::invalid_field(std::string field, std::string problem) {
    std::string message = field + " " + problem;
    return Error(Errc::invalid, message, {FieldError{std::move(field), std::move(problem)}});
}

Error Error::retry_later(Errc code, const std::string& message, std::chrono::seconds retry_after) {
    Error e(code, message);
    // "Retry after 0 seconds" would invite a tight retry loop: one second is the least we say.
    e.retry_after_ = std::max(retry_after, std::chrono::seconds(1));
    return e;
}

}  // namespace v1
}  // namespace crm
