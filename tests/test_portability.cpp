// dump(), Restore and bcrypt logins, on the backend of this run (crmctl's tests move data across
// backends: tests/crmctl/test_portability.py).
#include "password.hpp"
#include "stores.hpp"
#include "support.hpp"

#include <crm/portability.hpp>

#include <crypt.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace crm;
using namespace crm::detail;
using crm::test::ScratchDatabase;
using crm::test::code_of;

namespace {

// Everything a dump hands out, in order.
struct Collected : DataSink {
    DumpInfo info;
    std::vector<StoredUser> users;
    std::vector<Lead> leads;
    std::vector<Activity> activities;
    std::vector<char> order;  // 'u', 'l', 'a' as they came
    void begin(const DumpInfo& i) override { info = i; }
    void user(const StoredUser& u) override {
        users.push_back(u);
        order.push_back('u');
    }
    void lead(const Lead& l) override {
        leads.push_back(l);
        order.push_back('l');
    }
    void activity(const Activity& a) override {
        activities.push_back(a);
        order.push_back('a');
    }
};

Collected dumped(Database& db) {
    Collected c;
    dump(db, c);
    return c;
}

// A bcrypt hash made here with libxcrypt, cost 4 (the lowest: fast tests).
std::string bcrypt(const std::string& password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    REQUIRE(crypt_gensalt_rn("$2b$", 4, nullptr, 0, salt, sizeof salt) != nullptr);
    crypt_data data{};
    const char* hash = crypt_r(password.c_str(), salt, &data);
    REQUIRE(hash != nullptr);
    REQUIRE(hash[0] == '$');
    return hash;
}

Timestamp at(long long ms) { return Timestamp{std::chrono::milliseconds(ms)}; }

Uuid id_of(int n) {
    std::array<std::uint8_t, 16> bytes{};
    bytes[6] = 0x70;
    bytes[8] = 0x80;
    bytes[14] = static_cast<std::uint8_t>(n >> 8);
    bytes[15] = static_cast<std::uint8_t>(n);
    return Uuid(bytes);
}

StoredUser stored_user(int n, std::string hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA") {
    return StoredUser{User{id_of(n), "User " + std::to_string(n), "user" + std::to_string(n) + "@example.com",
                           Role::sales, at(1'700'000'000'123 + n), at(1'700'000'001'456 + n)},
                      std::move(hash)};
}

Lead stored_lead(int n, std::optional<Uuid> owner) {
    return Lead{id_of(n), "Lead " + std::to_string(n), std::nullopt, LeadStatus::qualified, std::nullopt, owner,
                std::nullopt, at(1'700'000'000'007 + n), at(1'700'000'000'008 + n)};
}

DataCounts counts(Database& db) {
    return with_lease(impl_of(db), [](Lease& lease) {
        return DataCounts{user_store::count(lease), 0, 0};  // users; leads and activities below
    });
}

DataCounts all_counts(Database& db) {
    auto c = dumped(db);
    return DataCounts{static_cast<std::int64_t>(c.users.size()), static_cast<std::int64_t>(c.leads.size()),
                      static_cast<std::int64_t>(c.activities.size())};
}

}  // namespace

TEST_CASE("password: bcrypt hashes verify through crypt_r and need a rehash") {
    PasswordHasher hasher(1, 8192, 2, 8);
    // A published crypt_blowfish test vector, and hashes made here of each $2 variant.
    CHECK(hasher.verify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"));
    CHECK_FALSE(hasher.verify("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U*"));
    std::string h = bcrypt("correct horse");
    CHECK(PasswordHasher::recognizes(h));
    CHECK(hasher.verify(h, "correct horse"));
    CHECK_FALSE(hasher.verify(h, "correct horsE"));
    CHECK_FALSE(hasher.verify(h, ""));
    CHECK_FALSE(hasher.verify(h, std::string("correct horse\0x", 15)));  // bcrypt cannot see past a NUL
    CHECK(hasher.needs_rehash(h));
    for (const char* variant : {"$2a$", "$2y$"}) {
        std::string other = variant + h.substr(4);
        CHECK(PasswordHasher::recognizes(other));
        CHECK(hasher.verify(other, "correct horse"));
    }
    // Malformed bcrypt strings are not recognised, and never verify.
    for (std::string bad : {h.substr(0, 59), h + "x", "$2b$03$" + h.substr(7), "$2b$32$" + h.substr(7),
                            "$2x$" + h.substr(4), "$2b$10$" + std::string(53, '!')}) {
        CHECK_FALSE(PasswordHasher::recognizes(bad));
        CHECK_FALSE(hasher.verify(bad, "correct horse"));
    }
}

TEST_CASE("password: unknown hash formats are refused, and logs name only their scheme") {
    PasswordHasher hasher(1, 8192, 2, 8);
    for (std::string bad : {"$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0", "$6$rounds=5000$salt$abc", "plain-text-password",
                            "5f4dcc3b5aa765d61d8327deb882cf99", ""}) {
        CHECK_FALSE(PasswordHasher::recognizes(bad));
        CHECK_FALSE(hasher.verify(bad, "password"));
    }
    CHECK(PasswordHasher::scheme_of("$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0") == "$1$");
    CHECK(PasswordHasher::scheme_of(bcrypt("x1234567")) == "$2b$");
    CHECK(PasswordHasher::scheme_of("plain-text-password") == "unrecognised");
    CHECK(PasswordHasher::scheme_of("$Secret Password$") == "unrecognised");
}

TEST_CASE("db: portability: a dump restores to identical rows, in dump order") {
    ScratchDatabase source, target;
    Service service(source.db(), test::fast_auth_options());
    auto system = Principal::system();
    auto admin = service.create_user(system, NewUser{"ada@example.com", "ada-password", "Ada 漢字", Role::admin});
    auto sam = service.create_user(system, NewUser{"sam@example.com", "sam-password", std::nullopt, Role::sales});
    NewLead full{"Ünïcode 🚀", std::string(100 * 1024, 'd'), LeadStatus::contacted, "web", std::optional(sam.id),
                 R"({"big":123456789012345678901234567890,"exact":0.1000000000000000055511151231257827,"n":{"a":[1,null,{"b":-9007199254740993}]}})"};
    auto lead = service.create_lead(system, full);
    NewLead bare{"bare"};
    bare.owner_id = std::optional<Uuid>{};
    auto unowned = service.create_lead(system, bare);
    auto sam_login = service.login("sam@example.com", "sam-password");
    auto sam_principal = service.authenticate(sam_login.tokens.access_token);
    auto note = service.create_activity(sam_principal, NewActivity{lead.id, ActivityType::call, "called"});
    auto silent = service.create_activity(system, NewActivity{unowned.id, ActivityType::note, std::nullopt});

    auto before = dumped(source.db());
    CHECK(before.info.backend == test::backend());
    CHECK(before.info.schema_version == Database::latest_schema_version());
    CHECK(before.info.counts == DataCounts{2, 2, 2});
    CHECK(before.order == std::vector<char>{'u', 'u', 'l', 'l', 'a', 'a'});
    CHECK(before.leads.size() == 2);

    Restore restore(target.db());
    for (const auto& u : before.users) restore.add(u);
    for (const auto& l : before.leads) restore.add(l);
    for (const auto& a : before.activities) restore.add(a);
    CHECK(restore.added() == DataCounts{2, 2, 2});
    CHECK(restore.commit() == DataCounts{2, 2, 2});

    auto after = dumped(target.db());
    CHECK(after.users == before.users);  // ids, names, emails, roles, hashes, timestamps
    CHECK(after.leads == before.leads);  // metadata text too: the same engine stores it alike
    CHECK(after.activities == before.activities);
    CHECK(after.activities[0].created_by.has_value() != after.activities[1].created_by.has_value());

    // The same passwords log in on the target; ids are the same.
    Service moved(target.db(), test::fast_auth_options());
    CHECK(moved.login("ada@example.com", "ada-password").user.id == admin.id);
    CHECK(moved.get_activity(system, note.id) == service.get_activity(system, note.id));
    CHECK(moved.get_activity(system, silent.id).created_by == std::nullopt);
}

TEST_CASE("db: portability: restore refuses a target with data unless merging, and keeps it whole") {
    ScratchDatabase target;
    {
        Restore r(target.db());
        r.add(stored_user(1));
        r.add(stored_lead(2, id_of(1)));
        r.commit();
    }
    CHECK(code_of([&] { Restore r(target.db()); }) == Errc::conflict);

    // Merging adds rows; a clash fails the whole restore and names the row.
    {
        Restore r(target.db(), RestoreOptions{true});
        r.add(stored_user(3));
        r.add(stored_user(4));
        auto clash = stored_user(5);
        clash.user.email = "user1@example.com";
        try {
            r.add(clash);
            r.commit();
            FAIL("a taken email was restored");
        } catch (const Error& e) {
            CHECK(e.code() == Errc::conflict);
            CHECK(std::string(e.what()) == "user " + id_of(5).to_string() + ": email is already taken");
            CHECK(r.failed_row() == 2);
        }
        CHECK(code_of([&] { r.commit(); }) == Errc::invalid);  // ended: rolled back
    }
    CHECK(all_counts(target.db()) == DataCounts{1, 1, 0});
    {
        Restore r(target.db(), RestoreOptions{true});
        r.add(stored_user(1));
        CHECK(code_of([&] { r.commit(); }) == Errc::conflict);  // the same id
    }
    {
        Restore r(target.db(), RestoreOptions{true});
        r.add(stored_user(6));
        CHECK(r.commit() == DataCounts{1, 0, 0});
    }
    CHECK(all_counts(target.db()) == DataCounts{2, 1, 0});
}

TEST_CASE("db: portability: the row a batch is refused for is found, and nothing is kept") {
    ScratchDatabase target;
    Restore r(target.db());
    r.add(stored_user(1));
    std::optional<Error> failure;
    try {
        for (int n = 0; n < 250; ++n) r.add(stored_lead(100 + n, n == 173 ? std::optional(id_of(2)) : id_of(1)));
        r.commit();
    } catch (const Error& e) {
        failure = e;
    }
    REQUIRE(failure);
    CHECK(failure->code() == Errc::invalid);
    CHECK(std::string(failure->what()) == "lead " + id_of(273).to_string() + ": ownerId must be an existing user");
    CHECK(r.failed_row() == 1 + 173);
    CHECK(counts(target.db()).users == 0);  // rolled back at once, user included

    // An activity on a missing lead, by a missing author.
    Restore again(target.db());
    again.add(stored_user(1));
    again.add(stored_lead(2, std::nullopt));
    Activity orphan{id_of(3), id_of(99), ActivityType::note, std::nullopt, std::nullopt, at(1), at(2)};
    CHECK(code_of([&] {
              again.add(orphan);
              again.commit();
          }) == Errc::invalid);
    CHECK(again.failed_row() == 2);
    Restore third(target.db());
    third.add(stored_lead(2, std::nullopt));
    Activity ghost_author{id_of(3), id_of(2), ActivityType::note, std::nullopt, id_of(77), at(1), at(2)};
    third.add(ghost_author);
    try {
        third.commit();
        FAIL("an activity by a missing author was restored");
    } catch (const Error& e) {
        CHECK(std::string(e.what()) == "activity " + id_of(3).to_string() + ": createdBy must be an existing user");
    }
}

TEST_CASE("db: portability: rows that break the rules are refused before they are written") {
    ScratchDatabase target;
    auto refused = [&](auto row, const std::string& message) {
        Restore r(target.db());
        r.add(stored_user(1));
        try {
            r.add(row);
            r.commit();
            FAIL("restored: " << message);
        } catch (const Error& e) {
            CHECK(e.code() == Errc::invalid);
            CHECK(std::string(e.what()) == message);
            CHECK(r.failed_row() == 1);
        }
    };
    auto user = stored_user(2, "$1$saltsalt$2vnaRpHa6Jxjz5n83ok8Z0");
    refused(user, "user " + id_of(2).to_string() + ": password is not a hash libcrm can verify (Argon2id, Argon2i or bcrypt)");
    user = stored_user(2);
    user.user.email = "Mixed@Example.com";
    refused(user, "user " + id_of(2).to_string() + ": email must be trimmed and lower-case");
    auto lead = stored_lead(3, std::nullopt);
    lead.title = "   ";
    refused(lead, "lead " + id_of(3).to_string() + ": title is required");
    lead = stored_lead(3, std::nullopt);
    lead.metadata = "[1, 2]";
    refused(lead, "lead " + id_of(3).to_string() + ": metadata must be a JSON object or null");
    lead = stored_lead(0, std::nullopt);
    lead.id = Uuid{};
    refused(lead, "lead 00000000-0000-0000-0000-000000000000: id must not be the nil UUID");
    CHECK(all_counts(target.db()) == DataCounts{});

    // A restore never committed leaves nothing either.
    {
        Restore r(target.db());
        r.add(stored_user(1));
    }
    CHECK(all_counts(target.db()) == DataCounts{});
}

TEST_CASE("db: portability: dump and restore need this library's schema") {
    ScratchDatabase fresh(false);
    Collected sink;
    CHECK(code_of([&] { dump(fresh.db(), sink); }) == Errc::unavailable);
    CHECK(code_of([&] { Restore r(fresh.db()); }) == Errc::unavailable);
    // A sink's own exception reaches the caller unchanged.
    ScratchDatabase source;
    {
        Restore r(source.db());
        r.add(stored_user(1));
        r.commit();
    }
    struct Failing : Collected {
        void user(const StoredUser&) override { throw std::runtime_error("disk full"); }
    } failing;
    CHECK_THROWS_WITH_AS(dump(source.db(), failing), "disk full", std::runtime_error);
    CHECK(code_of([&] { dump_node_backend(source.db(), sink); }) == Errc::invalid);  // not the Node backend's
}

TEST_CASE("db: portability: a bcrypt user logs in and the hash becomes Argon2id, unknown formats are refused") {
    ScratchDatabase scratch;
    auto& db = scratch.db();
    {
        Restore r(db);
        r.add(stored_user(1, bcrypt("node-password-1")));
        r.add(stored_user(2, "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
        r.commit();
    }
    // A hash nothing can verify (written by some other tool): login refused like a wrong password.
    with_lease(impl_of(db), [&](Lease& lease) {
        lease.sql() << R"(UPDATE "Users" SET password = 'plain-text' WHERE email = 'user2@example.com')";
    });
    Service service(db, test::fast_auth_options());
    CHECK(code_of([&] { (void)service.login("user1@example.com", "node-password-2"); }) == Errc::unauthorized);
    auto hash_of = [&](int n) {
        return with_lease(impl_of(db), [&](Lease& lease) { return user_store::find_credentials(lease, id_of(n))->password_hash; });
    };
    CHECK(hash_of(1).rfind("$2b$04$", 0) == 0);  // a failed login changes nothing
    auto result = service.login("user1@example.com", "node-password-1");
    CHECK(result.user.id == id_of(1));
    CHECK(hash_of(1).rfind("$argon2id$", 0) == 0);
    CHECK(service.login("USER1@example.com ", "node-password-1").user.id == id_of(1));  // with the new hash
    CHECK(code_of([&] { (void)service.login("user1@example.com", "node-password-2"); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)service.login("user2@example.com", "plain-text"); }) == Errc::unauthorized);
}
