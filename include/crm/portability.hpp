// libcrm: moving a whole CRM between databases: dump, restore, and reading a database made by
// the Node.js/Express/Sequelize backend.
//
// These are maintenance operations, like Database::migrate(): they take the Database, not a
// Principal. Whoever holds the database's URL (its password included) can already read and write
// every row, password hashes too, so a principal would protect nothing here. They are for the
// host's own administration (crmctl dump, restore, copy, adopt), never for a request's user.
#pragma once

#include <crm/database.hpp>
#include <crm/models.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace crm {
inline namespace v1 {

/// A user exactly as stored, with the password hash: what a dump carries and a restore writes.
/// It exists only for the maintenance operations of this header; a hash never belongs in a response.
struct StoredUser {
    User user{};                ///< the user's row
    std::string password_hash{};  ///< Argon2id (`$argon2id$…`), or bcrypt (`$2a$`, `$2b$`, `$2y$`) from the Node backend
    bool operator==(const StoredUser&) const = default;  ///< field-wise equality
};

/// How many rows of each kind.
struct DataCounts {
    std::int64_t users = 0;       ///< rows of "Users"
    std::int64_t leads = 0;       ///< rows of "Leads"
    std::int64_t activities = 0;  ///< rows of "Activities"
    bool operator==(const DataCounts&) const = default;  ///< field-wise equality
};

/// What a dump reads from, told before its first row.
struct DumpInfo {
    Backend backend = Backend::sqlite;  ///< the source's engine
    /// The source's schema version (Database::schema_version()); 0 for a Node backend's database.
    int schema_version = 0;
    DataCounts counts{};  ///< how many rows will follow, from the same snapshot as the rows
};

/// Receives a dump's rows: every user first, then every lead, then every activity, each kind in
/// id order, so that a row only ever refers to rows received before it. An exception thrown by a
/// member ends the dump and reaches the caller of dump() unchanged.
class DataSink {
public:
    virtual ~DataSink() = default;  ///< a sink is used through a reference to this base
    /// Called once, before any row.
    virtual void begin(const DumpInfo& info) { (void)info; }
    virtual void user(const StoredUser& user) = 0;      ///< one user, with its password hash
    virtual void lead(const Lead& lead) = 0;            ///< one lead; metadata is the stored JSON text
    virtual void activity(const Activity& activity) = 0;  ///< one activity
};

/// Reads every user (with its password hash), lead and activity of a migrated libcrm database,
/// exactly as stored (ids, timestamps, metadata text, ownership), from one consistent snapshot,
/// in chunks so that memory stays bounded whatever the size. Refresh tokens and login throttling
/// counts are not read. Throws Error(unavailable) for a database that is not migrated to this
/// library's schema version.
void dump(Database& source, DataSink& sink);

/// Reads the users, leads and activities of a PostgreSQL database made by the Node.js/Express/
/// Sequelize backend (its tables "Users", "Leads", "Activities" as `sequelize.sync()` creates
/// them) as a dump would, converted to this library's rules: emails trimmed and lower-cased, a
/// null name replaced by the part of the email before '@', timestamps to the millisecond. The
/// bcrypt hashes are passed on as they are: Service::login() verifies them and replaces each with
/// Argon2id at its user's first successful login. Throws Error(invalid) when the database has no
/// such tables, or is a libcrm database (use dump()).
void dump_node_backend(Database& source, DataSink& sink);

/// How a Restore treats a target that already has data.
struct RestoreOptions {
    /// False: a target with any user, lead or activity is refused (Error(conflict)). True: the
    /// rows are added to what is there; a clash (an id or email already taken) fails the restore.
    bool merge = false;
};

/// Writes users, leads and activities into a migrated database of either engine, keeping every
/// value exactly (ids, timestamps, password hashes, metadata text), all in ONE transaction: until
/// commit() nothing is visible, and a failure or a Restore destroyed without commit() leaves the
/// database as it was. Rows are validated as the library validates its own input and written in
/// batches of prepared multi-row inserts, so memory stays bounded. Rows must come in dump order
/// (every user, then leads, then activities): a row whose owner, author or lead is unknown fails.
///
/// While it runs it holds one connection of the Database's pool, and writers wait: on SQLite the
/// write lock, on PostgreSQL an EXCLUSIVE lock on the three tables (readers go on).
class Restore {
public:
    /// Starts the transaction. Throws Error(unavailable) for a target that is not migrated to
    /// this library's schema version, Error(conflict) for a target with data (unless merge).
    explicit Restore(Database& target, const RestoreOptions& options = {});
    ~Restore();  ///< rolls back unless commit() ran
    Restore(Restore&&) noexcept;             ///< moves the restore; the source is left empty
    Restore& operator=(Restore&&) noexcept;  ///< moves the restore; the source is left empty

    /// Adds a row. Throws Error(invalid) (its message starts with "user ID:", "lead ID:" or
    /// "activity ID:") for a row that breaks a rule, refers to a missing row or clashes
    /// (Error(conflict)); failed_row() then tells which. After any failure the transaction is
    /// already rolled back and every further call throws.
    void add(const StoredUser& user);
    /// Adds a lead, as add(const StoredUser&) adds a user.
    void add(const Lead& lead);
    /// Adds an activity, as add(const StoredUser&) adds a user.
    void add(const Activity& activity);

    /// Writes what is still buffered, checks that the tables now hold exactly the rows they held
    /// before plus those added (Error(internal) otherwise), and commits. Returns the rows added.
    DataCounts commit();

    /// Rows added so far (buffered ones included).
    [[nodiscard]] DataCounts added() const noexcept;
    /// After a failure: the position (0-based, counting every add() call in order) of the row the
    /// failure is about, when it is about one row; nullopt otherwise.
    [[nodiscard]] std::optional<std::uint64_t> failed_row() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace crm
