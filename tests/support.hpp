// Test support: a fresh, migrated database on the backend this run is for.
#pragma once

#include <crm/crm.hpp>

#include <functional>
#include <string>

namespace crm::test {

/// "sqlite" or "postgresql", from CRM_TEST_BACKEND (default sqlite).
[[nodiscard]] Backend backend();

/// A new empty database for one test case: a file in a temporary folder on SQLite, a new
/// database on the server at CRM_TEST_PG_URL on PostgreSQL (the test fails when that is unset
/// or unreachable: it never skips). Dropped when the object goes.
class ScratchDatabase {
public:
    explicit ScratchDatabase(bool migrate = true, DatabaseOptions options = {});
    ~ScratchDatabase();
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    [[nodiscard]] Database& db() { return db_; }
    [[nodiscard]] const std::string& url() const { return url_; }
    /// Opens the same database again, as a second process would.
    [[nodiscard]] Database reopen(DatabaseOptions options = {}) const;

private:
    std::string cleanup_;  // SQLite: folder to remove; PostgreSQL: database to drop (set by make_url)
    std::string url_;
    Database db_;
};

/// The code of the crm::Error that `f` throws; fails the test case when it throws none.
[[nodiscard]] Errc code_of(const std::function<void()>& f);

/// Fast Argon2id settings (libsodium's MIN limits) and a fixed test secret.
[[nodiscard]] AuthOptions fast_auth_options();

}  // namespace crm::test
