// crm-server: HTTP concerns around the route table: matching (404/405/OPTIONS), bearer tokens,
// body limits and media types, CORS, problem+json for every failure, the access log.
#pragma once

#include "config.hpp"
#include "http.hpp"
#include "problem.hpp"

#include <chrono>
#include <ostream>

namespace crm_server {

/// Bodies larger than this are refused with 413, whatever their media type.
inline constexpr std::size_t max_body_bytes = 1024 * 1024;

class Router {
public:
    Router(crm::Service& service, CorsPolicy cors) : service_(service), cors_(std::move(cors)) {}

    /// The answer to one complete request. Runs on a worker thread: handlers call the blocking core.
    [[nodiscard]] Response handle(const Request& req) const;

    /// The problem+json answer to a failure the transport finds itself (400, 408, 413, 414, 431,
    /// 505). `req` holds what could be read of the request (possibly nothing).
    [[nodiscard]] Response transport_error(const Request& req, Problem problem, const std::string& detail) const;

    /// The access log line of one exchange: method, path without the query, status, duration,
    /// response body bytes, client address, user, request id. Never a header, token or body.
    static void log_access(const Request& req, const Response& res, std::chrono::steady_clock::duration duration,
                           std::size_t body_bytes);

private:
    void add_cors_headers(const Request& req, Response& res) const;

    crm::Service& service_;
    CorsPolicy cors_;
};

/// "METHOD PATH" for each route of the table, one a line (crm-server --print-routes).
void print_routes(std::ostream& out);

}  // namespace crm_server
