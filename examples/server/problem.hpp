// crm-server: the one table from errors to HTTP statuses, and RFC 9457 problem+json bodies.
#pragma once

#include <crm/error.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace crm_server {

/// Every kind of error response the server gives.
enum class Problem {
    validation_failed,
    bad_request,
    unauthorized,
    forbidden,
    not_found,
    method_not_allowed,
    conflict,
    payload_too_large,
    unsupported_media_type,
    internal,
    unavailable,
    // The transport's own refusals (transport.cpp): the request could not be read as one.
    request_timeout,
    uri_too_long,
    header_fields_too_large,
    http_version_not_supported,
    too_many_requests,
};

struct ProblemKind {
    Problem problem;
    std::optional<crm::Errc> errc;  ///< the core error this answers, if any
    int status;
    std::string_view code;   ///< the `code` member
    std::string_view title;  ///< the `title` member (the status's reason phrase)
};

[[nodiscard]] const ProblemKind& kind(Problem problem) noexcept;
[[nodiscard]] const ProblemKind& kind(crm::Errc errc) noexcept;

/// An HTTP-level failure (as opposed to a crm::Error from the core).
class HttpError : public std::runtime_error {
public:
    HttpError(Problem problem, const std::string& detail, std::vector<crm::FieldError> errors = {})
        : std::runtime_error(detail), problem(problem), errors(std::move(errors)) {}
    Problem problem;
    std::vector<crm::FieldError> errors;
    bool bearer_challenge = false;  ///< a bearer token was expected: answer with WWW-Authenticate
};

/// {"type":"about:blank","title","status","detail","code","errors":[...],"requestId"}.
[[nodiscard]] std::string problem_json(const ProblemKind& kind, std::string_view detail,
                                       const std::vector<crm::FieldError>& errors, std::string_view request_id);

/// The detail a client may see for a core error: internal and unavailable errors say nothing
/// about their cause (that goes to the log), except that an unavailable error that says when to
/// retry (busy password hashing) is not the database's fault and says so.
[[nodiscard]] std::string public_detail(const ProblemKind& kind, std::string_view message, bool retry_later = false);

}  // namespace crm_server
