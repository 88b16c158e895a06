// crm-server: HTTP/1.1 over TCP with Boost.Beast on Boost.Asio. A few I/O threads run every
// connection asynchronously; handlers, which call the blocking core, run on a worker pool. The
// transport enforces the protocol limits and deadlines (docs/design.md, "Transport").
#pragma once

#include "config.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

namespace crm_server {

class Router;

/// At most this many header field lines in a request head (else 431).
inline constexpr std::size_t max_header_lines = 100;
/// At most this many bytes of header field lines, CRLFs included (else 431).
inline constexpr std::size_t max_header_bytes = 16 * 1024;
/// At most this many bytes of request target (else 414).
inline constexpr std::size_t max_target_bytes = 8 * 1024;
/// A body (or a response) must move at least this fast: its deadline is the header timeout plus
/// its size at this rate.
inline constexpr std::size_t min_transfer_rate = 64 * 1024;  // bytes per second

/// The listening socket could not be set up; what() is "address already in use" and the like.
class ListenError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class HttpServer {
public:
    /// `workers` threads run the router's handlers (size it with the database pool).
    HttpServer(const Router& router, const Limits& limits, unsigned workers);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds (SO_REUSEADDR, never SO_REUSEPORT) and listens with backlog SOMAXCONN. Returns the
    /// port listened on (the chosen one for port 0). Throws ListenError.
    std::uint16_t listen(const std::string& host, std::uint16_t port);

    /// Serves until a stop() has finished: the calling thread is one of the I/O threads.
    void run();

    /// Thread-safe, idempotent: stops accepting, closes idle connections, lets requests in flight
    /// finish (their responses close the connection) for at most the shutdown timeout.
    void stop();

    struct Impl;  // transport.cpp

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm_server
