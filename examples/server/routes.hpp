// crm-server: the route table and its handlers. Each handler parses, makes one Service call and
// renders; every rule (RBAC, validation, tokens) is the core's.
#pragma once

#include "json.hpp"

#include "http.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace crm_server {

struct Reply {
    int status = 200;
    std::optional<json> body;  ///< nullopt: no body (204)
};

/// One request as a handler sees it, after routing, authentication and body parsing.
struct Call {
    crm::Service& service;
    const Request& request;
    std::vector<crm::Uuid> ids;             ///< the path's parameters, in order
    std::optional<crm::Principal> principal;  ///< set on routes that take a bearer token
    json body;                              ///< the request object, on routes that take one
    std::optional<crm::Uuid> user_id;       ///< who acted, for the access log

    [[nodiscard]] const crm::Principal& actor() const { return *principal; }
    [[nodiscard]] const crm::Uuid& id(std::size_t i = 0) const { return ids.at(i); }
};

enum class Access { open, bearer };
enum class Input { none, json_object };

struct Route {
    std::string_view method;  ///< GET, POST, PUT, DELETE
    std::string_view path;    ///< "/api/leads/{id}": each {param} is one segment holding a UUID
    Access access;
    Input input;
    Reply (*handler)(Call&);
};

/// Every route the server serves (OPTIONS and HEAD are answered for each path implicitly).
[[nodiscard]] const std::vector<Route>& route_table();

}  // namespace crm_server
