// Login throttling over HTTP (contract v1.1): 429 TOO_MANY_REQUESTS with Retry-After after
// CRM_LOGIN_MAX_FAILURES failed logins within CRM_LOGIN_WINDOW; and the 503 with Retry-After of
// busy password hashing.
#include "harness.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace crmtest;

namespace {

json without_request_id(json problem) {
    problem.erase("requestId");
    return problem;
}

Reply try_login(const Server& server, const std::string& email, const std::string& password) {
    return server.post("/api/auth/login", {{"email", email}, {"password", password}});
}

// The Retry-After header as seconds; -1 when absent or not a number.
long retry_after(const Reply& reply) {
    if (!reply.has_header("Retry-After")) return -1;
    try {
        return std::stol(reply.header("Retry-After"));
    } catch (...) {
        return -1;
    }
}

// Ten wrong logins for `email` (each a 401), then the 11th: returns its problem body.
json eleventh_wrong_login(const Server& server, const std::string& email) {
    for (int i = 0; i < 10; ++i) {
        CAPTURE(i);
        expect_problem(try_login(server, email, "wrong-password"), 401, "UNAUTHORIZED");
    }
    Reply eleventh = try_login(server, email, "wrong-password");
    json problem = expect_problem(eleventh, 429, "TOO_MANY_REQUESTS");
    CHECK(problem["title"] == "Too Many Requests");
    long seconds = retry_after(eleventh);
    CHECK(seconds >= 1);
    CHECK(seconds <= 900);  // CRM_LOGIN_WINDOW's default
    return problem;
}

}  // namespace

TEST_CASE("server: the 11th wrong login is a 429 with Retry-After, for real and unknown emails alike") {
    // Every request of these tests comes from 127.0.0.1, which is counted too: one server (one
    // database) per email, so that the email's count is what trips.
    json real, unknown;
    {
        Server server;
        (void)register_user(server, "user@example.com", "right-password-1");
        real = eleventh_wrong_login(server, "user@example.com");
        // The right password is refused too while the window lasts.
        Reply right = try_login(server, "user@example.com", "right-password-1");
        CHECK(without_request_id(expect_problem(right, 429, "TOO_MANY_REQUESTS")) == without_request_id(real));
        CHECK(retry_after(right) >= 1);
        // The server log names the attempts' outcome but never the password.
        CHECK(server.log().find("right-password-1") == std::string::npos);
    }
    {
        Server server;
        unknown = eleventh_wrong_login(server, "nobody@example.com");
    }
    CHECK(without_request_id(real) == without_request_id(unknown));
}

TEST_CASE("server: one client address trying many emails is throttled") {
    Server server;
    for (int i = 0; i < 10; ++i)
        expect_problem(try_login(server, "guess" + std::to_string(i) + "@example.com", "password-1"), 401,
                       "UNAUTHORIZED");
    // The admin's own right password from that address is refused now.
    Reply admin = try_login(server, admin_email, admin_password);
    expect_problem(admin, 429, "TOO_MANY_REQUESTS");
    CHECK(retry_after(admin) >= 1);
    // Other routes are not throttled.
    CHECK(server.get("/api/health").status == 200);
}

TEST_CASE("server: the right password is a 429 during the window and a 200 after it") {
    Server server(with_env({{"CRM_LOGIN_MAX_FAILURES", "3"}, {"CRM_LOGIN_WINDOW", "2"}}));
    (void)register_user(server, "user@example.com", "right-password-1");
    for (int i = 0; i < 3; ++i)
        expect_problem(try_login(server, "user@example.com", "wrong-password"), 401, "UNAUTHORIZED");
    Reply during = try_login(server, "user@example.com", "right-password-1");
    expect_problem(during, 429, "TOO_MANY_REQUESTS");
    long seconds = retry_after(during);
    CHECK(seconds >= 1);
    CHECK(seconds <= 2);
    std::this_thread::sleep_for(std::chrono::seconds(seconds) + std::chrono::milliseconds(200));
    Reply after = try_login(server, "user@example.com", "right-password-1");
    CHECK(after.status == 200);
    CHECK_FALSE(after.has_header("Retry-After"));
}

TEST_CASE("server: the throttling variables are validated") {
    for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
             {"CRM_LOGIN_MAX_FAILURES", "-1"},
             {"CRM_LOGIN_MAX_FAILURES", "100001"},
             {"CRM_LOGIN_MAX_FAILURES", "ten"},
             {"CRM_LOGIN_WINDOW", "0"},
             {"CRM_LOGIN_WINDOW", "86401"}}) {
        CAPTURE(name);
        CAPTURE(value);
        std::string why;
        try {
            Server server(with_env({{name, value}}));
            FAIL("the server started");
        } catch (const std::runtime_error& e) {
            why = e.what();
        }
        CHECK(why.find("exited with status 1") != std::string::npos);
        CHECK(why.find(name) != std::string::npos);
    }
}

TEST_CASE("server: busy password hashing is a 503 with Retry-After at once, not a wait") {
    // Real Argon2id cost, throttling off, and more concurrent logins than the hashing slots
    // (cores) and their queue (twice the slots) hold.
    Server server(with_env({{"CRM_PASSWORD_COST", "interactive"}, {"CRM_LOGIN_MAX_FAILURES", "0"}}));
    const unsigned slots = std::max(1u, std::thread::hardware_concurrency());
    const unsigned clients = 3 * slots + 6;
    std::vector<Reply> replies(clients);
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < clients; ++i)
        threads.emplace_back([&, i] {
            while (!go) std::this_thread::yield();
            replies[i] = try_login(server, "nobody@example.com", "wrong-password");
        });
    go = true;
    for (auto& t : threads) t.join();
    int refused = 0, busy = 0;
    for (const auto& reply : replies) {
        CAPTURE(reply.body);
        if (reply.status == 401) {
            ++refused;
            continue;
        }
        json problem = expect_problem(reply, 503, "UNAVAILABLE");
        CHECK(problem["detail"] == "the server is busy, retry later");
        CHECK(reply.header("Retry-After") == "1");
        ++busy;
    }
    CHECK(refused >= 1);
    CHECK(busy >= 1);
    CHECK(refused + busy == static_cast<int>(clients));
}
