// Login throttling (counts in the database, per email and per client address) and the bounded
// queue in front of password hashing, through crm::Service on both backends.
#include "login_throttle.hpp"
#include "password.hpp"
#include "stores.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <vector>

using namespace crm;
using crm::test::ScratchDatabase;
using crm::test::code_of;
using namespace std::chrono_literals;

namespace {

const std::string address = "203.0.113.7";

AuthOptions throttled_options(unsigned max_failures = 10, std::chrono::seconds window = 900s) {
    AuthOptions options = test::fast_auth_options();
    options.login_max_failures = max_failures;
    options.login_window = window;
    return options;
}

// The error a login ends with; fails the test case when it succeeds.
Error login_error(Service& svc, std::string_view email, std::string_view password, std::string_view from = {}) {
    try {
        (void)svc.login(email, password, from);
    } catch (const Error& e) {
        return e;
    }
    FAIL("logged in");
    return Error(Errc::internal, "unreachable");
}

// The stored failure count of an email (and of an address) in its live window; 0 when none.
long long failures_of(Database& db, std::string_view email, std::string_view from = {}) {
    auto keys = detail::LoginThrottle::keys(email, from);
    std::vector<std::string> key{from.empty() ? keys.email() : keys.all.back()};
    return detail::with_lease(detail::impl_of(db), [&](detail::Lease& lease) {
        auto live = detail::login_throttle_store::find_live(lease, key, now());
        return live.empty() ? 0LL : live.front().failures;
    });
}

}  // namespace

TEST_CASE("throttle: out-of-range options are refused at start") {
    auto db = Database::open("sqlite::memory:");
    auto with = [&](auto change) {
        AuthOptions options = test::fast_auth_options();
        change(options);
        return code_of([&] { Service svc(db, options); });
    };
    CHECK(with([](AuthOptions& o) { o.login_max_failures = 100001; }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.login_window = 0s; }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.login_window = -5s; }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.login_window = 86401s; }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.max_queued_hashes = 100001; }) == Errc::invalid);
    for (auto ok : {std::function<void(AuthOptions&)>([](AuthOptions& o) { o.login_max_failures = 0; }),
                    std::function<void(AuthOptions&)>([](AuthOptions& o) { o.login_max_failures = 100000; }),
                    std::function<void(AuthOptions&)>([](AuthOptions& o) { o.login_window = 1s; }),
                    std::function<void(AuthOptions&)>([](AuthOptions& o) { o.login_window = 86400s; }),
                    std::function<void(AuthOptions&)>([](AuthOptions& o) { o.max_queued_hashes = 0; })}) {
        AuthOptions options = test::fast_auth_options();
        ok(options);
        CHECK_NOTHROW(Service(db, options));
    }
}

TEST_CASE("throttle: addresses count as themselves, IPv6 per /64") {
    using detail::client_address_group;
    CHECK(client_address_group("203.0.113.7") == "203.0.113.7");
    CHECK(client_address_group("::ffff:203.0.113.7") == "203.0.113.7");
    CHECK(client_address_group("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
    CHECK(client_address_group("2001:DB8:1:2:bbbb:cccc:dddd:eeee") == "2001:db8:1:2::/64");
    CHECK(client_address_group("2001:db8:1:3::1") == "2001:db8:1:3::/64");
    CHECK(client_address_group("not an address") == "not an address");
    CHECK(client_address_group("") == "");
}

TEST_CASE("db: the 11th wrong login is throttled, for a real and an unknown email alike") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options());
    (void)svc.register_user({"user@example.com", "right password", {}});
    for (const char* email : {"user@example.com", "nobody@example.com"}) {
        CAPTURE(email);
        for (int i = 0; i < 10; ++i) CHECK(login_error(svc, email, "wrong password").code() == Errc::unauthorized);
        auto before = detail::password_hash_runs_in_process();
        Error eleventh = login_error(svc, email, "wrong password");
        CHECK(eleventh.code() == Errc::throttled);
        CHECK(std::string(eleventh.what()) == "too many failed logins, try again later");
        REQUIRE(eleventh.retry_after());
        CHECK(*eleventh.retry_after() >= 1s);
        CHECK(*eleventh.retry_after() <= 900s);
        // The right password is refused too, and a throttled attempt runs no Argon2id at all.
        Error right = login_error(svc, email, "right password");
        CHECK(right.code() == Errc::throttled);
        CHECK(std::string(right.what()) == eleventh.what());
        CHECK(detail::password_hash_runs_in_process() == before);
        // The email counts however it is spelled.
        CHECK(code_of([&] { (void)svc.login(std::string("  ") + email, "right password"); }) == Errc::throttled);
        // Throttled attempts are not failures: the count stays at the limit.
        CHECK(failures_of(scratch.db(), email) == 10);
    }
    // Another email is not affected.
    (void)svc.register_user({"other@example.com", "right password", {}});
    CHECK_NOTHROW((void)svc.login("other@example.com", "right password"));
}

TEST_CASE("db: once the window has passed the right password works again") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options(3, 2s));
    (void)svc.register_user({"user@example.com", "right password", {}});
    for (int i = 0; i < 3; ++i) (void)login_error(svc, "user@example.com", "wrong password", address);
    Error throttled = login_error(svc, "user@example.com", "right password", address);
    REQUIRE(throttled.code() == Errc::throttled);
    REQUIRE(throttled.retry_after());
    CHECK(*throttled.retry_after() <= 2s);
    std::this_thread::sleep_for(*throttled.retry_after() + 100ms);
    CHECK(svc.login("user@example.com", "right password", address).user.email == "user@example.com");
    // A new window starts from scratch.
    CHECK(login_error(svc, "user@example.com", "wrong password", address).code() == Errc::unauthorized);
    CHECK(failures_of(scratch.db(), "user@example.com") == 1);
}

TEST_CASE("db: the counts survive a restart and are shared by every service on the database") {
    ScratchDatabase scratch;
    auto options = throttled_options();
    {
        Service first(scratch.db(), options);
        (void)first.register_user({"user@example.com", "right password", {}});
        for (int i = 0; i < 6; ++i) (void)login_error(first, "user@example.com", "wrong password");
    }
    // A "restart": a new pool and service on the same database.
    Service restarted(scratch.reopen(), options);
    CHECK(failures_of(scratch.db(), "user@example.com") == 6);
    // Two "servers" at once: failures on either count for both.
    Service second(scratch.reopen(), options);
    for (int i = 0; i < 2; ++i) (void)login_error(restarted, "user@example.com", "wrong password");
    for (int i = 0; i < 2; ++i) (void)login_error(second, "user@example.com", "wrong password");
    CHECK(login_error(restarted, "user@example.com", "right password").code() == Errc::throttled);
    CHECK(login_error(second, "user@example.com", "right password").code() == Errc::throttled);
}

TEST_CASE("db: one address trying many emails is throttled, another address is not") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options());
    (void)svc.register_user({"victim@example.com", "right password", {}});
    for (int i = 0; i < 10; ++i)
        CHECK(login_error(svc, "guess" + std::to_string(i) + "@example.com", "password", address).code() ==
              Errc::unauthorized);
    // From that address every email is refused, a real one with its right password included...
    CHECK(login_error(svc, "victim@example.com", "right password", address).code() == Errc::throttled);
    CHECK(login_error(svc, "fresh@example.com", "password", address).code() == Errc::throttled);
    // ... and the same address written as IPv4-mapped IPv6.
    CHECK(login_error(svc, "fresh@example.com", "password", "::ffff:" + address).code() == Errc::throttled);
    // Elsewhere, and without an address, those emails are fine: each had at most one failure.
    CHECK_NOTHROW((void)svc.login("victim@example.com", "right password", "198.51.100.1"));
    CHECK_NOTHROW((void)svc.login("victim@example.com", "right password"));
    CHECK(login_error(svc, "guess0@example.com", "password", "198.51.100.1").code() == Errc::unauthorized);
}

TEST_CASE("db: IPv6 addresses in one /64 share a count") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options(3));
    for (int i = 0; i < 3; ++i)
        (void)login_error(svc, "guess" + std::to_string(i) + "@example.com", "password",
                          "2001:db8:1:2::" + std::to_string(i + 1));
    CHECK(login_error(svc, "other@example.com", "password", "2001:db8:1:2:ffff::9").code() == Errc::throttled);
    CHECK(login_error(svc, "other@example.com", "password", "2001:db8:1:3::1").code() == Errc::unauthorized);
}

TEST_CASE("db: a successful login clears the email's count, not the address's") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options());
    (void)svc.register_user({"user@example.com", "right password", {}});
    for (int i = 0; i < 9; ++i) (void)login_error(svc, "user@example.com", "wrong password", address);
    CHECK_NOTHROW((void)svc.login("user@example.com", "right password", address));
    CHECK(failures_of(scratch.db(), "user@example.com") == 0);
    CHECK(failures_of(scratch.db(), "user@example.com", address) == 9);
    // The email may fail again from elsewhere; the address has one failure left.
    for (int i = 0; i < 9; ++i)
        CHECK(login_error(svc, "user@example.com", "wrong password", "198.51.100.1").code() == Errc::unauthorized);
    CHECK(login_error(svc, "someone@example.com", "password", address).code() == Errc::unauthorized);
    CHECK(login_error(svc, "user@example.com", "right password", address).code() == Errc::throttled);
}

TEST_CASE("db: failures from many threads at once are all counted") {
    ScratchDatabase scratch;
    auto options = throttled_options(1000);
    options.max_queued_hashes = 64;  // every thread waits for a hashing slot rather than failing
    Service svc(scratch.db(), options);
    (void)svc.register_user({"user@example.com", "right password", {}});
    constexpr int thread_count = 16;
    std::atomic<int> refused{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < thread_count; ++i)
        threads.emplace_back([&] {
            while (!go) std::this_thread::yield();
            try {
                (void)svc.login("user@example.com", "wrong password", address);
            } catch (const Error& e) {
                ++(e.code() == Errc::unauthorized ? refused : other);
            }
        });
    go = true;
    for (auto& t : threads) t.join();
    CHECK(refused == thread_count);
    CHECK(other == 0);
    CHECK(failures_of(scratch.db(), "user@example.com") == thread_count);
    CHECK(failures_of(scratch.db(), "user@example.com", address) == thread_count);
}

TEST_CASE("db: rows of ended windows are deleted as failures come in") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options(10, 1s));
    auto rows = [&] {
        return detail::with_lease(detail::impl_of(scratch.db()),
                                  [](detail::Lease& lease) { return detail::login_throttle_store::count_rows(lease); });
    };
    for (int i = 0; i < 20; ++i) (void)login_error(svc, "made-up-" + std::to_string(i) + "@example.com", "password");
    CHECK(rows() == 20);
    std::this_thread::sleep_for(1100ms);
    (void)login_error(svc, "one-more@example.com", "password");
    CHECK(rows() == 1);  // the 20 ended windows went; only the new one is left
}

TEST_CASE("db: with throttling off nothing is counted") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), throttled_options(0));
    for (int i = 0; i < 15; ++i) CHECK(login_error(svc, "x@example.com", "password", address).code() == Errc::unauthorized);
    CHECK(failures_of(scratch.db(), "x@example.com") == 0);
}

TEST_CASE("db: busy password hashing fails at once with unavailable and a retry delay, counting nothing") {
    ScratchDatabase scratch;
    auto options = throttled_options(1000);
    // One slot, no queue, and a cost high enough that a hash stays in its slot a while.
    options.max_concurrent_hashes = 1;
    options.max_queued_hashes = 0;
    options.password_opslimit = 3;
    options.password_memlimit = 16 * 1024 * 1024;
    Service svc(scratch.db(), options);
    std::atomic<bool> done{false};
    // The holder keeps the only slot busy with wrong-password logins for another email.
    std::thread holder([&] {
        while (!done) {
            try {
                (void)svc.login("holder@example.com", "wrong password");
            } catch (const Error&) {
            }
        }
    });
    std::optional<Error> busy;
    int refused = 0;
    for (int attempt = 0; attempt < 500 && !busy; ++attempt) {
        try {
            (void)svc.login("user@example.com", "wrong password");
        } catch (const Error& e) {
            if (e.code() == Errc::unavailable)
                busy = e;
            else if (e.code() == Errc::unauthorized)
                ++refused;
            else
                FAIL_CHECK("unexpected error ", e.what());
        }
    }
    done = true;
    holder.join();
    REQUIRE(busy);
    CHECK(std::string(busy->what()) == "password hashing is busy");
    REQUIRE(busy->retry_after());
    CHECK(*busy->retry_after() == 1s);
    // Only the attempts that were verified count as failures.
    CHECK(failures_of(scratch.db(), "user@example.com") == refused);
}
