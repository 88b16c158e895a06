// crm-server: log lines on stderr, written by a thread of their own (see log.cpp).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace crm_server {

/// Queues "<UTC time> <level> <message>" as one line for stderr; never waits for stderr itself.
void log(std::string_view level, std::string_view message);

/// Returns once every line logged so far is written, or after `timeout` (done at exit, with 5 s).
void flush_log(std::chrono::milliseconds timeout = std::chrono::seconds(1));

/// The text with control characters, spaces, quotes and non-ASCII bytes percent-encoded, so that
/// one request can never forge or split a log line.
[[nodiscard]] std::string log_safe(std::string_view text);

}  // namespace crm_server
