// /api/users and the role rules for users, end to end.
#include "harness.hpp"

#include <doctest/doctest.h>

using namespace crmtest;

TEST_CASE("server: users RBAC per role (ADMIN, MANAGER, SALES x own/other)") {
    Server server;
    auto admin = admin_session(server);
    auto manager = make_user(server, admin, "manager@example.com", "MANAGER");
    auto sales = make_user(server, admin, "sales@example.com", "SALES");
    auto sales2 = make_user(server, admin, "sales2@example.com", "SALES");
    CHECK(manager.user["role"] == "MANAGER");

    // GET /api/users: ADMIN only.
    {
        auto list = server.get("/api/users", admin.access);
        REQUIRE(list.status == 200);
        auto body = list.json();
        CHECK(body["pagination"] == json{{"page", 1}, {"limit", 20}, {"total", 4}, {"totalPages", 1}, {"nextCursor", nullptr}});
        CHECK(body["data"].size() == 4);
        for (const auto& u : body["data"]) {
            CHECK(u.size() == 6);
            CHECK_FALSE(u.contains("password"));
        }
        expect_problem(server.get("/api/users", manager.access), 403, "FORBIDDEN");
        expect_problem(server.get("/api/users", sales.access), 403, "FORBIDDEN");
        auto page = server.get("/api/users?page=2&limit=3", admin.access).json();
        CHECK(page["data"].size() == 1);
        CHECK(page["pagination"] == json{{"page", 2}, {"limit", 3}, {"total", 4}, {"totalPages", 2}, {"nextCursor", nullptr}});
    }
    // GET /api/users/:id: ADMIN and MANAGER anyone, SALES self only (403).
    for (const auto* who : {&admin, &manager}) {
        for (const auto* whom : {&admin, &manager, &sales}) {
            auto reply = server.get("/api/users/" + whom->id, who->access);
            CHECK(reply.status == 200);
            CHECK(reply.json()["id"] == whom->id);
        }
    }
    CHECK(server.get("/api/users/" + sales.id, sales.access).status == 200);
    expect_problem(server.get("/api/users/" + sales2.id, sales.access), 403, "FORBIDDEN");
    expect_problem(server.get("/api/users/" + admin.id, sales.access), 403, "FORBIDDEN");
    expect_problem(server.get("/api/users/01890000-0000-7000-8000-000000000000", admin.access), 404, "NOT_FOUND");

    // PUT /api/users/:id: ADMIN anyone and any field; others self only, never the role.
    {
        auto renamed = server.put("/api/users/" + sales.id, {{"name", "Renamed by admin"}}, admin.access);
        REQUIRE(renamed.status == 200);
        CHECK(renamed.json()["name"] == "Renamed by admin");
        CHECK(renamed.json()["email"] == sales.email);  // absent fields are left alone

        CHECK(server.put("/api/users/" + manager.id, {{"name", "Manager Self"}}, manager.access).status == 200);
        expect_problem(server.put("/api/users/" + sales.id, {{"name", "x"}}, manager.access), 403, "FORBIDDEN");
        expect_problem(server.put("/api/users/" + admin.id, {{"name", "x"}}, manager.access), 403, "FORBIDDEN");
        CHECK(server.put("/api/users/" + sales.id, {{"name", "Sales Self"}}, sales.access).status == 200);
        expect_problem(server.put("/api/users/" + sales2.id, {{"name", "x"}}, sales.access), 403, "FORBIDDEN");
        expect_problem(server.put("/api/users/" + sales.id, {{"role", "ADMIN"}}, sales.access), 403, "FORBIDDEN");
        expect_problem(server.put("/api/users/" + manager.id, {{"role", "ADMIN"}}, manager.access), 403, "FORBIDDEN");
        // Sending one's current role is not a change.
        CHECK(server.put("/api/users/" + sales.id, {{"role", "SALES"}}, sales.access).status == 200);

        auto email = server.put("/api/users/" + sales.id, {{"email", " Sales.New@Example.com"}}, sales.access);
        REQUIRE(email.status == 200);
        CHECK(email.json()["email"] == "sales.new@example.com");
        auto taken = expect_problem(
            server.put("/api/users/" + sales.id, {{"email", "MANAGER@example.com"}}, sales.access), 409, "CONFLICT");
        CHECK(taken["errors"] == json::array({{{"field", "email"}, {"message", "is already taken"}}}));
        auto invalid = expect_problem(
            server.put("/api/users/" + sales.id, {{"role", "OWNER"}, {"name", 7}}, admin.access), 400,
            "VALIDATION_FAILED");
        CHECK(invalid["errors"].size() == 2);
        auto blank = expect_problem(server.put("/api/users/" + sales.id, {{"name", "  "}}, admin.access), 400,
                                    "VALIDATION_FAILED");
        CHECK(blank["errors"][0]["field"] == "name");
        expect_problem(server.put("/api/users/" + sales.id, {{"name", nullptr}}, admin.access), 400,
                       "VALIDATION_FAILED");
        // id, createdAt, updatedAt and unknown members are ignored.
        auto before = server.get("/api/users/" + sales2.id, admin.access).json();
        auto ignored = server.put("/api/users/" + sales2.id,
                                  {{"id", admin.id}, {"createdAt", "2000-01-01T00:00:00.000Z"}, {"favourite", "tea"}},
                                  admin.access);
        REQUIRE(ignored.status == 200);
        CHECK(ignored.json()["id"] == sales2.id);
        CHECK(ignored.json()["createdAt"] == before["createdAt"]);
        expect_problem(server.put("/api/users/01890000-0000-7000-8000-000000000000", {{"name", "x"}}, admin.access), 404,
                       "NOT_FOUND");
    }
    // A role change takes effect on the next request, with the same token.
    {
        expect_problem(server.get("/api/users/" + sales2.id, sales.access), 403, "FORBIDDEN");
        CHECK(server.put("/api/users/" + sales.id, {{"role", "MANAGER"}}, admin.access).status == 200);
        CHECK(server.get("/api/users/" + sales2.id, sales.access).status == 200);
        CHECK(server.put("/api/users/" + sales.id, {{"role", "SALES"}}, admin.access).status == 200);
        expect_problem(server.get("/api/users/" + sales2.id, sales.access), 403, "FORBIDDEN");
    }
    // DELETE /api/users/:id: ADMIN only.
    {
        expect_problem(server.del("/api/users/" + sales2.id, manager.access), 403, "FORBIDDEN");
        expect_problem(server.del("/api/users/" + sales2.id, sales.access), 403, "FORBIDDEN");
        expect_problem(server.del("/api/users/" + sales.id, sales.access), 403, "FORBIDDEN");
        auto deleted = server.del("/api/users/" + sales2.id, admin.access);
        CHECK(deleted.status == 204);
        CHECK(deleted.body.empty());
        expect_problem(server.get("/api/users/" + sales2.id, admin.access), 404, "NOT_FOUND");
        expect_problem(server.del("/api/users/" + sales2.id, admin.access), 404, "NOT_FOUND");
    }
}

TEST_CASE("server: the last ADMIN can be neither deleted nor demoted") {
    Server server;
    auto admin = admin_session(server);
    // The last ADMIN is no field's fault: errors[] stays empty.
    CHECK(expect_problem(server.del("/api/users/" + admin.id, admin.access), 409, "CONFLICT")["errors"].empty());
    expect_problem(server.put("/api/users/" + admin.id, {{"role", "MANAGER"}}, admin.access), 409, "CONFLICT");

    auto second = make_user(server, admin, "second-admin@example.com", "ADMIN");
    CHECK(second.user["role"] == "ADMIN");
    CHECK(server.put("/api/users/" + admin.id, {{"role", "MANAGER"}}, second.access).status == 200);
    expect_problem(server.del("/api/users/" + second.id, second.access), 409, "CONFLICT");
    CHECK(server.put("/api/users/" + admin.id, {{"role", "ADMIN"}}, second.access).status == 200);
    CHECK(server.del("/api/users/" + second.id, admin.access).status == 204);
}

TEST_CASE("server: a deleted user's leads and activities stay, unowned and authorless") {
    Server server;
    auto admin = admin_session(server);
    auto sales = make_user(server, admin, "departing@example.com", "SALES");
    auto lead = create_lead(server, sales.access, {{"title", "Kept lead"}});
    CHECK(lead["ownerId"] == sales.id);
    auto activity = server.post("/api/activities", {{"leadId", lead["id"]}, {"type", "CALL"}}, sales.access);
    REQUIRE(activity.status == 201);
    CHECK(activity.json()["createdBy"] == sales.id);

    CHECK(server.del("/api/users/" + sales.id, admin.access).status == 204);
    auto kept = server.get("/api/leads/" + lead["id"].get<std::string>(), admin.access);
    REQUIRE(kept.status == 200);
    CHECK(kept.json()["ownerId"].is_null());
    auto kept_activity = server.get("/api/activities/" + activity.json()["id"].get<std::string>(), admin.access);
    REQUIRE(kept_activity.status == 200);
    CHECK(kept_activity.json()["createdBy"].is_null());
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", sales.refresh}}), 401, "UNAUTHORIZED");
    expect_problem(server.post("/api/auth/login", {{"email", sales.email}, {"password", sales.password}}), 401,
                   "UNAUTHORIZED");
}
