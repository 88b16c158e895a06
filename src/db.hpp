// Internal: the connection pool behind crm::Database, leases, transactions and the one place
// where SOCI and driver errors become crm::Error.
#pragma once

#include <crm/database.hpp>
#include <crm/error.hpp>
#include <crm/types.hpp>

#include <soci/soci.h>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <string>
#include <vector>

namespace crm {
namespace detail {

/// A statement kept prepared on one pooled connection (see Lease::cached).
struct CachedStatement {
    virtual ~CachedStatement() = default;
};

/// One pooled connection and the statements prepared on it. Statements are declared after the
/// session so that they are destroyed first.
struct Connection {
    soci::session sql;
    std::unordered_map<std::string, std::unique_ptr<CachedStatement>> statements;
};

}  // namespace detail

inline namespace v1 {

struct Database::Impl {
    Backend backend = Backend::sqlite;
    std::string connect_string;  // what SOCI gets; never logged (it may hold a password)
    DatabaseOptions options;
    std::size_t size = 1;
    std::string sqlite_path;  // for messages; empty for PostgreSQL

    std::mutex mutex;
    std::condition_variable returned;
    std::vector<std::unique_ptr<detail::Connection>> idle;
    std::size_t open_count = 0;  // connections that exist, idle or leased

    [[nodiscard]] std::unique_ptr<detail::Connection> connect() const;
};

}  // namespace v1

namespace detail {

/// The one way into a Database's pool (Database names it a friend): the public header keeps the
/// pool's type and accessor private.
struct DatabaseAccess {
    using Pool = Database::Impl;
    [[nodiscard]] static Pool& pool(const Database& db) noexcept { return *db.impl_; }
};

/// The connection pool behind a crm::Database.
using Pool = DatabaseAccess::Pool;

/// The pool of `db`.
[[nodiscard]] inline Pool& impl_of(const Database& db) noexcept { return DatabaseAccess::pool(db); }

/// A pooled session, returned on destruction. A lease that saw a connection error is discarded
/// together with every idle session (they most likely lost the same server), so the pool heals
/// by reconnecting lazily.
class Lease {
public:
    explicit Lease(Pool& pool);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    [[nodiscard]] soci::session& sql() { return connection_->sql; }

    /// The statement named `name`, prepared on this connection the first time it is asked for
    /// (`T(sql(), args...)`) and reused by every later lease of the connection: hot lookups skip
    /// parsing and planning (and, on PostgreSQL, the PREPARE round trip) after the first call.
    /// The reference is valid until the next call of cached() on this lease.
    template <class T, class... Args>
    T& cached(const std::string& name, Args&&... args) {
        auto& statements = connection_->statements;
        auto found = statements.find(name);
        if (found == statements.end()) {
            // Bounded: list statements vary with their filters and sort, and a host could vary
            // them without end. Past the bound the cache starts over; hot statements return at once.
            if (statements.size() >= max_cached_statements) statements.clear();
            found = statements.emplace(name, std::make_unique<T>(sql(), std::forward<Args>(args)...)).first;
        }
        return static_cast<T&>(*found->second);
    }
    static constexpr std::size_t max_cached_statements = 64;
    [[nodiscard]] Backend backend() const { return pool_.backend; }
    void mark_broken() noexcept { broken_ = true; }

private:
    Pool& pool_;
    std::unique_ptr<Connection> connection_;
    bool broken_ = false;
};

/// Ends a statement that was executed for one row without reading to the end. SQLite keeps an
/// unfinished statement's read snapshot open (stale reads, blocked checkpoints): reset it.
void finish_single_row(Lease& lease, soci::statement& st);

/// The values a list statement binds, by name: texts and integers (a list binds no null). Kept
/// apart from the statement so that one prepared statement (ListStatement) takes new values on
/// every call. The same query text always comes with the same names in the same order.
class Parameters {
public:
    Parameters& text(std::string name, std::string value) {
        texts_.push_back({std::move(name), std::move(value)});
        return *this;
    }
    Parameters& integer(std::string name, long long value) {
        integers_.push_back({std::move(name), value});
        return *this;
    }
    template <class Value>
    struct Named {
        std::string name;
        Value value;
    };
    [[nodiscard]] const std::vector<Named<std::string>>& texts() const noexcept { return texts_; }
    [[nodiscard]] const std::vector<Named<long long>>& integers() const noexcept { return integers_; }

private:
    std::vector<Named<std::string>> texts_;
    std::vector<Named<long long>> integers_;
};

/// SQLite: a prepared statement on the connection's own sqlite3 handle, read column by column
/// into the caller's variables. The list pages go this way rather than through SOCI, whose SQLite
/// backend first copies every value of every row into buffers of its own and then converts them
/// into the bound variables (the MANAGER list went from 1.71× to 1.47× of raw sqlite3 running the
/// same statements, bench/bench_lists.cpp).
/// Errors are thrown as SOCI's (soci::sqlite3_soci_error), so they are classified as any other.
class SqliteStatement {
public:
    SqliteStatement(soci::session& sql, const std::string& query, const Parameters& shape);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    /// Starts a run: logs the statement to the session's log stream (if any) and binds `values`
    /// (the shape the statement was made with; they must outlive the run).
    void bind(const Parameters& values);
    /// Binds the shape's text parameter number `i` to `value` (which must outlive the run).
    void bind_text(std::size_t i, const std::string& value);
    /// Logs the statement to the session's log stream, as bind() does.
    void log() { sql_.log_query(query_); }
    /// The next row: true when there is one; false at the end.
    bool step();
    /// Ends the run: the statement's read snapshot is released, its parameters unbound.
    void reset() noexcept;

    /// Column `column` of the current row into `value` (a NULL there is a malformed row).
    void read(int column, std::string& value) const;
    /// Column `column` of the current row into `value`, `ind` telling whether it is NULL.
    void read(int column, std::string& value, soci::indicator& ind) const;
    [[nodiscard]] long long integer(int column) const;
    /// The current row's columns from `first` on into `row`'s members (its each()); returns the
    /// column after them.
    template <class Row>
    int read_row(Row& row, int first = 0) const {
        int column = first;
        row.each([&](auto&... member) { read(column++, member...); });
        return column;
    }

    /// Resets the statement when it leaves scope, however the run ends (see reset()).
    struct ResetOnExit {
        SqliteStatement& st;
        ~ResetOnExit() { st.reset(); }
    };

private:
    soci::session& sql_;  // its log stream sees every run, as for statements run through SOCI
    std::string query_;
    void* db_;    // sqlite3*
    void* stmt_;  // sqlite3_stmt*
    std::vector<int> text_slots_, integer_slots_;  // parameter indexes, in the shape's order
};

/// RAII transaction: rolled back unless commit() ran. SQLite write transactions take the write
/// lock up front (BEGIN IMMEDIATE) so that concurrent writers wait on the busy timeout instead
/// of failing with SQLITE_BUSY half-way.
class Transaction {
public:
    enum class Mode { read, write };
    Transaction(Lease& lease, Mode mode);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Lease& lease_;
    bool open_ = true;
};

/// What a constraint violation means for one statement. Call rethrow_constraint() from a
/// catch block around that statement: a violation with a meaning here becomes that error,
/// anything else is rethrown untouched for with_lease to translate.
struct ConstraintMeaning {
    std::optional<Error> unique;       // e.g. conflict "email is already taken"
    std::optional<Error> foreign_key;  // e.g. invalid ownerId
};
[[noreturn]] void rethrow_constraint(const ConstraintMeaning& meaning);

/// Rethrows the exception in flight as a crm::Error: crm::Error as is; remaining constraint
/// violations as invalid; lost connections as unavailable (marking the lease broken); anything
/// else as internal. Never copies driver text, which may quote SQL or values.
[[noreturn]] void rethrow_as_crm_error(Lease* lease);

/// Runs `work(lease)` on a pooled session, translating every failure.
template <class Work>
auto with_lease(Pool& pool, Work&& work) {
    std::optional<Lease> lease;
    try {
        lease.emplace(pool);
        return work(*lease);
    } catch (...) {
        rethrow_as_crm_error(lease ? &*lease : nullptr);
    }
}

/// Runs `work(lease)` inside a transaction and commits it.
template <class Work>
auto in_transaction(Pool& pool, Transaction::Mode mode, Work&& work) {
    return with_lease(pool, [&](Lease& lease) {
        Transaction tx(lease, mode);
        if constexpr (std::is_void_v<decltype(work(lease))>) {
            work(lease);
            tx.commit();
        } else {
            auto result = work(lease);
            tx.commit();
            return result;
        }
    });
}

/// The highest migration applied on this database (0 when it has none).
[[nodiscard]] int applied_schema_version(Lease& lease);

/// Whether the current session speaks PostgreSQL (for the few statements that differ).
[[nodiscard]] inline bool is_postgresql(Lease& lease) { return lease.backend() == Backend::postgresql; }

/// Registers the SQL functions libcrm's SQLite schema needs (crm_fold, which the search index's
/// triggers call) on a connection opened without libcrm: `connection` is a `sqlite3*` (void here,
/// since SOCI declares SQLite's API in a namespace of its own). For tools that write the
/// database with raw sqlite3 calls, such as bench/crm_seed. Throws Error(internal) on failure.
void register_sqlite_functions(void* connection);

}  // namespace detail
}  // namespace crm
