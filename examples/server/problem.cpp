#include "problem.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace crm_server {

namespace {

using enum Problem;
using crm::Errc;

// The contract's error table, one row per kind; crm::Errc maps one to one onto the rows that name one.
constexpr std::array<ProblemKind, 16> table{{
    {not_found,              Errc::not_found,    404, "NOT_FOUND",              "Not Found"},
    {conflict,               Errc::conflict,     409, "CONFLICT",               "Conflict"},
    {validation_failed,      Errc::invalid,      400, "VALIDATION_FAILED",      "Bad Request"},
    {unauthorized,           Errc::unauthorized, 401, "UNAUTHORIZED",           "Unauthorized"},
    {forbidden,              Errc::forbidden,    403, "FORBIDDEN",              "Forbidden"},
    {unavailable,            Errc::unavailable,  503, "UNAVAILABLE",            "Service Unavailable"},
    {internal,               Errc::internal,     500, "INTERNAL",               "Internal Server Error"},
    {too_many_requests,      Errc::throttled,    429, "TOO_MANY_REQUESTS",      "Too Many Requests"},
    {bad_request,            std::nullopt,       400, "BAD_REQUEST",            "Bad Request"},
    {method_not_allowed,     std::nullopt,       405, "METHOD_NOT_ALLOWED",     "Method Not Allowed"},
    {payload_too_large,      std::nullopt,       413, "PAYLOAD_TOO_LARGE",      "Payload Too Large"},
    {unsupported_media_type, std::nullopt,       415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type"},
    {request_timeout,        std::nullopt,       408, "REQUEST_TIMEOUT",        "Request Timeout"},
    {uri_too_long,           std::nullopt,       414, "URI_TOO_LONG",           "URI Too Long"},
    {header_fields_too_large, std::nullopt,      431, "REQUEST_HEADER_FIELDS_TOO_LARGE", "Request Header Fields Too Large"},
    {http_version_not_supported, std::nullopt,   505, "HTTP_VERSION_NOT_SUPPORTED", "HTTP Version Not Supported"},
}};

}  // namespace

const ProblemKind& kind(Problem problem) noexcept {
    for (const auto& row : table)
        if (row.problem == problem) return row;
    return kind(internal);
}

const ProblemKind& kind(crm::Errc errc) noexcept {
    for (const auto& row : table)
        if (row.errc == errc) return row;
    return kind(internal);
}

std::string problem_json(const ProblemKind& kind, std::string_view detail, const std::vector<crm::FieldError>& errors,
                         std::string_view request_id) {
    nlohmann::ordered_json body{{"type", "about:blank"}, {"title", kind.title},   {"status", kind.status},
                        {"detail", detail},      {"code", kind.code}};
    auto& list = body["errors"] = nlohmann::ordered_json::array();  // always present, empty when no field is at fault
    for (const auto& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
    body["requestId"] = request_id;
    return body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string public_detail(const ProblemKind& kind, std::string_view message, bool retry_later) {
    switch (kind.problem) {
        case internal: return "an internal error occurred";
        case unavailable: return retry_later ? "the server is busy, retry later" : "the database is unavailable";
        default: return std::string(message);
    }
}

}  // namespace crm_server
