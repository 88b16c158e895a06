// Transport-level behaviour: health, routing (404/405/OPTIONS), CORS, the access log, shutdown,
// configuration, and the route table against docs/openapi.yaml.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

using namespace crmtest;

namespace {

std::set<std::string> allow_set(const std::string& header) {
    std::set<std::string> out;
    std::stringstream s(header);
    std::string item;
    while (std::getline(s, item, ',')) {
        auto first = item.find_first_not_of(' ');
        auto last = item.find_last_not_of(' ');
        if (first != std::string::npos) out.insert(item.substr(first, last - first + 1));
    }
    return out;
}

bool contains_ci(std::string haystack, std::string needle) {
    for (auto* s : {&haystack, &needle})
        for (auto& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("server: health answers 200 with the database state") {
    Server server;
    auto reply = server.get("/api/health");
    CHECK(reply.status == 200);
    CHECK(reply.header("Content-Type").rfind("application/json", 0) == 0);
    CHECK(reply.json() == json{{"status", "ok"}, {"database", "ok"}});
    CHECK(server.send("HEAD", "/api/health").status == 200);
}

TEST_CASE("server: GET /api/openapi.yaml serves docs/openapi.yaml without authentication") {
    // Front-end developers generate clients from the running server: it must serve the document
    // it was built with, byte for byte, to anyone.
    std::ifstream in(CRM_OPENAPI_PATH, std::ios::binary);
    REQUIRE_MESSAGE(in, "cannot read " << CRM_OPENAPI_PATH);
    std::string document{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    REQUIRE(document.rfind("openapi: 3.", 0) == 0);

    Server server;
    auto reply = server.get("/api/openapi.yaml");
    CHECK(reply.status == 200);
    CHECK(reply.header("Content-Type") == "application/yaml");
    CHECK(reply.body == document);
    CHECK(reply.has_header("X-Request-Id"));
    // A token, even a bad one, is not looked at; HEAD, OPTIONS and other methods as for any route.
    CHECK(server.get("/api/openapi.yaml", "not-a-token").status == 200);
    auto head = server.send("HEAD", "/api/openapi.yaml");
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(server.send("OPTIONS", "/api/openapi.yaml").status == 204);
    auto post = server.post("/api/openapi.yaml", json::object());
    CHECK(post.status == 405);
    CHECK(post.header("Allow").find("GET") != std::string::npos);
}

TEST_CASE("server: unknown routes are 404 problem+json") {
    Server server;
    auto admin = admin_session(server);
    for (std::string path : {"/", "/api", "/api/nope", "/api/leads/a/b", "/api/users/x/y", "/api//leads", "/health"}) {
        CAPTURE(path);
        expect_problem(server.get(path), 404, "NOT_FOUND");
        expect_problem(server.get(path, admin.access), 404, "NOT_FOUND");
        expect_problem(server.post(path, json::object(), admin.access), 404, "NOT_FOUND");
    }
    // A trailing slash names the same route, as in Express.
    CHECK(server.get("/api/leads/", admin.access).status == 200);
}

TEST_CASE("server: a path that exists for other methods is 405 with Allow") {
    Server server;
    auto admin = admin_session(server);
    struct Case {
        std::string method, path;
        std::set<std::string> allow;
    };
    std::string id = admin.id;
    std::vector<Case> cases{
        {"PATCH", "/api/leads", {"GET", "HEAD", "POST", "OPTIONS"}},
        {"DELETE", "/api/leads", {"GET", "HEAD", "POST", "OPTIONS"}},
        {"PUT", "/api/leads", {"GET", "HEAD", "POST", "OPTIONS"}},
        {"POST", "/api/leads/" + id, {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}},
        {"PATCH", "/api/users/" + id, {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}},
        {"POST", "/api/users", {"GET", "HEAD", "OPTIONS"}},
        {"GET", "/api/auth/login", {"POST", "OPTIONS"}},
        {"DELETE", "/api/auth/register", {"POST", "OPTIONS"}},
        {"POST", "/api/auth/me", {"GET", "HEAD", "OPTIONS"}},
        {"GET", "/api/activities", {"POST", "OPTIONS"}},
        {"POST", "/api/activities/lead/" + id, {"GET", "HEAD", "OPTIONS"}},
        {"POST", "/api/health", {"GET", "HEAD", "OPTIONS"}},
        {"TRACE", "/api/leads", {"GET", "HEAD", "POST", "OPTIONS"}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.method);
        CAPTURE(c.path);
        // With and without a token: routing comes before authentication.
        for (const std::string& token : {std::string(), admin.access}) {
            auto reply = server.send(c.method, c.path, token, c.method == "POST" || c.method == "PUT"
                                                                   ? std::optional<std::string>("{}")
                                                                   : std::nullopt);
            expect_problem(reply, 405, "METHOD_NOT_ALLOWED");
            CHECK(allow_set(reply.header("Allow")) == c.allow);
        }
    }
}

TEST_CASE("server: OPTIONS answers 204 with Allow, without authentication") {
    Server server;
    auto reply = server.send("OPTIONS", "/api/leads");
    CHECK(reply.status == 204);
    CHECK(allow_set(reply.header("Allow")) == std::set<std::string>{"GET", "HEAD", "POST", "OPTIONS"});
    CHECK(reply.body.empty());
    expect_problem(server.send("OPTIONS", "/api/nope"), 404, "NOT_FOUND");
}

TEST_CASE("server: CORS for the configured origins, errors and preflights included") {
    Server server;
    httplib::Headers from_app{{"Origin", cors_origin}};
    httplib::Headers from_elsewhere{{"Origin", "http://evil.example"}};

    // Preflight: 204, no token needed, the Access-Control-Allow-* headers.
    auto preflight = server.send("OPTIONS", "/api/leads", "", std::nullopt, "",
                                 {{"Origin", cors_origin},
                                  {"Access-Control-Request-Method", "POST"},
                                  {"Access-Control-Request-Headers", "authorization, content-type"}});
    CHECK(preflight.status == 204);
    CHECK(preflight.header("Access-Control-Allow-Origin") == cors_origin);
    CHECK(contains_ci(preflight.header("Access-Control-Allow-Methods"), "POST"));
    CHECK(contains_ci(preflight.header("Access-Control-Allow-Headers"), "Authorization"));
    CHECK(contains_ci(preflight.header("Access-Control-Allow-Headers"), "Content-Type"));
    auto preflight_item = server.send("OPTIONS", "/api/leads/" + std::string(36, 'x'), "", std::nullopt, "",
                                      {{"Origin", cors_origin}, {"Access-Control-Request-Method", "PUT"}});
    CHECK(preflight_item.status == 204);
    CHECK(contains_ci(preflight_item.header("Access-Control-Allow-Methods"), "PUT"));
    CHECK(contains_ci(preflight_item.header("Access-Control-Allow-Methods"), "DELETE"));

    // Responses to the allowed origin carry the header, errors too.
    CHECK(server.send("GET", "/api/health", "", std::nullopt, "", from_app).header("Access-Control-Allow-Origin") ==
          cors_origin);
    auto unauthorized = server.send("GET", "/api/leads", "", std::nullopt, "", from_app);
    CHECK(unauthorized.status == 401);
    CHECK(unauthorized.header("Access-Control-Allow-Origin") == cors_origin);
    auto missing = server.send("GET", "/api/nope", "", std::nullopt, "", from_app);
    CHECK(missing.status == 404);
    CHECK(missing.header("Access-Control-Allow-Origin") == cors_origin);
    auto bad = server.send("POST", "/api/auth/login", "", "{", "application/json", from_app);
    CHECK(bad.status == 400);
    CHECK(bad.header("Access-Control-Allow-Origin") == cors_origin);
    auto too_large = server.send("POST", "/api/leads", "", std::string(1024 * 1024 + 1, ' '), "application/json",
                                 from_app);
    CHECK(too_large.status == 413);
    CHECK(too_large.header("Access-Control-Allow-Origin") == cors_origin);

    // Other origins get no CORS headers at all.
    auto other = server.send("OPTIONS", "/api/leads", "", std::nullopt, "",
                             {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
    CHECK_FALSE(other.has_header("Access-Control-Allow-Origin"));
    CHECK_FALSE(other.has_header("Access-Control-Allow-Methods"));
    CHECK_FALSE(server.send("GET", "/api/health", "", std::nullopt, "", from_elsewhere)
                    .has_header("Access-Control-Allow-Origin"));
}

TEST_CASE("server: CORS is off without CRM_CORS_ORIGINS and open with *") {
    {
        Server server(with_env({{"CRM_CORS_ORIGINS", ""}}));
        auto reply = server.send("GET", "/api/health", "", std::nullopt, "", {{"Origin", cors_origin}});
        CHECK(reply.status == 200);
        CHECK_FALSE(reply.has_header("Access-Control-Allow-Origin"));
        CHECK(server.send("OPTIONS", "/api/leads", "", std::nullopt, "", {{"Origin", cors_origin}}).status == 204);
    }
    {
        Server server(with_env({{"CRM_CORS_ORIGINS", "*"}}));
        auto reply = server.send("GET", "/api/leads", "", std::nullopt, "", {{"Origin", "http://anywhere.example"}});
        CHECK(reply.status == 401);
        CHECK(reply.header("Access-Control-Allow-Origin") == "*");
    }
    {
        Server server(with_env({{"CRM_CORS_ORIGINS", "http://a.example, http://b.example"}}));
        CHECK(server.send("GET", "/api/health", "", std::nullopt, "", {{"Origin", "http://b.example"}})
                  .header("Access-Control-Allow-Origin") == "http://b.example");
        CHECK_FALSE(server.send("GET", "/api/health", "", std::nullopt, "", {{"Origin", "http://c.example"}})
                        .has_header("Access-Control-Allow-Origin"));
    }
}

TEST_CASE("server: one access log line per request, without query, token, password or body") {
    Server server;
    auto admin = admin_session(server);
    const std::string secret_password = "a-very-secret-password-42";
    auto user = register_user(server, "logged@example.com", secret_password);
    CHECK(server.get("/api/leads?q=needle-in-query&page=1", admin.access).status == 200);
    auto lead = create_lead(server, admin.access, {{"title", "body-secret-title"}});
    auto bad = server.get("/api/leads/not-a-uuid", admin.access);
    auto problem = expect_problem(bad, 400, "BAD_REQUEST");
    CHECK(bad.header("X-Request-Id") == problem["requestId"]);
    CHECK(server.post("/api/auth/refresh", {{"refreshToken", user.refresh}}).status == 200);
    server.stop();

    std::string log = server.log();
    CHECK(log.find("GET /api/leads 200") != std::string::npos);
    CHECK(log.find("POST /api/leads 201") != std::string::npos);
    CHECK(log.find("POST /api/auth/login 200") != std::string::npos);
    CHECK(log.find("GET /api/leads/not-a-uuid 400") != std::string::npos);
    CHECK(log.find("user=" + admin.id) != std::string::npos);
    CHECK(log.find(problem["requestId"].get<std::string>()) != std::string::npos);  // the error's line
    CHECK(log.find("needle-in-query") == std::string::npos);
    CHECK(log.find('?') == std::string::npos);
    CHECK(log.find(secret_password) == std::string::npos);
    CHECK(log.find(admin_password) == std::string::npos);
    CHECK(log.find(admin.access) == std::string::npos);
    CHECK(log.find(admin.refresh) == std::string::npos);
    CHECK(log.find(user.refresh) == std::string::npos);
    CHECK(log.find(user.access.substr(user.access.rfind('.') + 1)) == std::string::npos);
    CHECK(log.find("body-secret-title") == std::string::npos);
    CHECK(log.find(jwt_secret) == std::string::npos);
    // Every request has its line.
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = log.find(" access ", at)) != std::string::npos; ++at) ++lines;
    CHECK(lines >= 7);
}

TEST_CASE("server: SIGTERM finishes the request in flight, then exits 0") {
    Server server;
    auto admin = admin_session(server);
    std::string body = json{{"title", "sent in two halves"}}.dump();
    std::string head = "POST /api/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + admin.access +
                       "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                       std::to_string(body.size()) + "\r\n\r\n";
    std::string answer;
    std::thread client([&] {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<std::uint16_t>(server.port()));
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        std::string first = head + body.substr(0, 5);
        ::send(fd, first.data(), first.size(), MSG_NOSIGNAL);
        std::this_thread::sleep_for(std::chrono::milliseconds(600));  // SIGTERM arrives meanwhile
        std::string rest = body.substr(5);
        ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
        char buffer[4096];
        ssize_t n;
        while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(n));
        ::close(fd);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::kill(server.pid(), SIGTERM);
    client.join();
    CHECK(server.wait_exit() == 0);
    CHECK_MESSAGE(answer.rfind("HTTP/1.1 201", 0) == 0, answer);
    CHECK(answer.find("sent in two halves") != std::string::npos);
    CHECK(server.log().find("shutting down") != std::string::npos);
}

TEST_CASE("server: starts with no configuration at all and keeps its generated secret") {
    // An empty folder; only the bootstrap ADMIN and the port are given.
    auto dir = std::filesystem::temp_directory_path() / ("crm-server-noconfig-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::string access;
    {
        Server server(with_env({{"CRM_ADMIN_EMAIL", admin_email}, {"CRM_ADMIN_PASSWORD", admin_password}}, false, dir));
        std::string log = server.log();
        CHECK(log.find("listening on http://127.0.0.1:" + std::to_string(server.port())) != std::string::npos);
        CHECK(log.find("CRM_JWT_SECRET") != std::string::npos);  // the warning
        CHECK(std::filesystem::exists(dir / "crm.db"));
        auto secret_file = dir / "crm.db.jwt-secret";
        REQUIRE(std::filesystem::exists(secret_file));
        struct stat st {};
        REQUIRE(::stat(secret_file.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        std::ifstream in(secret_file);
        std::string secret;
        std::getline(in, secret);
        CHECK(secret.size() >= 32);
        CHECK(log.find(secret) == std::string::npos);

        auto admin = admin_session(server);
        CHECK(admin.user["role"] == "ADMIN");
        CHECK(server.get("/api/auth/me", admin.access).json()["email"] == admin_email);
        access = admin.access;
        CHECK(server.stop() == 0);
    }
    {
        // A restart uses the same secret: the token still works; the ADMIN is not created twice.
        Server server(with_env({{"CRM_ADMIN_EMAIL", admin_email}, {"CRM_ADMIN_PASSWORD", admin_password}}, false, dir));
        CHECK(server.get("/api/auth/me", access).status == 200);
        auto users = server.get("/api/users", access).json();
        CHECK(users["pagination"]["total"] == 1);
        CHECK(server.stop() == 0);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("server: the environment wins over .env") {
    auto dir = std::filesystem::temp_directory_path() / ("crm-server-dotenv-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        std::ofstream env(dir / ".env");
        env << "# settings for the test\n"
               "PORT=1\n"
               "export CRM_CORS_ORIGINS=\"http://dotenv.example\"\n"
               "CRM_JWT_ALGORITHM=HS512 # a comment\n"
               "CRM_ACCESS_TOKEN_TTL='120'\n";
    }
    {
        Server server(with_env({}, true, dir));  // PORT comes from the environment
        CHECK(server.send("GET", "/api/health", "", std::nullopt, "", {{"Origin", cors_origin}})
                  .header("Access-Control-Allow-Origin") == cors_origin);  // the environment's value
        auto admin = admin_session(server);
        auto header = json::parse(base64url_decode(admin.access.substr(0, admin.access.find('.'))));
        CHECK(header["alg"] == "HS512");  // from .env
        auto payload = jwt_payload(admin.access);
        CHECK(payload["exp"].get<std::int64_t>() - payload["iat"].get<std::int64_t>() == 120);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("server: warns when a .env holding secrets is readable by others") {
    for (mode_t mode : {mode_t(0644), mode_t(0600)}) {
        auto dir = std::filesystem::temp_directory_path() /
                   ("crm-server-dotenv-mode-" + std::to_string(::getpid()) + "-" + std::to_string(mode));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        {
            std::ofstream env(dir / ".env");
            env << "CRM_JWT_SECRET=" << jwt_secret << "\n";
        }
        ::chmod((dir / ".env").c_str(), mode);
        {
            Server server(with_env({}, true, dir));
            CHECK(server.get("/api/health").status == 200);
            bool warned = server.log().find(".env holds secrets but other users may read it") != std::string::npos;
            CAPTURE(mode);
            CHECK(warned == (mode == 0644));
            CHECK(server.log().find(jwt_secret) == std::string::npos);  // the warning never quotes the secret
        }
        std::filesystem::remove_all(dir);
    }
}

TEST_CASE("server: refuses to start on unusable configuration") {
    for (auto [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"CRM_JWT_ALGORITHM", "RS256"},
             {"CRM_JWT_SECRET", "too-short"},
             {"PORT", "70000"},
             {"CRM_ACCESS_TOKEN_TTL", "-5"},
             {"CRM_DATABASE_URL", "mysql://nope"},
             {"CRM_THREADS", "0"}}) {
        CAPTURE(name);
        std::string why;
        try {
            Server server(with_env({{name, value}}));
            FAIL("the server started");
        } catch (const std::runtime_error& e) {
            why = e.what();
        }
        CHECK(why.find("exited with status 1") != std::string::npos);
        CHECK(why.find("fatal") != std::string::npos);
        if (name == "CRM_JWT_SECRET") CHECK(why.find(value) == std::string::npos);
    }
}

TEST_CASE("server: the served routes are exactly the paths of docs/openapi.yaml") {
    // The server's table, from its hidden --print-routes flag.
    std::set<std::string> served;
    {
        std::string command = std::string("'") + CRM_SERVER_PATH + "' --print-routes";
        FILE* pipe = ::popen(command.c_str(), "r");
        REQUIRE(pipe);
        char line[512];
        while (std::fgets(line, sizeof line, pipe)) {
            std::string s(line);
            while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
            if (!s.empty()) served.insert(s);
        }
        CHECK(::pclose(pipe) == 0);
    }
    REQUIRE(served.size() >= 20);

    // The document's operations: "  /path:" then "    get:" under `paths:`.
    std::set<std::string> documented;
    std::ifstream in(CRM_OPENAPI_PATH);
    REQUIRE_MESSAGE(in, "cannot read " << CRM_OPENAPI_PATH);
    std::string line, path;
    bool in_paths = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        if (line[0] != ' ') {
            in_paths = line == "paths:";
            continue;
        }
        if (!in_paths) continue;
        if (line.rfind("  /", 0) == 0 && line.back() == ':') {
            path = line.substr(2, line.size() - 3);
            if (path.size() > 1 && path.front() == '\'' ) path = path.substr(1, path.size() - 2);
            continue;
        }
        for (std::string method : {"get", "post", "put", "delete", "patch", "head", "options"}) {
            if (line == "    " + method + ":") {
                std::string upper;
                for (char c : method) upper.push_back(static_cast<char>(std::toupper(c)));
                documented.insert(upper + " " + path);
            }
        }
    }
    CHECK(served == documented);
    for (const auto& r : served)
        if (!documented.count(r)) MESSAGE("served but not documented: " << r);
    for (const auto& r : documented)
        if (!served.count(r)) MESSAGE("documented but not served: " << r);
}

TEST_CASE("server: an unreachable database is 503 UNAVAILABLE and the server recovers") {
    if (backend() != "postgresql") {
        MESSAGE("simulated on PostgreSQL only (connections are refused and terminated there)");
        return;
    }
    Server server;
    auto admin = admin_session(server);
    CHECK(server.get("/api/leads", admin.access).status == 200);
    std::string db = server.database_url().substr(server.database_url().rfind('/') + 1);
    PgDatabase::admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS false");
    PgDatabase::admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db + "'");

    auto health = server.get("/api/health");
    CHECK(health.status == 503);
    CHECK(health.json() == json{{"status", "error"}, {"database", "unavailable"}});
    auto problem = expect_problem(server.get("/api/leads", admin.access), 503, "UNAVAILABLE");
    CHECK(problem["detail"].get<std::string>().find("postgres") == std::string::npos);
    CHECK(problem["detail"].get<std::string>().find(db) == std::string::npos);
    // The error's own log line names the request.
    std::string log = server.log();
    auto at = log.find("error requestId=" + problem["requestId"].get<std::string>());
    CHECK(at != std::string::npos);
    expect_problem(server.post("/api/auth/login", {{"email", admin_email}, {"password", admin_password}}), 503,
                   "UNAVAILABLE");

    PgDatabase::admin("ALTER DATABASE " + db + " ALLOW_CONNECTIONS true");
    bool recovered = false;
    for (int i = 0; i < 100 && !recovered; ++i) {
        recovered = server.get("/api/health").status == 200;
        if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    CHECK(recovered);
    CHECK(server.get("/api/leads", admin.access).status == 200);
    CHECK(server.stop() == 0);
}
