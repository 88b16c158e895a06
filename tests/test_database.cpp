// Opening, migrating and reopening databases; the pool under concurrent writers.
#include "db.hpp"
#include "stores.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace crm;
using crm::test::ScratchDatabase;

TEST_CASE("database: malformed URLs are invalid, unreachable ones unavailable") {
    auto code_of = [](const std::string& url) {
        try {
            (void)Database::open(url);
        } catch (const Error& e) {
            return e.code();
        }
        return Errc::internal;  // opened: not what any caller here expects
    };
    CHECK(code_of("mysql://x") == Errc::invalid);
    CHECK(code_of("") == Errc::invalid);
    CHECK(code_of("sqlite:") == Errc::invalid);
    CHECK(code_of("sqlite:/nonexistent-dir/for/sure/crm.db") == Errc::unavailable);
    CHECK(code_of("postgresql://nobody:wrong@127.0.0.1:1/none") == Errc::unavailable);
}

TEST_CASE("database: a wrong password never appears in the error") {
    try {
        (void)Database::open("postgresql://crm:s3cr3t-pw@127.0.0.1:1/none");
        FAIL("opened");
    } catch (const Error& e) {
        CHECK(std::string(e.what()).find("s3cr3t-pw") == std::string::npos);
    }
}

namespace {

// The message of the crm::Error that opening `url` throws (unavailable expected).
std::string open_failure(const std::string& url, DatabaseOptions options = {}) {
    try {
        (void)Database::open(url, options);
    } catch (const Error& e) {
        CHECK(e.code() == Errc::unavailable);
        return e.what();
    }
    FAIL("opened " << url);
    return {};
}

// `url` with its password, port or database name replaced.
std::string pg_url_with(const std::string& url, const std::string& what, const std::string& value) {
    auto scheme_end = url.find("://") + 3;
    auto at = url.find('@', scheme_end);
    auto colon = url.find(':', scheme_end);
    auto port_colon = url.find(':', at);
    auto slash = url.find('/', at);
    if (what == "password") return url.substr(0, colon + 1) + value + url.substr(at);
    if (what == "port") return url.substr(0, port_colon + 1) + value + url.substr(slash);
    return url.substr(0, slash + 1) + value;  // database
}

}  // namespace

TEST_CASE("db: a database that cannot be opened says why") {
    // Before, every case read "the database is unavailable": a typo could not be told from an outage.
    if (test::backend() == Backend::sqlite) {
        auto message = open_failure("sqlite:/no/such/dir/x.db");
        CHECK(message.find("cannot open the SQLite database /no/such/dir/x.db") != std::string::npos);
        CHECK(message.find("unable to open database file") != std::string::npos);
        // A read-only caller (crmctl export) does not make a new file for a mistyped path.
        auto dir = std::filesystem::temp_directory_path() / ("crm-nofile-" + Uuid::generate().to_string());
        std::filesystem::create_directories(dir);
        DatabaseOptions no_create;
        no_create.create_if_missing = false;
        auto missing = (dir / "typo.db").string();
        CHECK(open_failure("sqlite:" + missing, no_create).find("no such file") != std::string::npos);
        CHECK_FALSE(std::filesystem::exists(missing));
        std::filesystem::remove_all(dir);
        return;
    }
    ScratchDatabase scratch;  // a reachable server and a database that exists
    const std::string url = scratch.url();
    auto wrong_password = open_failure(pg_url_with(url, "password", "not-the-password-42"));
    CHECK(wrong_password.find("password authentication failed") != std::string::npos);
    CHECK(wrong_password.find("not-the-password-42") == std::string::npos);
    auto closed_port = open_failure(pg_url_with(url, "port", "1"));
    CHECK(closed_port.find("port 1 failed") != std::string::npos);
    CHECK(closed_port.find("Connection refused") != std::string::npos);
    auto missing_db = open_failure(pg_url_with(url, "database", "no_such_database_here"));
    CHECK(missing_db.find("database \"no_such_database_here\" does not exist") != std::string::npos);
}

TEST_CASE("db: using a database before migrate() says it is not migrated") {
    ScratchDatabase scratch(false);
    Service svc(scratch.db(), test::fast_auth_options());
    NewLead lead;
    lead.title = "too early";
    try {
        (void)svc.create_lead(Principal::system(), lead);
        FAIL("created a lead in an unmigrated database");
    } catch (const Error& e) {
        CHECK(e.code() == Errc::unavailable);
        CHECK(std::string(e.what()) == "the database is not migrated (schema version 0 of " +
                                           std::to_string(Database::latest_schema_version()) + "): call migrate()");
    }
    scratch.db().migrate();
    CHECK_NOTHROW((void)svc.create_lead(Principal::system(), lead));
}

TEST_CASE("db: migrate from empty, re-run is a no-op, version recorded") {
    ScratchDatabase scratch(/*migrate=*/false);
    auto& db = scratch.db();
    CHECK(db.schema_version() == 0);
    db.migrate();
    CHECK(db.schema_version() == Database::latest_schema_version());
    db.migrate();
    CHECK(db.schema_version() == Database::latest_schema_version());
    // The ledger has exactly one row per migration, even after the re-run (versions need not be
    // contiguous: parallel branches number theirs in advance).
    auto ledger = [&] {
        return detail::with_lease(detail::impl_of(db), [](detail::Lease& lease) {
            long long rows = 0, versions = 0;
            lease.sql() << R"(SELECT count(*), count(DISTINCT version) FROM "SchemaMigrations")", soci::into(rows),
                soci::into(versions);
            return std::pair(rows, versions);
        });
    };
    auto [rows, versions] = ledger();
    CHECK(rows == versions);
    CHECK(rows >= 1);
    db.migrate();
    CHECK(ledger().first == rows);
    CHECK(db.ping());
}

TEST_CASE("db: concurrent migrators agree") {
    ScratchDatabase scratch(/*migrate=*/false);
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i)
        threads.emplace_back([&] {
            try {
                scratch.reopen().migrate();
            } catch (...) {
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    CHECK(scratch.db().schema_version() == Database::latest_schema_version());
}

TEST_CASE("db: 8 threads x 500 creates through the pool give an exact count") {
    DatabaseOptions options;
    options.pool_size = 4;
    ScratchDatabase scratch(true, options);
    auto& pool = detail::impl_of(scratch.db());
    constexpr int threads_n = 8, per_thread = 500;
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                try {
                    detail::in_transaction(pool, detail::Transaction::Mode::write, [&](detail::Lease& lease) {
                        Timestamp at = now();
                        detail::lead_store::insert(lease, Lead{Uuid::generate(),
                                                               "lead " + std::to_string(t) + "/" + std::to_string(i),
                                                               std::nullopt, LeadStatus::new_, std::nullopt,
                                                               std::nullopt, std::nullopt, at, at});
                    });
                } catch (const std::exception& e) {
                    ++errors;
                }
            }
        });
    for (auto& t : threads) t.join();
    CHECK(errors == 0);
    auto page = detail::with_lease(pool, [](detail::Lease& lease) {
        return detail::lead_store::list(lease, {}, {}, detail::ListWindow(PageRequest{1, 1}, std::nullopt));
    });
    CHECK(page.total == threads_n * per_thread);
}

TEST_CASE("db: a database closed and reopened keeps everything") {
    ScratchDatabase scratch;
    Timestamp at = now();
    Lead lead{Uuid::generate(), "kept", "across reopen", LeadStatus::qualified, "web", std::nullopt,
              R"({"k":1})", at, at};
    detail::in_transaction(detail::impl_of(scratch.db()), detail::Transaction::Mode::write,
                           [&](detail::Lease& lease) { (void)detail::lead_store::insert(lease, lead); });
    Database again = scratch.reopen();
    CHECK(again.schema_version() == Database::latest_schema_version());
    auto found = detail::with_lease(detail::impl_of(again), [&](detail::Lease& lease) { return detail::lead_store::find(lease, lead.id); });
    REQUIRE(found);
    CHECK(found->title == "kept");
    CHECK(found->created_at == at);
}

TEST_CASE("database: sqlite::memory: is one connection and works") {
    auto db = Database::open("sqlite::memory:", DatabaseOptions{8, std::chrono::milliseconds(1000), {}});
    CHECK(db.pool_size() == 1);
    db.migrate();
    CHECK(db.schema_version() == Database::latest_schema_version());
}

TEST_CASE("database: a SQLite path with spaces works") {
    auto dir = std::filesystem::temp_directory_path() / "crm test dir with spaces";
    std::filesystem::create_directories(dir);
    {
        auto db = Database::open("sqlite:" + (dir / "my crm.db").string());
        db.migrate();
        CHECK(db.ping());
    }
    CHECK(std::filesystem::exists(dir / "my crm.db"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("db: the pool heals after the server drops every connection") {
    if (test::backend() != Backend::postgresql) return;  // SQLite has no server to lose
    DatabaseOptions options;
    options.pool_size = 3;
    ScratchDatabase scratch(true, options);
    auto& db = scratch.db();
    // Fill the pool with idle sessions.
    {
        std::vector<std::thread> threads;
        for (int i = 0; i < 3; ++i) threads.emplace_back([&] { CHECK(db.ping()); });
        for (auto& t : threads) t.join();
    }
    // Another connection terminates all of them, as a server restart would.
    auto killer = scratch.reopen(DatabaseOptions{1, std::chrono::milliseconds(1000), {}});
    detail::with_lease(detail::impl_of(killer), [](detail::Lease& lease) {
        lease.sql() << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()";
    });
    // At most one call notices the loss (as `unavailable`, never `internal`); then it works again.
    int failures = 0;
    for (int i = 0; i < 3; ++i) {
        try {
            (void)db.schema_version();
        } catch (const Error& e) {
            CHECK(e.code() == Errc::unavailable);
            ++failures;
        }
    }
    CHECK(failures <= 1);
    CHECK(db.schema_version() == Database::latest_schema_version());
}
