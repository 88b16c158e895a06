// Findings of the security review, each as the behaviour a user would notice.
#include "support.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <thread>

using namespace crm;
using crm::test::ScratchDatabase;
using crm::test::code_of;

TEST_CASE("db: a demotion during a slow self-update is never undone") {
    // A MANAGER changes their own password (two Argon2id operations at the default cost) and sends
    // their role back unchanged, as front ends do; an ADMIN demotes them meanwhile. Before the fix
    // the self-update decided "role unchanged" against the row read before hashing and wrote
    // MANAGER back. Whatever the interleaving, the demotion must stand.
    ScratchDatabase scratch;
    auto options = test::fast_auth_options();
    options.password_opslimit = 0;  // libsodium's INTERACTIVE cost: tens of milliseconds per hash
    options.password_memlimit = 0;
    Service svc(scratch.db(), options);
    auto sys = Principal::system();
    User admin_user = svc.create_user(sys, NewUser{"admin@example.com", "admin-password", "A", Role::admin});
    auto admin = svc.authenticate(svc.login(admin_user.email, "admin-password").tokens.access_token);

    for (int attempt = 0; attempt < 2; ++attempt) {
        std::string email = "manager" + std::to_string(attempt) + "@example.com";
        User m = svc.create_user(sys, NewUser{email, "old-password", "M", Role::manager});
        auto manager = svc.authenticate(svc.login(email, "old-password").tokens.access_token);

        UserUpdate self_update;
        self_update.name = "M renamed";
        self_update.role = Role::manager;  // unchanged, as sent by a front end
        self_update.password = "new-password-" + std::to_string(attempt);
        self_update.current_password = "old-password";
        auto in_flight = std::async(std::launch::async, [&]() -> std::optional<Errc> {
            try {
                (void)svc.update_user(manager, m.id, self_update);
                return std::nullopt;  // ran entirely before the demotion
            } catch (const Error& e) {
                return e.code();
            }
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(15));  // inside the first hash
        UserUpdate demote;
        demote.role = Role::sales;
        CHECK(svc.update_user(admin, m.id, demote).role == Role::sales);
        auto outcome = in_flight.get();
        CAPTURE(attempt);
        CHECK((!outcome || *outcome == Errc::forbidden));
        CHECK(svc.get_user(sys, m.id).role == Role::sales);
    }
}

TEST_CASE("security: a new SQLite database and its WAL are readable by their owner only") {
    // Before: created with the umask's mode (0644 here), so every local user could read the
    // password hashes.
    auto dir = std::filesystem::temp_directory_path() / ("crm-mode-" + Uuid::generate().to_string());
    std::filesystem::create_directories(dir);
    auto path = (dir / "crm.db").string();
    mode_t old_mask = ::umask(022);
    {
        auto db = Database::open("sqlite:" + path);
        db.migrate();
        Service svc(db, test::fast_auth_options());
        (void)svc.create_user(Principal::system(), NewUser{"u@example.com", "password123", "U", Role::sales});
        auto mode_of = [](const std::string& p) {
            struct stat st {};
            REQUIRE(::stat(p.c_str(), &st) == 0);
            return st.st_mode & 0777;
        };
        CHECK(mode_of(path) == 0600);
        CHECK(mode_of(path + "-wal") == 0600);
    }
    // An existing file keeps the mode its owner gave it.
    auto shared = (dir / "shared.db").string();
    { std::ofstream touch(shared); }
    ::chmod(shared.c_str(), 0640);
    { auto db = Database::open("sqlite:" + shared); db.migrate(); }
    struct stat st {};
    REQUIRE(::stat(shared.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    ::umask(old_mask);
    std::filesystem::remove_all(dir);
}

TEST_CASE("db: a principal kept by the host follows its user's demotion and deletion") {
    // Before: a Principal kept its role from authenticate() forever, and a deleted user's
    // principal went on working.
    ScratchDatabase scratch;
    Service svc(scratch.db(), test::fast_auth_options());  // principal_max_age: the default, 1 s
    auto sys = Principal::system();
    User m = svc.create_user(sys, NewUser{"m@example.com", "password123", "M", Role::manager});
    User other = svc.create_user(sys, NewUser{"o@example.com", "password123", "O", Role::sales});
    NewLead input;
    input.title = "someone else's";
    input.owner_id = std::optional<Uuid>(other.id);
    Lead foreign = svc.create_lead(sys, input);

    Principal kept = svc.authenticate(svc.login("m@example.com", "password123").tokens.access_token);
    CHECK(svc.get_lead(kept, foreign.id).id == foreign.id);  // a MANAGER reads every lead
    UserUpdate demote;
    demote.role = Role::sales;
    (void)svc.update_user(sys, m.id, demote);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(code_of([&] { (void)svc.get_lead(kept, foreign.id); }) == Errc::not_found);  // now SALES
    CHECK(code_of([&] { (void)svc.get_user(kept, other.id); }) == Errc::forbidden);
    CHECK(svc.me(kept).role == Role::sales);

    svc.delete_user(sys, m.id);
    CHECK(code_of([&] { (void)svc.me(kept); }) == Errc::unauthorized);
    CHECK(code_of([&] { (void)svc.create_lead(kept, input); }) == Errc::unauthorized);

    // principal_max_age is bounded.
    auto options = test::fast_auth_options();
    options.principal_max_age = std::chrono::hours(2);
    CHECK(code_of([&] { Service s(scratch.db(), options); }) == Errc::invalid);
}
