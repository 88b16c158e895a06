#include "support.hpp"

#include "db.hpp"

#include <doctest/doctest.h>
#include <sodium.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace crm::test {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string random_suffix() {
    std::string out;
    for (int i = 0; i < 12; ++i) out.push_back("abcdefghijklmnopqrstuvwxyz0123456789"[randombytes_uniform(36)]);
    return out;
}

std::string pg_admin_url() {
    std::string url = env("CRM_TEST_PG_URL");
    if (url.empty())
        throw std::runtime_error("CRM_TEST_PG_URL is not set: run the tests through scripts/with-postgres.sh");
    return url;
}

// Replaces the database name (the last path segment) of a postgresql:// URL.
std::string with_database(const std::string& url, const std::string& name) {
    auto query = url.find('?');
    std::string base = url.substr(0, query);
    auto slash = base.rfind('/');
    return base.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

// Runs one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run in
// a transaction or a database being dropped).
void pg_admin(const std::string& statement) {
    DatabaseOptions one;
    one.pool_size = 1;
    auto admin = Database::open(pg_admin_url(), one);
    detail::with_lease(detail::impl_of(admin), [&](detail::Lease& lease) { lease.sql() << statement; });
}

}  // namespace

Backend backend() {
    std::string b = env("CRM_TEST_BACKEND");
    if (b.empty() || b == "sqlite") return Backend::sqlite;
    if (b == "postgresql") return Backend::postgresql;
    throw std::runtime_error("CRM_TEST_BACKEND must be sqlite or postgresql");
}

static std::string make_url(std::string& cleanup) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium");
    if (backend() == Backend::sqlite) {
        auto dir = std::filesystem::temp_directory_path() / ("crm-test-" + random_suffix());
        std::filesystem::create_directories(dir);
        cleanup = dir.string();
        return "sqlite:" + (dir / "crm.db").string();
    }
    cleanup = "crm_test_" + random_suffix();
    pg_admin("CREATE DATABASE " + cleanup);
    return with_database(pg_admin_url(), cleanup);
}

ScratchDatabase::ScratchDatabase(bool migrate, DatabaseOptions options)
    : url_(make_url(cleanup_)), db_(Database::open(url_, options)) {
    if (migrate) db_.migrate();
}

ScratchDatabase::~ScratchDatabase() {
    db_ = Database::open("sqlite::memory:");  // release the pool before dropping
    try {
        if (backend() == Backend::sqlite)
            std::filesystem::remove_all(cleanup_);
        else
            pg_admin("DROP DATABASE IF EXISTS " + cleanup_ + " WITH (FORCE)");
    } catch (const std::exception& e) {
        MESSAGE("could not clean up " << cleanup_ << ": " << e.what());
    }
}

Database ScratchDatabase::reopen(DatabaseOptions options) const { return Database::open(url_, options); }

Errc code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    FAIL("no error thrown");
    return Errc::internal;
}

AuthOptions fast_auth_options() {
    AuthOptions options;
    options.jwt_secret = "test-secret-test-secret-test-secret-0123456789";
    options.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    options.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    return options;
}

}  // namespace crm::test
