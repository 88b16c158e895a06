// Authentication through crm::Service on both backends: registration, login, access tokens,
// refresh-token rotation and reuse detection, logout, password changes.
#include "password.hpp"
#include "stores.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <atomic>
#include <limits>
#include <thread>

using namespace crm;
using crm::test::ScratchDatabase;
using crm::test::code_of;

namespace {

std::string stored_hash(Database& db, const Uuid& id) {
    return detail::with_lease(detail::impl_of(db), [&](detail::Lease& lease) {
        return detail::user_store::find_credentials(lease, id)->password_hash;
    });
}

}  // namespace

TEST_CASE("service: a JWT secret shorter than 32 bytes is refused at start") {
    auto db = Database::open("sqlite::memory:");
    AuthOptions options = test::fast_auth_options();
    options.jwt_secret = std::string(31, 'k');
    CHECK_THROWS_AS(Service(db, options), Error);
    options.jwt_secret = std::string(32, 'k');
    CHECK_NOTHROW(Service(db, options));
}

TEST_CASE("db: without a JWT secret a Service works but refuses every token operation") {
    ScratchDatabase scratch;
    AuthOptions without = test::fast_auth_options();
    without.jwt_secret.clear();
    Service plain(scratch.db(), without);  // a host that never issues tokens: no secret to invent
    Service with(scratch.db(), test::fast_auth_options());
    const auto sys = Principal::system();
    (void)plain.create_user(sys, NewUser{"u@example.com", "password123", "U", Role::admin});
    auto tokens = with.login("u@example.com", "password123").tokens;

    auto refused = [&](const std::function<void()>& f) {
        try {
            f();
            FAIL("no exception");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid);
            REQUIRE(e.field_errors().size() == 1);
            CHECK(e.field_errors()[0].field == "jwtSecret");
            CHECK(std::string(e.what()) == "jwtSecret is required to issue or verify tokens (none was configured)");
        }
    };
    // Refused before any work: no Argon2id run, nobody registered, no failure counted.
    auto hashes = detail::password_hash_runs_in_process();
    refused([&] { (void)plain.login("u@example.com", "password123"); });
    refused([&] { (void)plain.login("u@example.com", "wrong password", "10.0.0.1"); });
    refused([&] { (void)plain.register_user({"new@example.com", "password123", {}}); });
    CHECK(detail::password_hash_runs_in_process() == hashes);
    CHECK(code_of([&] { (void)plain.get_user_by_email(sys, "new@example.com"); }) == Errc::not_found);
    refused([&] { (void)plain.authenticate(tokens.access_token); });
    refused([&] { (void)plain.refresh(tokens.refresh_token); });
    CHECK_NOTHROW((void)with.refresh(tokens.refresh_token));  // the refused refresh did not spend it

    // Everything else works, lists with cursors included; its cursors are its own.
    for (const char* title : {"a", "b", "c"}) (void)plain.create_lead(sys, NewLead{title});
    auto first = plain.list_leads(sys, {}, {}, PageRequest{1, 2});
    REQUIRE(first.next_cursor);
    CHECK(plain.list_leads(sys, {}, {}, PageRequest{*first.next_cursor, 2}).items.size() == 1);
    CHECK(code_of([&] { (void)with.list_leads(sys, {}, {}, PageRequest{*first.next_cursor, 2}); }) == Errc::invalid);
    CHECK(plain.list_users(sys, PageRequest{}).total == 1);
}

TEST_CASE("service: token lifetimes and leeway out of range are refused at start") {
    // Before: a ten-billion-second TTL overflowed issued-at + ttl (every token born expired), a
    // huge leeway accepted expired tokens forever and a negative one refused every token.
    auto with = [](auto change) {
        auto options = test::fast_auth_options();
        change(options);
        return code_of([&] { Service svc(Database::open("sqlite::memory:"), options); });
    };
    using std::chrono::seconds;
    CHECK(with([](AuthOptions& o) { o.access_token_ttl = seconds(10'000'000'000LL); }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.refresh_token_ttl = seconds(std::numeric_limits<std::int64_t>::max()); }) ==
          Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.access_token_ttl = seconds(0); }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.leeway = seconds(-1); }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.leeway = seconds(301); }) == Errc::invalid);
    CHECK(with([](AuthOptions& o) { o.leeway = seconds(std::numeric_limits<std::int64_t>::max()); }) == Errc::invalid);
    // The largest values allowed work: a ten-year token is valid now.
    auto options = test::fast_auth_options();
    options.access_token_ttl = seconds(10LL * 365 * 24 * 3600);
    options.refresh_token_ttl = options.access_token_ttl;
    options.leeway = seconds(300);
    auto db = Database::open("sqlite::memory:");
    db.migrate();
    Service svc(db, options);
    auto a = svc.register_user({"u@example.com", "password123", {}});
    CHECK_NOTHROW((void)svc.authenticate(a.tokens.access_token));
    CHECK_NOTHROW((void)svc.refresh(a.tokens.refresh_token));
}

TEST_CASE("db: register always makes a SALES user with a normalised email and an Argon2id hash") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto result = svc.register_user(Registration{"  New.Person@Example.COM ", "correct horse", std::nullopt});
    CHECK(result.user.role == Role::sales);
    CHECK(result.user.email == "new.person@example.com");
    CHECK(result.user.name == "new.person");
    CHECK_FALSE(result.tokens.access_token.empty());
    CHECK(result.tokens.refresh_token.size() >= 43);
    std::string hash = stored_hash(scratch.db(), result.user.id);
    CHECK(hash.rfind("$argon2id$", 0) == 0);
    CHECK(hash.find("correct horse") == std::string::npos);
    // The same email in another case is taken.
    CHECK(code_of([&] { (void)svc.register_user({"new.person@EXAMPLE.com", "another pw", "X"}); }) == Errc::conflict);
}

TEST_CASE("db: registration validates every field and names each problem") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    try {
        (void)svc.register_user({"not-an-email", "short", std::string(256, 'n')});
        FAIL("registered");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::invalid);
        std::vector<std::string> fields;
        for (auto& f : e.field_errors()) fields.push_back(f.field);
        CHECK(fields == std::vector<std::string>{"email", "password", "name"});
    }
    CHECK(code_of([&] { (void)svc.register_user({"a@example.com", std::string(7, 'p'), {}}); }) == Errc::invalid);
    CHECK(code_of([&] { (void)svc.register_user({"b@example.com", std::string(1025, 'p'), {}}); }) == Errc::invalid);
    CHECK_NOTHROW((void)svc.register_user({"c@example.com", std::string(8, 'p'), {}}));
    CHECK_NOTHROW((void)svc.register_user({"d@example.com", std::string(1024, 'p'), {}}));
    CHECK(code_of([&] { (void)svc.register_user({"e@example.com", std::string("pass\0word", 9), {}}); }) == Errc::invalid);
    CHECK(code_of([&] { (void)svc.register_user({"f@example.com", "password\xff", {}}); }) == Errc::invalid);
}

TEST_CASE("db: unknown email and wrong password fail alike") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    (void)svc.register_user({"user@example.com", "right password", {}});
    auto message_of = [&](const char* email, const char* pw) -> std::string {
        try {
            (void)svc.login(email, pw);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::unauthorized);
            return e.what();
        }
        return "logged in";
    };
    CHECK(message_of("user@example.com", "wrong password") == message_of("nobody@example.com", "right password"));
    // The unknown email still cost one Argon2id verification.
    auto before = detail::password_hash_runs_in_process();
    (void)message_of("nobody@example.com", "right password");
    CHECK(detail::password_hash_runs_in_process() == before + 1);
    CHECK(svc.login(" USER@example.com", "right password").user.email == "user@example.com");
}

TEST_CASE("db: a stored hash of an older cost is upgraded at the next login") {
    ScratchDatabase scratch;
    auto cheap = test::fast_auth_options();
    User user = Service(scratch.db(), cheap).register_user({"u@example.com", "password123", {}}).user;
    std::string before = stored_hash(scratch.db(), user.id);
    auto dearer = cheap;
    dearer.password_opslimit = cheap.password_opslimit + 1;
    Service svc(scratch.db(), dearer);
    (void)svc.login("u@example.com", "password123");
    std::string after = stored_hash(scratch.db(), user.id);
    CHECK(after != before);
    CHECK(after.find("t=" + std::to_string(dearer.password_opslimit)) != std::string::npos);
    CHECK(crypto_pwhash_str_verify(after.c_str(), "password123", 11) == 0);
    // Same cost: left alone.
    (void)svc.login("u@example.com", "password123");
    CHECK(stored_hash(scratch.db(), user.id) == after);
}

TEST_CASE("db: access tokens resolve to the user's current row") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto sys = Principal::system();
    User u = svc.create_user(sys, NewUser{"m@example.com", "password123", "M", Role::manager});
    std::string token = svc.login("m@example.com", "password123").tokens.access_token;
    CHECK(svc.authenticate(token).role() == Role::manager);
    UserUpdate demote;
    demote.role = Role::sales;
    (void)svc.update_user(sys, u.id, demote);
    CHECK(svc.authenticate(token).role() == Role::sales);  // a role change counts on the next call
    CHECK(svc.me(svc.authenticate(token)).email == "m@example.com");
    svc.delete_user(sys, u.id);
    CHECK(code_of([&] { (void)svc.authenticate(token); }) == Errc::unauthorized);  // deleted: refused at once
}

TEST_CASE("db: forged, foreign and malformed access tokens are refused") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    std::string token = svc.register_user({"u@example.com", "password123", {}}).tokens.access_token;
    auto other_options = test::fast_auth_options();
    other_options.jwt_secret = std::string(40, 'z');
    Service other(scratch.db(), other_options);
    std::string foreign = other.login("u@example.com", "password123").tokens.access_token;
    std::string tampered = token;
    tampered[tampered.find('.') + 5] ^= 1;
    for (const std::string& bad : {std::string(), std::string("garbage"), std::string("a.b.c"), foreign, tampered,
                                   token + "x", token.substr(0, token.size() - 1)})
        CHECK_MESSAGE(code_of([&] { (void)svc.authenticate(bad); }) == Errc::unauthorized, bad);
}

TEST_CASE("db: refresh rotates, and a spent token presented again revokes the family") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto first = svc.register_user({"u@example.com", "password123", {}});
    auto second_login = svc.login("u@example.com", "password123");  // another device, same family
    Tokens rotated = svc.refresh(first.tokens.refresh_token);
    CHECK(rotated.refresh_token != first.tokens.refresh_token);
    CHECK(svc.authenticate(rotated.access_token).user_id() == first.user.id);
    Tokens again = svc.refresh(rotated.refresh_token);  // the new one works once
    // Reuse of a spent token: refused, and every refresh token of the user is revoked.
    CHECK(code_of([&] { (void)svc.refresh(first.tokens.refresh_token); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)svc.refresh(again.refresh_token); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)svc.refresh(second_login.tokens.refresh_token); }) == Errc::unauthorized);
    // Unknown and malformed tokens.
    CHECK(code_of([&] { (void)svc.refresh("not-a-token"); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)svc.refresh(""); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)svc.refresh(std::string(10000, 'a')); }) == Errc::unauthorized);
}

TEST_CASE("db: logout revokes, and unknown tokens are ignored") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto a = svc.register_user({"u@example.com", "password123", {}});
    auto b = svc.login("u@example.com", "password123");
    svc.logout(a.tokens.refresh_token);
    CHECK(code_of([&] { (void)svc.refresh(a.tokens.refresh_token); }) == Errc::unauthorized);
    // A logged-out token is just refused: the other session lives on.
    CHECK_NOTHROW((void)svc.refresh(b.tokens.refresh_token));
    CHECK_NOTHROW(svc.logout("never-issued"));
    CHECK_NOTHROW(svc.logout(""));
}

TEST_CASE("db: expired refresh tokens are refused") {
    ScratchDatabase scratch;
    auto options = test::fast_auth_options();
    options.refresh_token_ttl = std::chrono::seconds(1);
    Service svc(scratch.db(), options);
    auto a = svc.register_user({"u@example.com", "password123", {}});
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(code_of([&] { (void)svc.refresh(a.tokens.refresh_token); }) == Errc::unauthorized);
}

TEST_CASE("db: changing a password needs the current one and revokes every refresh token") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto a = svc.register_user({"u@example.com", "password123", {}});
    auto me = svc.authenticate(a.tokens.access_token);
    UserUpdate change;
    change.password = "new password 456";
    CHECK(code_of([&] { (void)svc.update_user(me, me.user_id(), change); }) == Errc::invalid);
    change.current_password = "wrong";
    CHECK(code_of([&] { (void)svc.update_user(me, me.user_id(), change); }) == Errc::unauthorized);
    CHECK_NOTHROW((void)svc.refresh(svc.login("u@example.com", "password123").tokens.refresh_token));
    auto other_session = svc.login("u@example.com", "password123");
    change.current_password = "password123";
    (void)svc.update_user(me, me.user_id(), change);
    CHECK(code_of([&] { (void)svc.refresh(other_session.tokens.refresh_token); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)svc.login("u@example.com", "password123"); }) == Errc::unauthorized);
    CHECK_NOTHROW((void)svc.login("u@example.com", "new password 456"));
    // An ADMIN resetting someone else's password needs no current password.
    User admin = svc.create_user(Principal::system(), NewUser{"a@example.com", "password123", "A", Role::admin});
    auto admin_p = svc.authenticate(svc.login(admin.email, "password123").tokens.access_token);
    UserUpdate reset;
    reset.password = "reset by admin";
    (void)svc.update_user(admin_p, me.user_id(), reset);
    CHECK_NOTHROW((void)svc.login("u@example.com", "reset by admin"));
}

TEST_CASE("db: ten threads refreshing one token at once: exactly one succeeds") {
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());
    auto a = svc.register_user({"u@example.com", "password123", {}});
    std::atomic<int> successes{0}, refusals{0}, others{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 10; ++i)
        threads.emplace_back([&] {
            try {
                (void)svc.refresh(a.tokens.refresh_token);
                ++successes;
            } catch (const Error& e) {
                ++(e.code() == Errc::unauthorized ? refusals : others);
            }
        });
    for (auto& t : threads) t.join();
    CHECK(successes == 1);
    CHECK(refusals == 9);
    CHECK(others == 0);
}
