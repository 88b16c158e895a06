// libcrm: a database handle: a URL, a pool of connections, the schema.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace crm {
namespace detail {
struct DatabaseAccess;  // the library's own way to the pool (src/db.hpp)
}  // namespace detail

inline namespace v1 {

/// The database engines libcrm speaks.
enum class Backend {
    sqlite,      ///< an embedded SQLite file (or memory)
    postgresql,  ///< a PostgreSQL server
};

/// How a Database's pool behaves.
struct DatabaseOptions {
    /// Connections in the pool; 0 picks the number of cores (at least 2). A `sqlite::memory:`
    /// database always has exactly one connection, since each connection would be its own database.
    std::size_t pool_size = 0;
    /// How long a call waits for a free connection before failing with `unavailable`.
    std::chrono::milliseconds lease_timeout{10000};
    /// SQLite: how long a writer waits for another writer's lock.
    std::chrono::milliseconds busy_timeout{10000};
    /// SQLite: create the file when it does not exist (mode 0600). False: a missing file is
    /// Error(unavailable), so that a mistyped path is not silently a new, empty database.
    bool create_if_missing = true;
};

/// An open database: `sqlite:PATH`, `sqlite::memory:` or `postgresql://user:pass@host:port/db`.
/// Copies share one pool; a Database is safe to use from many threads at once.
class Database {
public:
    /// Opens the pool. Throws Error(invalid) for a malformed URL, Error(unavailable) when the
    /// database cannot be reached. Does not change the schema: call migrate().
    [[nodiscard]] static Database open(std::string_view url, const DatabaseOptions& options = {});

    /// Applies every migration not applied yet, each in its own transaction. Idempotent.
    void migrate();
    /// The highest migration applied (0 for an empty database).
    [[nodiscard]] int schema_version();
    /// The highest migration this library knows.
    [[nodiscard]] static int latest_schema_version() noexcept;

    /// True when a connection answers a trivial query now. Never throws.
    [[nodiscard]] bool ping() noexcept;
    /// Which kind of database the URL named.
    [[nodiscard]] Backend backend() const noexcept;
    /// How many connections the pool may hold.
    [[nodiscard]] std::size_t pool_size() const noexcept;

private:
    friend struct detail::DatabaseAccess;
    struct Impl;
    explicit Database(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
    std::shared_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace crm
