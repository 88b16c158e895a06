// /api/activities: CRUD, list order and pagination, createdBy, and the scope per role.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace crmtest;

namespace {
std::string id_of(const json& object) { return object["id"].get<std::string>(); }
}  // namespace

TEST_CASE("server: activity create, list newest first, read, update and delete") {
    Server server;
    auto admin = admin_session(server);
    auto manager = make_user(server, admin, "manager@example.com", "MANAGER");
    auto lead = create_lead(server, admin.access, {{"title", "With activities"}});
    auto other_lead = create_lead(server, admin.access, {{"title", "Another"}});
    std::string lead_id = id_of(lead);

    auto first = server.post("/api/activities",
                             {{"leadId", lead_id}, {"type", "NOTE"}, {"body", "first"}, {"createdBy", manager.id}},
                             admin.access);
    REQUIRE(first.status == 201);
    auto a1 = first.json();
    CHECK(a1.size() == 7);
    CHECK(is_lower_uuid(a1["id"]));
    CHECK(a1["leadId"] == lead_id);
    CHECK(a1["type"] == "NOTE");
    CHECK(a1["body"] == "first");
    CHECK(a1["createdBy"] == admin.id);  // never the client's choice
    CHECK(is_timestamp(a1["createdAt"]));
    CHECK(is_timestamp(a1["updatedAt"]));
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    auto a2 = server.post("/api/activities", {{"leadId", lead_id}, {"type", "CALL"}}, manager.access).json();
    CHECK(a2["body"].is_null());
    CHECK(a2["createdBy"] == manager.id);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    auto a3 = server.post("/api/activities", {{"leadId", lead_id}, {"type", "EMAIL"}, {"body", nullptr}}, admin.access)
                  .json();
    CHECK(server.post("/api/activities", {{"leadId", id_of(other_lead)}, {"type", "NOTE"}}, admin.access).status == 201);

    auto list = server.get("/api/activities/lead/" + lead_id, admin.access);
    REQUIRE(list.status == 200);
    auto body = list.json();
    REQUIRE(body["data"].size() == 3);
    CHECK(body["data"][0]["id"] == a3["id"]);
    CHECK(body["data"][1]["id"] == a2["id"]);
    CHECK(body["data"][2]["id"] == a1["id"]);
    CHECK(body["pagination"] == json{{"page", 1}, {"limit", 20}, {"total", 3}, {"totalPages", 1}, {"nextCursor", nullptr}});
    auto page = server.get("/api/activities/lead/" + lead_id + "?limit=2&page=2", admin.access).json();
    CHECK(page["data"].size() == 1);
    CHECK(page["data"][0]["id"] == a1["id"]);
    CHECK(page["pagination"] == json{{"page", 2}, {"limit", 2}, {"total", 3}, {"totalPages", 2}, {"nextCursor", nullptr}});
    expect_problem(server.get("/api/activities/lead/01890000-0000-7000-8000-000000000000", admin.access), 404,
                   "NOT_FOUND");

    std::string path = "/api/activities/" + id_of(a1);
    CHECK(server.get(path, admin.access).json() == a1);
    auto updated = server.put(path, {{"type", "CALL"}, {"createdBy", manager.id}, {"id", id_of(a2)}}, admin.access);
    REQUIRE(updated.status == 200);
    CHECK(updated.json()["type"] == "CALL");
    CHECK(updated.json()["body"] == "first");  // absent: left alone
    CHECK(updated.json()["createdBy"] == admin.id);
    CHECK(updated.json()["id"] == a1["id"]);
    auto cleared = server.put(path, {{"body", nullptr}}, admin.access);
    CHECK(cleared.json()["body"].is_null());
    CHECK(cleared.json()["type"] == "CALL");
    CHECK(server.put(path, {{"leadId", lead_id}, {"body", "same lead is fine"}}, admin.access).status == 200);
    auto moved = expect_problem(server.put(path, {{"leadId", id_of(other_lead)}}, admin.access), 400,
                                "VALIDATION_FAILED");
    CHECK(moved["errors"][0]["field"] == "leadId");

    // Validation.
    for (auto [body_json, field] : std::vector<std::pair<json, std::string>>{
             {{{"type", "NOTE"}}, "leadId"},
             {{{"leadId", lead_id}}, "type"},
             {{{"leadId", lead_id}, {"type", "MEETING"}}, "type"},
             {{{"leadId", lead_id}, {"type", "note"}}, "type"},
             {{{"leadId", "not-a-uuid"}, {"type", "NOTE"}}, "leadId"},
             {{{"leadId", 7}, {"type", "NOTE"}}, "leadId"},
             {{{"leadId", lead_id}, {"type", "NOTE"}, {"body", 5}}, "body"}}) {
        CAPTURE(body_json.dump());
        auto problem = expect_problem(server.post("/api/activities", body_json, admin.access), 400, "VALIDATION_FAILED");
        CHECK(problem["errors"][0]["field"] == field);
    }
    expect_problem(server.put(path, {{"type", 1}}, admin.access), 400, "VALIDATION_FAILED");
    expect_problem(server.put(path, {{"body", json::array()}}, admin.access), 400, "VALIDATION_FAILED");
    expect_problem(server.put(path, {{"leadId", "x"}}, admin.access), 400, "VALIDATION_FAILED");
    expect_problem(
        server.post("/api/activities", {{"leadId", "01890000-0000-7000-8000-000000000000"}, {"type", "NOTE"}},
                    admin.access),
        404, "NOT_FOUND");
    CHECK(server.post("/api/activities", {{"leadId", lead_id}, {"type", "NOTE"}, {"body", std::string(300000, 'b')}},
                      admin.access)
              .status == 201);

    auto deleted = server.del(path, admin.access);
    CHECK(deleted.status == 204);
    expect_problem(server.get(path, admin.access), 404, "NOT_FOUND");
    expect_problem(server.put(path, {{"type", "NOTE"}}, admin.access), 404, "NOT_FOUND");
    expect_problem(server.del(path, admin.access), 404, "NOT_FOUND");
}

TEST_CASE("server: activity scope follows the lead's (ADMIN, MANAGER, SALES x own/other)") {
    Server server;
    auto admin = admin_session(server);
    auto manager = make_user(server, admin, "manager@example.com", "MANAGER");
    auto sales = make_user(server, admin, "sales@example.com", "SALES");
    auto sales2 = make_user(server, admin, "sales2@example.com", "SALES");
    auto own = create_lead(server, sales.access, {{"title", "own"}});
    auto other = create_lead(server, sales2.access, {{"title", "other"}});
    auto own_activity =
        server.post("/api/activities", {{"leadId", id_of(own)}, {"type", "NOTE"}}, sales.access).json();
    auto other_activity =
        server.post("/api/activities", {{"leadId", id_of(other)}, {"type", "NOTE"}}, sales2.access).json();

    // SALES: own lead's activities only; the other's are 404 like absent ones.
    CHECK(server.get("/api/activities/lead/" + id_of(own), sales.access).json()["pagination"]["total"] == 1);
    expect_problem(server.get("/api/activities/lead/" + id_of(other), sales.access), 404, "NOT_FOUND");
    CHECK(server.get("/api/activities/" + id_of(own_activity), sales.access).status == 200);
    expect_problem(server.get("/api/activities/" + id_of(other_activity), sales.access), 404, "NOT_FOUND");
    expect_problem(server.post("/api/activities", {{"leadId", id_of(other)}, {"type", "CALL"}}, sales.access), 404,
                   "NOT_FOUND");
    expect_problem(server.put("/api/activities/" + id_of(other_activity), {{"body", "x"}}, sales.access), 404,
                   "NOT_FOUND");
    expect_problem(server.del("/api/activities/" + id_of(other_activity), sales.access), 404, "NOT_FOUND");
    CHECK(server.put("/api/activities/" + id_of(own_activity), {{"body", "mine"}}, sales.access).status == 200);

    // MANAGER and ADMIN: every activity.
    for (const auto* who : {&manager, &admin}) {
        CAPTURE(who->email);
        CHECK(server.get("/api/activities/lead/" + id_of(other), who->access).status == 200);
        CHECK(server.get("/api/activities/" + id_of(other_activity), who->access).status == 200);
        CHECK(server.put("/api/activities/" + id_of(other_activity), {{"body", who->email}}, who->access).status == 200);
        auto created = server.post("/api/activities", {{"leadId", id_of(other)}, {"type", "EMAIL"}}, who->access);
        REQUIRE(created.status == 201);
        CHECK(created.json()["createdBy"] == who->id);
        CHECK(server.del("/api/activities/" + id_of(created.json()), who->access).status == 204);
    }
    CHECK(server.del("/api/activities/" + id_of(own_activity), sales.access).status == 204);
    CHECK(server.del("/api/activities/" + id_of(other_activity), manager.access).status == 204);
}
