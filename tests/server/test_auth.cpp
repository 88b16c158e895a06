// /api/auth: registration, login, refresh rotation and reuse detection, logout, and the access
// token refusals (none, forged, other algorithm, expired, deleted user).
#include "harness.hpp"

#include <doctest/doctest.h>

#include <thread>

using namespace crmtest;

namespace {

json without_request_id(json problem) {
    problem.erase("requestId");
    return problem;
}

}  // namespace

TEST_CASE("server: register creates a SALES user whatever the body says") {
    Server server;
    auto reply = server.post("/api/auth/register", {{"email", "  New.User@Example.COM "},
                                                    {"password", "password-123"},
                                                    {"name", "New User"},
                                                    {"role", "ADMIN"}});
    REQUIRE(reply.status == 201);
    CHECK(reply.header("Content-Type").rfind("application/json", 0) == 0);
    auto body = reply.json();
    CHECK(body["user"]["role"] == "SALES");
    CHECK(body["user"]["email"] == "new.user@example.com");
    CHECK(body["user"]["name"] == "New User");
    CHECK(is_lower_uuid(body["user"]["id"]));
    CHECK(is_timestamp(body["user"]["createdAt"]));
    CHECK(is_timestamp(body["user"]["updatedAt"]));
    CHECK(body["accessToken"].is_string());
    CHECK(body["refreshToken"].get<std::string>().size() >= 43);  // 256 bits in base64url
    CHECK_FALSE(body["user"].contains("password"));
    CHECK_FALSE(body["user"].contains("passwordHash"));
    CHECK(body["user"].size() == 6);
    CHECK(reply.body.find("password-123") == std::string::npos);

    // The name defaults to the part before '@'.
    auto unnamed = server.post("/api/auth/register", {{"email", "plain@example.com"}, {"password", "password-123"}});
    CHECK(unnamed.json()["user"]["name"] == "plain");

    // Taken, case-insensitively; errors[] names the field, as for a 400.
    auto taken =
        expect_problem(server.post("/api/auth/register", {{"email", "NEW.USER@example.com"}, {"password", "password-456"}}),
                       409, "CONFLICT");
    CHECK(taken["errors"] == json::array({{{"field", "email"}, {"message", "is already taken"}}}));

    // Validation.
    auto short_password =
        expect_problem(server.post("/api/auth/register", {{"email", "a@example.com"}, {"password", "short"}}), 400,
                       "VALIDATION_FAILED");
    CHECK(short_password["errors"][0]["field"] == "password");
    auto long_password = expect_problem(
        server.post("/api/auth/register", {{"email", "b@example.com"}, {"password", std::string(1025, 'x')}}), 400,
        "VALIDATION_FAILED");
    CHECK(long_password["errors"][0]["field"] == "password");
    CHECK(server.post("/api/auth/register", {{"email", "c@example.com"}, {"password", std::string(1024, 'x')}})
              .status == 201);
    auto bad_email = expect_problem(
        server.post("/api/auth/register", {{"email", "not-an-email"}, {"password", "password-123"}}), 400,
        "VALIDATION_FAILED");
    CHECK(bad_email["errors"][0]["field"] == "email");
    auto missing = expect_problem(server.post("/api/auth/register", json::object()), 400, "VALIDATION_FAILED");
    CHECK(missing["errors"].size() == 2);
    auto wrong_type = expect_problem(
        server.post("/api/auth/register", {{"email", 5}, {"password", "password-123"}, {"name", false}}), 400,
        "VALIDATION_FAILED");
    CHECK(wrong_type["errors"][0]["field"] == "email");
    CHECK(wrong_type["errors"][1]["field"] == "name");
}

TEST_CASE("server: login, me, and the same 401 for unknown email and wrong password") {
    Server server;
    auto user = register_user(server, "someone@example.com", "password-123", "Someone");
    auto session = login(server, "SOMEONE@example.com", "password-123");
    CHECK(session.id == user.id);
    CHECK(session.user["email"] == "someone@example.com");

    auto me = server.get("/api/auth/me", session.access);
    REQUIRE(me.status == 200);
    CHECK(me.json() == session.user);

    auto wrong = server.post("/api/auth/login", {{"email", "someone@example.com"}, {"password", "password-124"}});
    auto unknown = server.post("/api/auth/login", {{"email", "nobody@example.com"}, {"password", "password-123"}});
    auto wrong_body = expect_problem(wrong, 401, "UNAUTHORIZED");
    auto unknown_body = expect_problem(unknown, 401, "UNAUTHORIZED");
    CHECK(without_request_id(wrong_body) == without_request_id(unknown_body));
    CHECK_FALSE(wrong.has_header("WWW-Authenticate"));  // no bearer token was expected here

    auto missing = expect_problem(server.post("/api/auth/login", {{"email", "someone@example.com"}}), 400,
                                  "VALIDATION_FAILED");
    CHECK(missing["errors"][0]["field"] == "password");
}

TEST_CASE("server: refresh rotates, and a spent token presented again revokes the family") {
    Server server;
    auto user = register_user(server, "rotate@example.com");

    auto first = server.post("/api/auth/refresh", {{"refreshToken", user.refresh}});
    REQUIRE(first.status == 200);
    auto pair = first.json();
    CHECK(pair.size() == 2);
    CHECK(pair["refreshToken"] != user.refresh);
    CHECK(server.get("/api/auth/me", pair["accessToken"]).status == 200);

    auto second = server.post("/api/auth/refresh", {{"refreshToken", pair["refreshToken"]}});
    REQUIRE(second.status == 200);
    std::string latest = second.json()["refreshToken"];

    // The first token is spent: presenting it again is theft, 401, and every token of the user goes.
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", user.refresh}}), 401, "UNAUTHORIZED");
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", latest}}), 401, "UNAUTHORIZED");

    // Other sessions of the same user were revoked too; other users are untouched.
    auto other = register_user(server, "bystander@example.com");
    CHECK(server.post("/api/auth/refresh", {{"refreshToken", other.refresh}}).status == 200);

    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", "made-up"}}), 401, "UNAUTHORIZED");
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", std::string(5000, 'a')}}), 401, "UNAUTHORIZED");
    auto missing = expect_problem(server.post("/api/auth/refresh", json::object()), 400, "VALIDATION_FAILED");
    CHECK(missing["errors"][0]["field"] == "refreshToken");
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", 42}}), 400, "VALIDATION_FAILED");
}

TEST_CASE("server: logout revokes that refresh token, and unknown tokens are 204 too") {
    Server server;
    auto user = register_user(server, "leaving@example.com");
    auto second = login(server, "leaving@example.com", "password-123");

    auto reply = server.post("/api/auth/logout", {{"refreshToken", user.refresh}});
    CHECK(reply.status == 204);
    CHECK(reply.body.empty());
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", user.refresh}}), 401, "UNAUTHORIZED");
    // A logged-out token is not a theft: the user's other session lives on.
    CHECK(server.post("/api/auth/refresh", {{"refreshToken", second.refresh}}).status == 200);

    CHECK(server.post("/api/auth/logout", {{"refreshToken", "never-issued"}}).status == 204);
    CHECK(server.post("/api/auth/logout", {{"refreshToken", user.refresh}}).status == 204);
    expect_problem(server.post("/api/auth/logout", json::object()), 400, "VALIDATION_FAILED");
}

TEST_CASE("server: changing a password needs the current one and ends every session") {
    Server server;
    auto user = register_user(server, "changer@example.com", "password-old");
    auto other_session = login(server, "changer@example.com", "password-old");
    std::string path = "/api/users/" + user.id;

    auto missing = expect_problem(server.put(path, {{"password", "password-new"}}, user.access), 400,
                                  "VALIDATION_FAILED");
    CHECK(missing["errors"][0]["field"] == "currentPassword");
    expect_problem(server.put(path, {{"password", "password-new"}, {"currentPassword", "wrong-password"}}, user.access),
                   401, "UNAUTHORIZED");
    auto changed =
        server.put(path, {{"password", "password-new"}, {"currentPassword", "password-old"}}, user.access);
    REQUIRE(changed.status == 200);
    CHECK(changed.body.find("password") == std::string::npos);

    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", user.refresh}}), 401, "UNAUTHORIZED");
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", other_session.refresh}}), 401, "UNAUTHORIZED");
    expect_problem(server.post("/api/auth/login", {{"email", user.email}, {"password", "password-old"}}), 401,
                   "UNAUTHORIZED");
    CHECK(server.post("/api/auth/login", {{"email", user.email}, {"password", "password-new"}}).status == 200);

    // An ADMIN sets another user's password without knowing it.
    auto admin = admin_session(server);
    CHECK(server.put(path, {{"password", "password-admin-set"}}, admin.access).status == 200);
    CHECK(server.post("/api/auth/login", {{"email", user.email}, {"password", "password-admin-set"}}).status == 200);
}

TEST_CASE("server: access tokens that are missing, malformed, forged, expired or of a deleted user are 401") {
    Server server;
    auto admin = admin_session(server);
    auto user = register_user(server, "holder@example.com");

    auto refused = [&](const Reply& reply) {
        expect_problem(reply, 401, "UNAUTHORIZED");
        CHECK(reply.header("WWW-Authenticate").rfind("Bearer", 0) == 0);
    };
    auto with_header = [&](const std::string& value) {
        return server.send("GET", "/api/auth/me", "", std::nullopt, "", {{"Authorization", value}});
    };

    refused(server.get("/api/auth/me"));
    refused(with_header("Basic YWRtaW46YWRtaW4="));
    refused(with_header("Bearer"));
    refused(with_header("Bearer "));
    refused(with_header("Bearer not.a.token"));
    refused(with_header("Bearer " + user.access + "x"));
    refused(with_header(user.access));  // no scheme

    // The scheme name in any letter case.
    CHECK(with_header("bearer " + user.access).status == 200);
    CHECK(with_header("BEARER " + user.access).status == 200);
    CHECK(with_header("Bearer  " + user.access).status == 200);

    std::int64_t now = unix_now();
    json claims{{"sub", user.id}, {"role", "SALES"}, {"iat", now}, {"exp", now + 600}};
    // The harness signs like the server does: the control case passes.
    CHECK(server.get("/api/auth/me", make_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, claims, jwt_secret, "HS256")).status ==
          200);
    // alg none, signed or not.
    refused(server.get("/api/auth/me", make_jwt({{"alg", "none"}, {"typ", "JWT"}}, claims, "", "none")));
    refused(server.get("/api/auth/me", make_jwt({{"alg", "none"}}, claims, jwt_secret, "HS256")));
    // Another key, another algorithm than configured.
    refused(server.get("/api/auth/me", make_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, claims,
                                                "another-secret-another-secret-0123456789", "HS256")));
    refused(server.get("/api/auth/me", make_jwt({{"alg", "HS512"}, {"typ", "JWT"}}, claims, jwt_secret, "HS512")));
    // A payload changed under a valid signature.
    {
        std::string token = user.access;
        auto dot1 = token.find('.');
        auto dot2 = token.find('.', dot1 + 1);
        json payload = jwt_payload(token);
        payload["role"] = "ADMIN";
        payload["sub"] = admin.id;
        std::string forged = token.substr(0, dot1 + 1) + base64url(payload.dump()) + token.substr(dot2);
        refused(server.get("/api/users", forged));
    }
    // Expired: more than 5 seconds past is refused; within the leeway is accepted.
    json expired = claims;
    expired["iat"] = now - 1000;
    expired["exp"] = now - 60;
    refused(server.get("/api/auth/me", make_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, expired, jwt_secret, "HS256")));
    json fresh_enough = claims;
    fresh_enough["exp"] = now - 1;
    CHECK(server.get("/api/auth/me", make_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, fresh_enough, jwt_secret, "HS256"))
              .status == 200);
    // A token for a user that does not exist.
    json ghost = claims;
    ghost["sub"] = "01890000-0000-7000-8000-000000000000";
    refused(server.get("/api/auth/me", make_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, ghost, jwt_secret, "HS256")));

    // Deleting a user refuses their token at once.
    CHECK(server.get("/api/auth/me", user.access).status == 200);
    CHECK(server.del("/api/users/" + user.id, admin.access).status == 204);
    refused(server.get("/api/auth/me", user.access));
    refused(server.get("/api/leads", user.access));
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", user.refresh}}), 401, "UNAUTHORIZED");
}

TEST_CASE("server: the token's algorithm and lifetime follow the configuration") {
    Server server(with_env({{"CRM_JWT_ALGORITHM", "HS512"}, {"CRM_ACCESS_TOKEN_TTL", "60"}}));
    auto user = register_user(server, "configured@example.com");
    auto header = json::parse(base64url_decode(user.access.substr(0, user.access.find('.'))));
    CHECK(header["alg"] == "HS512");
    auto payload = jwt_payload(user.access);
    CHECK(payload["sub"] == user.id);
    CHECK(payload["role"] == "SALES");
    CHECK(payload["exp"].get<std::int64_t>() - payload["iat"].get<std::int64_t>() == 60);

    std::int64_t now = unix_now();
    json claims{{"sub", user.id}, {"role", "SALES"}, {"iat", now}, {"exp", now + 60}};
    CHECK(server.get("/api/auth/me", make_jwt({{"alg", "HS512"}, {"typ", "JWT"}}, claims, jwt_secret, "HS512")).status ==
          200);
    expect_problem(
        server.get("/api/auth/me", make_jwt({{"alg", "HS256"}, {"typ", "JWT"}}, claims, jwt_secret, "HS256")), 401,
        "UNAUTHORIZED");
}

TEST_CASE("server: refresh tokens expire after CRM_REFRESH_TOKEN_TTL") {
    Server server(with_env({{"CRM_REFRESH_TOKEN_TTL", "1"}}));
    auto user = register_user(server, "short-lived@example.com");
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    expect_problem(server.post("/api/auth/refresh", {{"refreshToken", user.refresh}}), 401, "UNAUTHORIZED");
    CHECK(server.get("/api/auth/me", user.access).status == 200);  // the access token lives on
}

TEST_CASE("server: the default access token lives 15 minutes") {
    Server server;
    auto user = register_user(server, "default-ttl@example.com");
    auto payload = jwt_payload(user.access);
    CHECK(payload["exp"].get<std::int64_t>() - payload["iat"].get<std::int64_t>() == 900);
    auto header = json::parse(base64url_decode(user.access.substr(0, user.access.find('.'))));
    CHECK(header["alg"] == "HS256");
}
