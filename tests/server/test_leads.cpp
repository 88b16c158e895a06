// /api/leads: CRUD, PUT semantics, filters, sort, pagination, and the scope per role.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <thread>

using namespace crmtest;

namespace {

std::vector<std::string> titles(const json& page) {
    std::vector<std::string> out;
    for (const auto& lead : page["data"]) out.push_back(lead["title"]);
    return out;
}

std::string id_of(const json& object) { return object["id"].get<std::string>(); }

}  // namespace

TEST_CASE("server: lead create, read, partial update and delete") {
    Server server;
    auto admin = admin_session(server);

    auto minimal = create_lead(server, admin.access, {{"title", "Minimal"}});
    CHECK(minimal.size() == 9);
    CHECK(is_lower_uuid(minimal["id"]));
    CHECK(minimal["title"] == "Minimal");
    CHECK(minimal["status"] == "NEW");
    CHECK(minimal["ownerId"] == admin.id);  // absent ownerId: the caller
    CHECK(minimal["description"].is_null());
    CHECK(minimal["source"].is_null());
    CHECK(minimal["metadata"].is_null());
    CHECK(is_timestamp(minimal["createdAt"]));
    CHECK(is_timestamp(minimal["updatedAt"]));

    json metadata{{"tags", {"vip", "renewal"}}, {"score", 42}, {"nested", {{"deep", {{"ok", true}}}, {"none", nullptr}}}};
    auto full = create_lead(server, admin.access,
                            {{"title", "Full"},
                             {"description", "A longer text"},
                             {"status", "QUALIFIED"},
                             {"source", "web"},
                             {"ownerId", nullptr},
                             {"metadata", metadata},
                             {"id", "01890000-0000-7000-8000-000000000000"},
                             {"createdAt", "2000-01-01T00:00:00.000Z"},
                             {"unknown", 1}});
    CHECK(full["description"] == "A longer text");
    CHECK(full["status"] == "QUALIFIED");
    CHECK(full["source"] == "web");
    CHECK(full["ownerId"].is_null());
    CHECK(full["metadata"] == metadata);
    CHECK(full["id"] != "01890000-0000-7000-8000-000000000000");
    CHECK(full["createdAt"] != "2000-01-01T00:00:00.000Z");

    std::string path = "/api/leads/" + id_of(full);
    auto read = server.get(path, admin.access);
    REQUIRE(read.status == 200);
    CHECK(read.json() == full);

    // PUT: absent fields stay, null clears nullable ones, server-set and unknown members are ignored.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto updated = server.put(path,
                              {{"description", nullptr},
                               {"status", "CLOSED"},
                               {"id", id_of(minimal)},
                               {"createdAt", "2000-01-01T00:00:00.000Z"},
                               {"updatedAt", "2000-01-01T00:00:00.000Z"},
                               {"createdBy", admin.id},
                               {"colour", "blue"}},
                              admin.access);
    REQUIRE(updated.status == 200);
    auto after = updated.json();
    CHECK(after["id"] == full["id"]);
    CHECK(after["title"] == "Full");
    CHECK(after["description"].is_null());
    CHECK(after["status"] == "CLOSED");
    CHECK(after["source"] == "web");
    CHECK(after["metadata"] == metadata);
    CHECK(after["createdAt"] == full["createdAt"]);
    CHECK(after["updatedAt"] != full["updatedAt"]);
    CHECK(after["updatedAt"].get<std::string>() > full["updatedAt"].get<std::string>());
    CHECK(server.get(path, admin.access).json() == after);

    auto cleared = server.put(path, {{"source", nullptr}, {"metadata", nullptr}, {"ownerId", admin.id}}, admin.access);
    REQUIRE(cleared.status == 200);
    CHECK(cleared.json()["source"].is_null());
    CHECK(cleared.json()["metadata"].is_null());
    CHECK(cleared.json()["ownerId"] == admin.id);
    auto empty = server.put(path, json::object(), admin.access);
    REQUIRE(empty.status == 200);
    CHECK(empty.json()["title"] == "Full");

    // Wrong JSON types name the field.
    for (auto [field, value] : std::vector<std::pair<std::string, json>>{{"title", 5},
                                                                          {"title", nullptr},
                                                                          {"title", json::array()},
                                                                          {"description", true},
                                                                          {"status", "WON"},
                                                                          {"status", 1},
                                                                          {"source", json::object()},
                                                                          {"ownerId", "nobody"},
                                                                          {"ownerId", 12},
                                                                          {"metadata", json::array({1, 2})},
                                                                          {"metadata", "{\"a\":1}"},
                                                                          {"metadata", 3}}) {
        CAPTURE(field);
        CAPTURE(value.dump());
        auto put = expect_problem(server.put(path, {{field, value}}, admin.access), 400, "VALIDATION_FAILED");
        REQUIRE(put["errors"].size() == 1);
        CHECK(put["errors"][0]["field"] == field);
        auto post_body = json{{"title", "T"}};
        post_body[field] = value;
        auto post = expect_problem(server.post("/api/leads", post_body, admin.access), 400, "VALIDATION_FAILED");
        CHECK(post["errors"][0]["field"] == field);
    }
    auto missing_title = expect_problem(server.post("/api/leads", {{"description", "d"}}, admin.access), 400,
                                        "VALIDATION_FAILED");
    CHECK(missing_title["errors"][0]["field"] == "title");
    CHECK(missing_title["detail"] == "title is required");
    expect_problem(server.post("/api/leads", {{"title", " \t "}}, admin.access), 400, "VALIDATION_FAILED");
    expect_problem(server.put(path, {{"title", ""}}, admin.access), 400, "VALIDATION_FAILED");
    expect_problem(server.post("/api/leads", {{"title", std::string(256, 'x')}}, admin.access), 400,
                   "VALIDATION_FAILED");
    CHECK(server.post("/api/leads", {{"title", std::string(255, 'x')}}, admin.access).status == 201);
    CHECK(server.post("/api/leads", {{"title", std::string(255, 'x')}, {"source", std::string(255, 's')}},
                      admin.access)
              .status == 201);
    expect_problem(server.post("/api/leads", {{"title", "t"}, {"source", std::string(256, 's')}}, admin.access), 400,
                   "VALIDATION_FAILED");
    auto unknown_owner = expect_problem(
        server.post("/api/leads", {{"title", "t"}, {"ownerId", "01890000-0000-7000-8000-000000000000"}}, admin.access),
        400, "VALIDATION_FAILED");
    CHECK(unknown_owner["errors"][0]["field"] == "ownerId");
    expect_problem(server.put(path, {{"ownerId", "01890000-0000-7000-8000-000000000000"}}, admin.access), 400,
                   "VALIDATION_FAILED");
    // A long description is fine (only the body size limits it).
    CHECK(server.post("/api/leads", {{"title", "long"}, {"description", std::string(200000, 'd')}}, admin.access)
              .status == 201);

    // DELETE takes the lead's activities with it.
    auto activity = server.post("/api/activities", {{"leadId", id_of(full)}, {"type", "NOTE"}}, admin.access);
    REQUIRE(activity.status == 201);
    auto deleted = server.del(path, admin.access);
    CHECK(deleted.status == 204);
    CHECK(deleted.body.empty());
    expect_problem(server.get(path, admin.access), 404, "NOT_FOUND");
    expect_problem(server.put(path, {{"title", "x"}}, admin.access), 404, "NOT_FOUND");
    expect_problem(server.del(path, admin.access), 404, "NOT_FOUND");
    expect_problem(server.get("/api/activities/" + id_of(activity.json()), admin.access), 404, "NOT_FOUND");
}

TEST_CASE("server: lead list filters, sort and pagination") {
    Server server;
    auto admin = admin_session(server);
    auto sales = make_user(server, admin, "seller@example.com", "SALES");
    struct Seed {
        const char* title;
        const char* status;
        const char* source;
        const char* description;
        bool mine;
    };
    std::vector<Seed> seeds{
        {"Delta deal", "CONTACTED", "web", "Big ACME opportunity", true},
        {"alpha account", "NEW", "fair", "", false},
        {"Charlie corp", "CLOSED", "web", "", true},
        {"Bravo bank", "QUALIFIED", "referral", "acme subsidiary", false},
        {"echo enterprise", "NEW", "web", "", false},
    };
    for (const auto& s : seeds) {
        json body{{"title", s.title}, {"status", s.status}, {"source", s.source}};
        if (*s.description) body["description"] = s.description;
        body["ownerId"] = s.mine ? sales.id : admin.id;
        create_lead(server, admin.access, body);
        std::this_thread::sleep_for(std::chrono::milliseconds(3));  // distinct createdAt
    }
    auto list = [&](const std::string& query) {
        auto reply = server.get("/api/leads" + query, admin.access);
        REQUIRE_MESSAGE(reply.status == 200, reply.body);
        return reply.json();
    };

    // Default: newest first.
    auto all = list("");
    CHECK(titles(all) ==
          std::vector<std::string>{"echo enterprise", "Bravo bank", "Charlie corp", "alpha account", "Delta deal"});
    CHECK(all["pagination"] == json{{"page", 1}, {"limit", 20}, {"total", 5}, {"totalPages", 1}, {"nextCursor", nullptr}});
    CHECK(titles(list("?sort=createdAt")).front() == "Delta deal");
    CHECK(titles(list("?sort=-createdAt")).front() == "echo enterprise");
    CHECK(titles(list("?sort=updatedAt")).front() == "Delta deal");
    CHECK(titles(list("?sort=-updatedAt")).front() == "echo enterprise");

    // Title sort; status in pipeline order.
    auto by_title = titles(list("?sort=title"));
    auto by_title_desc = titles(list("?sort=-title"));
    CHECK(by_title.size() == 5);
    std::reverse(by_title_desc.begin(), by_title_desc.end());
    CHECK(by_title == by_title_desc);
    std::vector<std::string> statuses;
    auto by_status = list("?sort=status");
    for (const auto& lead : by_status["data"]) statuses.push_back(lead["status"]);
    CHECK(statuses == std::vector<std::string>{"NEW", "NEW", "CONTACTED", "QUALIFIED", "CLOSED"});
    statuses.clear();
    auto by_status_desc = list("?sort=-status");
    for (const auto& lead : by_status_desc["data"]) statuses.push_back(lead["status"]);
    CHECK(statuses == std::vector<std::string>{"CLOSED", "QUALIFIED", "CONTACTED", "NEW", "NEW"});

    // Filters.
    CHECK(list("?status=NEW")["pagination"]["total"] == 2);
    CHECK(list("?status=NEW,CLOSED")["pagination"]["total"] == 3);
    CHECK(list("?status=NEW&status=QUALIFIED")["pagination"]["total"] == 3);
    CHECK(list("?source=web")["pagination"]["total"] == 3);
    CHECK(list("?source=web&status=NEW")["pagination"]["total"] == 1);
    CHECK(list("?ownerId=" + sales.id)["pagination"]["total"] == 2);
    CHECK(list("?ownerId=" + admin.id + "&source=web")["pagination"]["total"] == 1);
    CHECK(titles(list("?q=acme&sort=title")) == std::vector<std::string>{"Bravo bank", "Delta deal"});  // description
    CHECK(titles(list("?q=CHARLIE")) == std::vector<std::string>{"Charlie corp"});                    // any case
    CHECK(list("?q=" + url_encode("%"))["pagination"]["total"] == 0);
    CHECK(list("?q=" + url_encode("_"))["pagination"]["total"] == 0);
    CHECK(list("?q=&status=")["pagination"]["total"] == 5);  // empty values are no filter

    // Pagination.
    auto page2 = list("?limit=2&page=2&sort=title");
    CHECK(page2["pagination"]["nextCursor"].is_string());
    {
        auto rest = page2["pagination"];
        rest.erase("nextCursor");
        CHECK(rest == json{{"page", 2}, {"limit", 2}, {"total", 5}, {"totalPages", 3}});
    }
    CHECK(page2["data"].size() == 2);
    CHECK(titles(page2) == std::vector<std::string>{by_title[2], by_title[3]});
    auto last = list("?limit=2&page=3&sort=title");
    CHECK(titles(last) == std::vector<std::string>{by_title[4]});
    auto beyond = list("?limit=2&page=9");
    CHECK(beyond["data"].empty());
    CHECK(beyond["pagination"]["total"] == 5);
    CHECK(list("?limit=100")["pagination"]["limit"] == 100);
    CHECK(list("?limit=1")["data"].size() == 1);

    // Bad query values: 400 VALIDATION_FAILED naming the parameter.
    for (auto [query, field] : std::vector<std::pair<std::string, std::string>>{{"?page=0", "page"},
                                                                                {"?page=-1", "page"},
                                                                                {"?page=abc", "page"},
                                                                                {"?page=1.5", "page"},
                                                                                {"?page=99999999999999999999", "page"},
                                                                                {"?limit=0", "limit"},
                                                                                {"?limit=101", "limit"},
                                                                                {"?limit=-5", "limit"},
                                                                                {"?limit=ten", "limit"},
                                                                                {"?limit=1e2", "limit"},
                                                                                {"?status=WON", "status"},
                                                                                {"?status=new", "status"},
                                                                                {"?status=NEW,", "status"},
                                                                                {"?sort=owner", "sort"},
                                                                                {"?sort=--title", "sort"},
                                                                                {"?ownerId=someone", "ownerId"}}) {
        CAPTURE(query);
        auto problem =
            expect_problem(server.get("/api/leads" + query, admin.access), 400, "VALIDATION_FAILED");
        REQUIRE(problem["errors"].size() >= 1);
        CHECK(problem["errors"][0]["field"] == field);
    }
    auto both = expect_problem(server.get("/api/leads?page=x&limit=y", admin.access), 400, "VALIDATION_FAILED");
    CHECK(both["errors"].size() == 2);
    for (const char* route : {"/api/users", "/api/activities/lead/"}) {
        std::string target = route;
        if (target.back() == '/') target += id_of(list("")["data"][0]);
        expect_problem(server.get(target + "?limit=101", admin.access), 400, "VALIDATION_FAILED");
        expect_problem(server.get(target + "?page=0", admin.access), 400, "VALIDATION_FAILED");
    }
}

TEST_CASE("server: lead scope per role (ADMIN, MANAGER, SALES x own/other/unowned)") {
    Server server;
    auto admin = admin_session(server);
    auto manager = make_user(server, admin, "manager@example.com", "MANAGER");
    auto sales = make_user(server, admin, "sales@example.com", "SALES");
    auto sales2 = make_user(server, admin, "sales2@example.com", "SALES");

    auto own = create_lead(server, sales.access, {{"title", "sales own"}});
    CHECK(own["ownerId"] == sales.id);
    auto other = create_lead(server, sales2.access, {{"title", "sales2 own"}});
    auto managers = create_lead(server, manager.access, {{"title", "manager own"}});
    auto unowned = create_lead(server, admin.access, {{"title", "unowned"}, {"ownerId", nullptr}});
    std::vector<json> everything{own, other, managers, unowned};

    struct Actor {
        const Session* session;
        std::set<std::string> visible;
    };
    std::vector<Actor> actors{
        {&admin, {id_of(own), id_of(other), id_of(managers), id_of(unowned)}},
        {&manager, {id_of(own), id_of(other), id_of(managers), id_of(unowned)}},
        {&sales, {id_of(own)}},
        {&sales2, {id_of(other)}},
    };
    for (const auto& actor : actors) {
        CAPTURE(actor.session->email);
        auto list = server.get("/api/leads", actor.session->access).json();
        std::set<std::string> listed;
        for (const auto& lead : list["data"]) listed.insert(lead["id"]);
        CHECK(listed == actor.visible);
        CHECK(list["pagination"]["total"] == actor.visible.size());
        for (const auto& lead : everything) {
            std::string path = "/api/leads/" + id_of(lead);
            CAPTURE(lead["title"]);
            if (actor.visible.count(id_of(lead))) {
                CHECK(server.get(path, actor.session->access).status == 200);
                CHECK(server.put(path, {{"description", "touched"}}, actor.session->access).status == 200);
            } else {
                // Out of scope looks exactly like absent.
                expect_problem(server.get(path, actor.session->access), 404, "NOT_FOUND");
                expect_problem(server.put(path, {{"title", "x"}}, actor.session->access), 404, "NOT_FOUND");
                expect_problem(server.del(path, actor.session->access), 404, "NOT_FOUND");
            }
        }
    }
    // A SALES user filtering on someone else finds nothing rather than an error.
    CHECK(server.get("/api/leads?ownerId=" + sales2.id, sales.access).json()["pagination"]["total"] == 0);

    // Creating with an owner: SALES only themselves.
    expect_problem(server.post("/api/leads", {{"title", "t"}, {"ownerId", sales2.id}}, sales.access), 403, "FORBIDDEN");
    expect_problem(server.post("/api/leads", {{"title", "t"}, {"ownerId", nullptr}}, sales.access), 403, "FORBIDDEN");
    CHECK(server.post("/api/leads", {{"title", "t"}, {"ownerId", sales.id}}, sales.access).status == 201);
    std::string upper = sales.id;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto upper_owner = server.post("/api/leads", {{"title", "t"}, {"ownerId", upper}}, sales.access);
    REQUIRE(upper_owner.status == 201);
    CHECK(upper_owner.json()["ownerId"] == sales.id);
    auto assigned = server.post("/api/leads", {{"title", "t"}, {"ownerId", sales2.id}}, manager.access);
    REQUIRE(assigned.status == 201);
    CHECK(assigned.json()["ownerId"] == sales2.id);
    CHECK(server.post("/api/leads", {{"title", "t"}, {"ownerId", nullptr}}, manager.access).status == 201);
    CHECK(server.post("/api/leads", {{"title", "t"}, {"ownerId", sales.id}}, admin.access).status == 201);

    // Reassigning: SALES may not give their lead away (nor unown it); MANAGER and ADMIN may.
    std::string own_path = "/api/leads/" + id_of(own);
    expect_problem(server.put(own_path, {{"ownerId", sales2.id}}, sales.access), 403, "FORBIDDEN");
    expect_problem(server.put(own_path, {{"ownerId", nullptr}}, sales.access), 403, "FORBIDDEN");
    CHECK(server.put(own_path, {{"ownerId", sales.id}, {"status", "CONTACTED"}}, sales.access).status == 200);
    CHECK(server.put(own_path, {{"ownerId", sales2.id}}, manager.access).json()["ownerId"] == sales2.id);
    expect_problem(server.get(own_path, sales.access), 404, "NOT_FOUND");
    CHECK(server.get(own_path, sales2.access).status == 200);
    CHECK(server.put(own_path, {{"ownerId", sales.id}}, admin.access).status == 200);

    // DELETE within scope.
    CHECK(server.del(own_path, sales.access).status == 204);
    CHECK(server.del("/api/leads/" + id_of(other), manager.access).status == 204);
    CHECK(server.del("/api/leads/" + id_of(unowned), admin.access).status == 204);
}
