// v1.1 keyset cursors over HTTP: ?cursor=, ?total=, pagination.nextCursor, and every refusal as a
// 400 VALIDATION_FAILED (never a 500, never rows outside the caller's scope).
#include "harness.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace crmtest;

namespace {

std::vector<std::string> ids(const json& page) {
    std::vector<std::string> out;
    for (const auto& row : page["data"]) out.push_back(row["id"]);
    return out;
}

}  // namespace

TEST_CASE("server: leads page by cursor with nextCursor, total on request, refusals are 400") {
    Server server;
    auto admin = admin_session(server);
    auto sales = register_user(server, "cursor-sales@example.com");
    for (int i = 0; i < 9; ++i)
        (void)create_lead(server, admin.access,
                          {{"title", "lead " + std::to_string(i % 4)}, {"ownerId", i % 3 == 0 ? sales.id : admin.id}});
    auto get = [&](const std::string& query, const std::string& token) {
        auto reply = server.get("/api/leads" + query, token);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        return reply.json();
    };

    auto everything = ids(get("?limit=100&sort=title", admin.access));
    REQUIRE(everything.size() == 9);
    auto first = get("?limit=4&sort=title", admin.access);
    CHECK(first["pagination"]["page"] == 1);
    CHECK(first["pagination"]["total"] == 9);
    REQUIRE(first["pagination"]["nextCursor"].is_string());
    std::vector<std::string> walked = ids(first);
    std::string cursor = first["pagination"]["nextCursor"];
    auto second = get("?limit=4&sort=title&cursor=" + url_encode(cursor), admin.access);
    CHECK(second["pagination"]["page"].is_null());
    CHECK(second["pagination"]["total"].is_null());
    CHECK(second["pagination"]["totalPages"].is_null());
    CHECK(second["pagination"]["limit"] == 4);
    for (auto& id : ids(second)) walked.push_back(id);
    auto third = get("?limit=4&sort=title&total=true&cursor=" +
                         url_encode(second["pagination"]["nextCursor"].get<std::string>()),
                     admin.access);
    CHECK(third["pagination"]["total"] == 9);
    CHECK(third["pagination"]["totalPages"] == 3);
    CHECK(third["pagination"]["nextCursor"].is_null());
    for (auto& id : ids(third)) walked.push_back(id);
    CHECK(walked == everything);

    auto refused = [&](const std::string& query, const std::string& token, const std::string& field) {
        auto reply = server.get(query, token);
        auto problem = expect_problem(reply, 400, "VALIDATION_FAILED");
        bool named = false;
        for (auto& e : problem["errors"]) named = named || e["field"] == field;
        CHECK_MESSAGE(named, reply.body);
    };
    std::string c = "&cursor=" + url_encode(cursor);
    refused("/api/leads?limit=4&sort=-title" + c, admin.access, "cursor");         // another sort
    refused("/api/leads?limit=4&sort=title&source=web" + c, admin.access, "cursor");  // another filter
    refused("/api/leads?limit=4&sort=title" + c, sales.access, "cursor");           // another scope
    refused("/api/users?limit=4" + c, admin.access, "cursor");                       // another list
    refused("/api/leads?limit=4&sort=title&page=1" + c, admin.access, "page");      // page with cursor
    refused("/api/leads?limit=4&sort=title&cursor=garbage", admin.access, "cursor");
    std::string tampered = cursor;
    tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
    refused("/api/leads?limit=4&sort=title&cursor=" + url_encode(tampered), admin.access, "cursor");
    refused("/api/leads?limit=4&sort=title&total=maybe" + c, admin.access, "total");

    // SALES pages through their own leads only.
    auto mine = get("?limit=2", sales.access);
    std::set<std::string> seen;
    for (;;) {
        for (auto& row : mine["data"]) {
            CHECK(row["ownerId"] == sales.id);
            CHECK(seen.insert(row["id"].get<std::string>()).second);
        }
        if (mine["pagination"]["nextCursor"].is_null()) break;
        mine = get("?limit=2&cursor=" + url_encode(mine["pagination"]["nextCursor"].get<std::string>()), sales.access);
    }
    CHECK(seen.size() == 3);
}

TEST_CASE("server: users and a lead's activities page by cursor") {
    Server server;
    auto admin = admin_session(server);
    for (int i = 0; i < 4; ++i) (void)register_user(server, "cu" + std::to_string(i) + "@example.com");
    auto users = server.get("/api/users?limit=2", admin.access).json();
    std::vector<std::string> walked = ids(users);
    while (users["pagination"]["nextCursor"].is_string()) {
        users = server.get("/api/users?limit=2&cursor=" + url_encode(users["pagination"]["nextCursor"].get<std::string>()),
                           admin.access)
                    .json();
        for (auto& id : ids(users)) walked.push_back(id);
    }
    CHECK(walked == ids(server.get("/api/users?limit=100", admin.access).json()));
    CHECK(walked.size() == 5);

    auto lead = create_lead(server, admin.access, {{"title", "with activities"}});
    auto other = create_lead(server, admin.access, {{"title", "other"}});
    for (int i = 0; i < 5; ++i)
        REQUIRE(server.post("/api/activities", {{"leadId", lead["id"]}, {"type", "NOTE"}, {"body", std::to_string(i)}},
                            admin.access)
                    .status == 201);
    std::string base = "/api/activities/lead/" + lead["id"].get<std::string>();
    auto page = server.get(base + "?limit=2", admin.access).json();
    std::vector<std::string> bodies;
    for (;;) {
        for (auto& a : page["data"]) bodies.push_back(a["body"]);
        if (page["pagination"]["nextCursor"].is_null()) break;
        std::string next = page["pagination"]["nextCursor"];
        auto foreign = server.get("/api/activities/lead/" + other["id"].get<std::string>() + "?cursor=" + url_encode(next),
                                  admin.access);
        (void)expect_problem(foreign, 400, "VALIDATION_FAILED");
        page = server.get(base + "?limit=2&cursor=" + url_encode(next), admin.access).json();
    }
    CHECK(bodies == std::vector<std::string>{"4", "3", "2", "1", "0"});
}
