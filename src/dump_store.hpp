// Internal: SQL for whole-database moves (src/dump_store.cpp): reading every row of a libcrm
// database or of a Node backend's database in id-keyed chunks, and writing rows back in batches
// of prepared multi-row inserts. No validation and no policy here: src/portability.cpp decides.
#pragma once

#include "stores.hpp"

#include <crm/portability.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace crm::detail::dump_store {

/// Rows per read chunk: each chunk is one query (on PostgreSQL its whole result sits in memory).
constexpr long long read_chunk = 256;

/// Turns the transaction just begun into a read-only snapshot (PostgreSQL: REPEATABLE READ, so
/// that every chunk query sees the same data; SQLite's read transaction already is one).
void begin_snapshot(Lease& lease);

/// Rows in the libcrm tables.
[[nodiscard]] DataCounts count(Lease& lease);

/// Chunked reads in id order: up to read_chunk rows with an id after `after` (from the first row
/// when empty), each handed to `on_row`. Return the last id read, or nullopt when there was none.
std::optional<std::string> users_after(Lease& lease, const std::string& after,
                                       const std::function<void(const StoredUser&)>& on_row);
std::optional<std::string> leads_after(Lease& lease, const std::string& after,
                                       const std::function<void(const Lead&)>& on_row);
std::optional<std::string> activities_after(Lease& lease, const std::string& after,
                                            const std::function<void(const Activity&)>& on_row);

// ---- a database made by the Node.js/Express/Sequelize backend ------------------------------

/// True when the current schema has the Sequelize tables "Users", "Leads" and "Activities".
[[nodiscard]] bool has_node_tables(Lease& lease);
/// True when the current schema has libcrm's ledger ("SchemaMigrations").
[[nodiscard]] bool has_libcrm_ledger(Lease& lease);
[[nodiscard]] DataCounts count_node(Lease& lease);
/// As users_after() etc., from the Sequelize columns (enum types, varchar, timestamptz with
/// microseconds read to the millisecond). A user's name may be null there: `name` is then empty
/// and `name_is_null` set, for the caller to decide.
std::optional<std::string> node_users_after(Lease& lease, const std::string& after,
                                            const std::function<void(const StoredUser&, bool name_is_null)>& on_row);
std::optional<std::string> node_leads_after(Lease& lease, const std::string& after,
                                            const std::function<void(const Lead&)>& on_row);
std::optional<std::string> node_activities_after(Lease& lease, const std::string& after,
                                                 const std::function<void(const Activity&)>& on_row);

// ---- writing -------------------------------------------------------------------------------

/// Keeps writers out of the three tables until the transaction ends (PostgreSQL; SQLite's write
/// transaction already does).
void lock_for_restore(Lease& lease);

/// `e` with its message prefixed by the row it is about: "lead ID: ownerId must be an existing user".
[[nodiscard]] Error about(const char* kind, const std::string& id, const Error& e);

/// A row refused: which one (the `tag` it was added with) and why (the message names the row).
struct RowRefused {
    std::uint64_t tag;
    Error error;
};

/// Buffers rows of one table and writes them with a prepared multi-row INSERT once `batch` are
/// buffered (single-row inserts for the rest at flush()). Each batch runs inside a savepoint: when
/// the database refuses it, the batch is undone and its rows are retried one by one to find the
/// one refused, which is thrown as RowRefused with the error it means (an id or email taken, an
/// owner, author or lead that does not exist).
class Writer {
public:
    Writer(Lease& lease, std::size_t batch);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void add(const StoredUser& user, std::uint64_t tag);
    void add(const Lead& lead, std::uint64_t tag);
    void add(const Activity& activity, std::uint64_t tag);
    /// Writes every buffered row of every table (users first, then leads, then activities).
    void flush();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace crm::detail::dump_store
