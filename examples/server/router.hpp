// crm-server: HTTP concerns around the route table: matching (404/405/OPTIONS), bearer tokens,
// body limits and media types, CORS, problem+json for every failure, the access log.
#pragma once

#include "config.hpp"

#include <httplib.h>

#include <ostream>

namespace crm_server {

/// Bodies larger than this are refused with 413, whatever their media type.
inline constexpr std::size_t max_body_bytes = 1024 * 1024;

class Router {
public:
    Router(crm::Service& service, CorsPolicy cors) : service_(service), cors_(std::move(cors)) {}

    /// Routes every request of `server` through this router.
    void install(httplib::Server& server);

private:
    void handle(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader);
    void add_cors_headers(const httplib::Request& req, httplib::Response& res) const;

    crm::Service& service_;
    CorsPolicy cors_;
};

/// "METHOD PATH" for each route of the table, one a line (crm-server --print-routes).
void print_routes(std::ostream& out);

}  // namespace crm_server
