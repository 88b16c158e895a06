// Out of scope must be indistinguishable from absent: for every route that takes an id, a SALES
// user gets the same response (status and body, request id aside) for another user's object as
// for one that does not exist.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace crmtest;

namespace {

const std::string absent_id = "01890000-0000-7000-8000-0000000000aa";

// Status and body without the request id, which differs per request.
json comparable(const Reply& reply) {
    json body = reply.body.empty() ? json() : reply.json();
    if (body.is_object()) body.erase("requestId");
    return json{{"status", reply.status}, {"body", body}};
}

}  // namespace

TEST_CASE("server: every route answers another user's object exactly as an absent one") {
    Server server;
    auto admin = admin_session(server);
    auto owner = register_user(server, "owner@example.com");
    auto snooper = register_user(server, "snooper@example.com");
    std::string lead = create_lead(server, owner.access, {{"title", "Owner's lead"}})["id"];
    auto activity = server.post("/api/activities", {{"leadId", lead}, {"type", "NOTE"}}, owner.access);
    REQUIRE(activity.status == 201);
    std::string activity_id = activity.json()["id"];

    struct Probe {
        std::string method, path_prefix;  // the id is appended
        std::optional<json> body;
    };
    const std::vector<Probe> by_path{
        {"GET", "/api/leads/", std::nullopt},
        {"PUT", "/api/leads/", json{{"title", "taken over"}}},
        {"DELETE", "/api/leads/", std::nullopt},
        {"GET", "/api/activities/lead/", std::nullopt},
        {"GET", "/api/activities/", std::nullopt},
        {"PUT", "/api/activities/", json{{"body", "rewritten"}}},
        {"DELETE", "/api/activities/", std::nullopt},
        {"GET", "/api/users/", std::nullopt},
        {"PUT", "/api/users/", json{{"name", "renamed"}}},
        {"DELETE", "/api/users/", std::nullopt},
    };
    for (const auto& probe : by_path) {
        bool activity_route = probe.path_prefix == "/api/activities/";
        bool user_route = probe.path_prefix == "/api/users/";
        std::string existing = activity_route ? activity_id : user_route ? owner.id : lead;
        auto send = [&](const std::string& id) {
            return server.send(probe.method, probe.path_prefix + id, snooper.access,
                               probe.body ? std::optional(probe.body->dump()) : std::nullopt);
        };
        auto foreign = send(existing);
        auto missing = send(absent_id);
        CAPTURE(probe.method);
        CAPTURE(probe.path_prefix);
        CHECK(foreign.status >= 400);
        CHECK(comparable(foreign) == comparable(missing));
    }

    // The lead named in a body: creating an activity on it.
    auto foreign = server.post("/api/activities", {{"leadId", lead}, {"type", "CALL"}}, snooper.access);
    auto missing = server.post("/api/activities", {{"leadId", absent_id}, {"type", "CALL"}}, snooper.access);
    CHECK(foreign.status == 404);
    CHECK(comparable(foreign) == comparable(missing));

    // Nothing was changed by the probes.
    auto still = server.get("/api/leads/" + lead, owner.access);
    REQUIRE(still.status == 200);
    CHECK(still.json()["title"] == "Owner's lead");
    auto list = server.get("/api/activities/lead/" + lead, owner.access).json();
    CHECK(list["data"].size() == 1);
    CHECK(list["data"][0]["body"].is_null());
}
