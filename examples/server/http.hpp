// crm-server: the request and response as the router and the handlers see them, independent of
// the transport that reads and writes them (transport.cpp).
#pragma once

#include <crm/types.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm_server {

/// One received request: its head decoded, its body complete.
struct Request {
    std::string method;       ///< as sent ("GET", "TRACE", ...)
    std::string target;       ///< the request target as sent, query included
    std::string path;         ///< the target's path, percent-decoded
    int version = 11;         ///< 10 or 11
    std::vector<std::pair<std::string, std::string>> headers;  ///< in order, names as sent
    std::vector<std::pair<std::string, std::string>> params;   ///< the query, decoded ('+' is a space)
    std::string body;
    std::string remote_addr;  ///< the client's IP address as text ("127.0.0.1", "::1")

    /// Header lookups compare names case-insensitively; the first field of a name wins.
    [[nodiscard]] bool has_header(std::string_view name) const;
    [[nodiscard]] std::string get_header_value(std::string_view name) const;
    /// Query parameters: how often `name` occurs, and its i-th value ("" when there is none).
    [[nodiscard]] std::size_t get_param_value_count(std::string_view name) const;
    [[nodiscard]] std::string get_param_value(std::string_view name, std::size_t i = 0) const;
};

/// A response before it is framed: the transport adds Content-Length, Date and Connection.
struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool close = false;  ///< close the connection after this response

    // For the access log.
    std::string request_id;
    std::optional<crm::Uuid> user_id;

    /// Replaces every field of that name (case-insensitively) with one.
    void set_header(std::string_view name, std::string value);
    [[nodiscard]] bool has_header(std::string_view name) const;
    [[nodiscard]] std::string get_header_value(std::string_view name) const;
    void set_content(std::string content, std::string_view content_type);
};

/// Splits `target` into its path (percent-decoded) and query parameters (percent-decoded, '+'
/// read as a space). An absolute-form target ("http://host/path?q") keeps only path and query.
void parse_target(std::string_view target, std::string& path,
                  std::vector<std::pair<std::string, std::string>>& params);

/// %XX sequences decoded (an invalid one is kept as it is); `plus_is_space` for query text.
[[nodiscard]] std::string percent_decode(std::string_view text, bool plus_is_space);

/// The response's head as bytes on the wire: status line, fields, Content-Length (except for 1xx,
/// 204 and 304), Date, Connection, the empty line. The body follows unless has_body() is false.
[[nodiscard]] std::string serialize_head(const Response& response, int request_version, bool keep_alive);

/// Whether a response of this status to this method carries its body on the wire.
[[nodiscard]] bool has_body(int status, std::string_view method) noexcept;

[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace crm_server
