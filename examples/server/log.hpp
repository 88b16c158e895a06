// crm-server: log lines on stderr, one write per line.
#pragma once

#include <string>
#include <string_view>

namespace crm_server {

/// Writes "<UTC time> <level> <message>" as one line to stderr.
void log(std::string_view level, std::string_view message);

/// The text with control characters, spaces, quotes and non-ASCII bytes percent-encoded, so that
/// one request can never forge or split a log line.
[[nodiscard]] std::string log_safe(std::string_view text);

}  // namespace crm_server
