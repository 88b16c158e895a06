// crm::Database: URL parsing, the connection pool, transactions, error translation.
#include "casefold.hpp"
#include "db.hpp"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

namespace crm {
inline namespace v1 {

namespace {

// SOCI declares SQLite's API inside namespace sqlite_api.
using namespace sqlite_api;

// crm_fold(text): Unicode simple case folding for the q search (lead_store.cpp). NULL stays NULL.
void sqlite_fold(sqlite3_context* context, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(context);
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    if (!text) return sqlite3_result_error_nomem(context);
    std::string folded = detail::fold_case(std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
    sqlite3_result_text(context, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// SOCI's sqlite3 connect string is "key=value" pairs; quote the path so spaces survive.
std::string sqlite_connect_string(std::string_view path) {
    std::string quoted = "db=\"";
    for (char c : path) {
        if (c == '"') throw Error::invalid_field("url", "must not contain '\"' in the SQLite path");
        quoted.push_back(c);
    }
    return quoted + "\"";
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            auto hex = [&](std::size_t k) {
                if (k >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[k]))) return -1;
                char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[k])));
                return c <= '9' ? c - '0' : c - 'a' + 10;
            };
            int hi = hex(i + 1), lo = hex(i + 2);
            if (hi < 0 || lo < 0) throw Error::invalid_field("url", "has a malformed percent escape");
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// One conninfo "key='value'" pair, quoted as libpq wants.
void append_conninfo(std::string& conninfo, std::string_view key, std::string_view value) {
    conninfo += std::string(key) + "='";
    for (char c : value) {
        if (c == '\\' || c == '\'') conninfo.push_back('\\');
        conninfo.push_back(c);
    }
    conninfo += "' ";
}

// SOCI 4.0.3 splits its connect string on spaces and '=' before libpq sees it, which mangles a
// URI: turn postgresql://user:pass@host:port/db?k=v into the key=value form instead.
std::string postgresql_conninfo(std::string_view url) {
    url.remove_prefix(url.find("://") + 3);
    std::string conninfo;
    std::string_view query;
    if (auto q = url.find('?'); q != std::string_view::npos) {
        query = url.substr(q + 1);
        url = url.substr(0, q);
    }
    std::string_view authority = url.substr(0, url.find('/'));
    std::string_view dbname = authority.size() < url.size() ? url.substr(authority.size() + 1) : std::string_view{};
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        std::string_view userinfo = authority.substr(0, at);
        authority = authority.substr(at + 1);
        auto colon = userinfo.find(':');
        append_conninfo(conninfo, "user", percent_decode(userinfo.substr(0, colon)));
        if (colon != std::string_view::npos) append_conninfo(conninfo, "password", percent_decode(userinfo.substr(colon + 1)));
    }
    if (!authority.empty()) {
        std::string_view host = authority, port;
        if (auto colon = authority.rfind(':'); colon != std::string_view::npos && authority.back() != ']') {
            host = authority.substr(0, colon);
            port = authority.substr(colon + 1);
        }
        if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);  // [::1]
        if (!host.empty()) append_conninfo(conninfo, "host", percent_decode(host));
        if (!port.empty()) append_conninfo(conninfo, "port", port);
    }
    if (!dbname.empty()) append_conninfo(conninfo, "dbname", percent_decode(dbname));
    while (!query.empty()) {
        std::string_view pair = query.substr(0, query.find('&'));
        query = pair.size() < query.size() ? query.substr(pair.size() + 1) : std::string_view{};
        auto eq = pair.find('=');
        if (eq == std::string_view::npos || eq == 0) throw Error::invalid_field("url", "has a malformed query parameter");
        append_conninfo(conninfo, percent_decode(pair.substr(0, eq)), percent_decode(pair.substr(eq + 1)));
    }
    return conninfo;
}

// The file holds password hashes: create it readable by its owner only, where SQLite would use
// the umask's mode (typically 0644). SQLite gives the -wal and -shm files the database file's
// mode. An existing file keeps the mode its owner chose; a missing folder is left for SQLite to
// report.
void create_private_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
}

// Opens a session, or says why not: a mistyped password, a closed port, a missing database or
// folder must be told apart from an outage. The driver's reason is kept (libpq and SQLite
// name the host, port, user, database or file, never the password); SOCI's own preamble and
// line breaks are dropped. The message reaches logs and the C ABI, never an HTTP response.
void open_session(soci::session& session, const soci::backend_factory& factory, const std::string& connect_string,
                  const std::string& what) {
    try {
        session.open(factory, connect_string);
    } catch (const soci::soci_error& e) {
        std::string reason = e.get_error_message();
        for (std::string_view preamble : {"Cannot establish connection to the database.", "Cannot establish connection"})
            if (reason.starts_with(preamble)) reason.erase(0, preamble.size());
        std::string cleaned;
        for (char c : reason) {
            bool space = c == '\n' || c == '\t' || c == '\r' || c == ' ';
            if (space && (cleaned.empty() || cleaned.back() == ' ')) continue;
            cleaned.push_back(space ? ' ' : c);
        }
        while (!cleaned.empty() && cleaned.back() == ' ') cleaned.pop_back();
        throw Error(Errc::unavailable, what + (cleaned.empty() ? "" : ": " + cleaned));
    }
}

}  // namespace

std::unique_ptr<detail::Connection> Database::Impl::connect() const {
    auto connection = std::make_unique<detail::Connection>();
    soci::session* session = &connection->sql;
    if (backend == Backend::sqlite) {
        open_session(*session, *soci::factory_sqlite3(), connect_string, "cannot open the SQLite database " + sqlite_path);
        auto& sql = *session;
        // Per connection: SQLite forgets these on every open.
        sql << "PRAGMA foreign_keys = ON";
        sql << "PRAGMA busy_timeout = " + std::to_string(options.busy_timeout.count());
        std::string mode;
        sql << "PRAGMA journal_mode = WAL", soci::into(mode);  // stays "memory" for :memory:
        sql << "PRAGMA synchronous = NORMAL";
        detail::register_sqlite_functions(static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_);
    } else {
        open_session(*session, *soci::factory_postgresql(), connect_string, "cannot connect to PostgreSQL");
        *session << "SET TIME ZONE 'UTC'";
        *session << "SET DateStyle = 'ISO, YMD'";
        *session << "SET client_min_messages = warning";  // no NOTICE chatter on stderr
    }
    return connection;
}

Database Database::open(std::string_view url, const DatabaseOptions& options) {
    auto impl = std::make_shared<Impl>();
    impl->options = options;
    std::size_t cores = std::max(2u, std::thread::hardware_concurrency());
    impl->size = options.pool_size ? options.pool_size : cores;
    if (starts_with(url, "sqlite:")) {
        std::string_view path = url.substr(7);
        if (path.empty()) throw Error::invalid_field("url", "needs a path after sqlite:");
        impl->backend = Backend::sqlite;
        impl->connect_string = sqlite_connect_string(path);
        impl->sqlite_path = path;
        if (path == ":memory:") {
            impl->size = 1;
        } else if (options.create_if_missing) {
            create_private_file(std::string(path));
        } else if (::access(std::string(path).c_str(), F_OK) != 0) {
            throw Error(Errc::unavailable, "cannot open the SQLite database " + std::string(path) + ": no such file");
        }
    } else if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
        impl->backend = Backend::postgresql;
        impl->connect_string = postgresql_conninfo(url);
    } else {
        throw Error::invalid_field("url", "must start with sqlite: or postgresql://");
    }
    Database db(impl);
    // Connect once now, so that a wrong URL fails here rather than at the first call.
    detail::with_lease(*impl, [](detail::Lease&) {});
    return db;
}

bool Database::ping() noexcept {
    try {
        detail::with_lease(*impl_, [](detail::Lease& lease) {
            int one = 0;
            lease.sql() << "SELECT 1", soci::into(one);
        });
        return true;
    } catch (...) {
        return false;
    }
}

Backend Database::backend() const noexcept { return impl_->backend; }
std::size_t Database::pool_size() const noexcept { return impl_->size; }

}  // namespace v1

namespace detail {

void register_sqlite_functions(void* connection) {
    if (sqlite3_create_function_v2(static_cast<sqlite3*>(connection), "crm_fold", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr, sqlite_fold, nullptr,
                                   nullptr, nullptr) != SQLITE_OK)
        throw Error(Errc::internal, "cannot register crm_fold on a SQLite connection");
}

Lease::Lease(Pool& pool) : pool_(pool) {
    std::unique_lock lock(pool.mutex);
    auto ready = [&] { return !pool.idle.empty() || pool.open_count < pool.size; };
    if (!pool.returned.wait_for(lock, pool.options.lease_timeout, ready))
        throw Error(Errc::unavailable, "timed out waiting for a database connection");
    if (!pool.idle.empty()) {
        connection_ = std::move(pool.idle.back());
        pool.idle.pop_back();
        return;
    }
    ++pool.open_count;  // reserve the slot, connect without holding the lock
    lock.unlock();
    try {
        connection_ = pool.connect();
    } catch (...) {
        lock.lock();
        --pool.open_count;
        pool.returned.notify_one();
        broken_ = true;
        throw;
    }
}

Lease::~Lease() {
    if (!connection_) return;
    std::lock_guard lock(pool_.mutex);
    if (broken_) {
        pool_.open_count -= 1 + pool_.idle.size();
        pool_.idle.clear();  // they most likely lost the same server: reconnect lazily
    } else {
        pool_.idle.push_back(std::move(connection_));
    }
    pool_.returned.notify_all();
}

namespace {
sqlite3* as_db(void* p) { return static_cast<sqlite3*>(p); }
sqlite3_stmt* as_stmt(void* p) { return static_cast<sqlite3_stmt*>(p); }
}  // namespace

SqliteStatement::SqliteStatement(soci::session& sql, const std::string& query, const Parameters& shape)
    : sql_(sql), query_(query), db_(static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_), stmt_(nullptr) {
    using namespace sqlite_api;
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(as_db(db_), query.c_str(), static_cast<int>(query.size() + 1), SQLITE_PREPARE_PERSISTENT,
                                &stmt, nullptr);
    if (rc != SQLITE_OK)
        throw soci::sqlite3_soci_error(std::string("cannot prepare a statement: ") + sqlite3_errmsg(as_db(db_)), rc);
    stmt_ = stmt;
    auto slot = [&](const std::string& name) {
        int index = sqlite3_bind_parameter_index(stmt, (":" + name).c_str());
        if (index == 0) {
            sqlite3_finalize(stmt);
            throw Error(Errc::internal, "a statement has no parameter :" + name);
        }
        return index;
    };
    for (const auto& v : shape.texts()) text_slots_.push_back(slot(v.name));
    for (const auto& v : shape.integers()) integer_slots_.push_back(slot(v.name));
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(as_stmt(stmt_)); }

void SqliteStatement::bind(const Parameters& values) {
    using namespace sqlite_api;
    log();
    if (values.texts().size() != text_slots_.size() || values.integers().size() != integer_slots_.size())
        throw Error(Errc::internal, "a list statement was given other parameters than it was prepared with");
    for (std::size_t i = 0; i < text_slots_.size(); ++i) bind_text(i, values.texts()[i].value);
    for (std::size_t i = 0; i < integer_slots_.size(); ++i) {
        int rc = sqlite3_bind_int64(as_stmt(stmt_), integer_slots_[i], values.integers()[i].value);
        if (rc != SQLITE_OK) throw soci::sqlite3_soci_error(std::string("cannot bind a parameter: ") + sqlite3_errmsg(as_db(db_)), rc);
    }
}

void SqliteStatement::bind_text(std::size_t i, const std::string& value) {
    using namespace sqlite_api;
    int rc = sqlite3_bind_text(as_stmt(stmt_), text_slots_.at(i), value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    if (rc != SQLITE_OK) throw soci::sqlite3_soci_error(std::string("cannot bind a parameter: ") + sqlite3_errmsg(as_db(db_)), rc);
}

bool SqliteStatement::step() {
    using namespace sqlite_api;
    int rc = sqlite3_step(as_stmt(stmt_));
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    // The extended code (SQLITE_BUSY_SNAPSHOT, ...) names the failure; classify() reads the primary one.
    throw soci::sqlite3_soci_error(std::string("sqlite3_step: ") + sqlite3_errmsg(as_db(db_)), sqlite3_extended_errcode(as_db(db_)));
}

void SqliteStatement::reset() noexcept {
    sqlite3_reset(as_stmt(stmt_));
    sqlite3_clear_bindings(as_stmt(stmt_));  // the bound texts belong to the caller
}

void SqliteStatement::read(int column, std::string& value) const {
    soci::indicator ind = soci::i_ok;
    read(column, value, ind);
    if (ind == soci::i_null) throw Error(Errc::internal, "a NULL where the database should hold a value");
}

void SqliteStatement::read(int column, std::string& value, soci::indicator& ind) const {
    using namespace sqlite_api;
    auto* stmt = as_stmt(stmt_);
    // sqlite3_column_text() first, then _bytes(): the documented order that converts only once.
    const unsigned char* text = sqlite3_column_text(stmt, column);
    if (!text) {
        if (sqlite3_column_type(stmt, column) != SQLITE_NULL)  // a value SQLite had no memory to convert
            throw soci::sqlite3_soci_error("out of memory reading a row", SQLITE_NOMEM);
        ind = soci::i_null;
        value.clear();
        return;
    }
    ind = soci::i_ok;
    value.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

long long SqliteStatement::integer(int column) const { return sqlite3_column_int64(as_stmt(stmt_), column); }

namespace {

// A statement without values or results (BEGIN, COMMIT, ROLLBACK), kept prepared per connection.
struct Command : CachedStatement {
    SqliteStatement st;
    Command(soci::session& sql, const std::string& text) : st(sql, text, Parameters()) {}
};

// Runs BEGIN, COMMIT or ROLLBACK. On SQLite the statement stays prepared on the connection (a
// read of a page and its total is two statements inside one: preparing these two took a sixth
// of the time of the whole list). PostgreSQL runs them as simple queries (one round trip, as a
// prepared one would be).
void run_command(Lease& lease, const char* text) {
    if (lease.backend() != Backend::sqlite) {
        lease.sql() << text;
        return;
    }
    auto& command = lease.cached<Command>(text, std::string(text));
    SqliteStatement::ResetOnExit reset{command.st};
    command.st.log();
    while (command.st.step()) {
    }
}

}  // namespace

Transaction::Transaction(Lease& lease, Mode mode) : lease_(lease) {
    run_command(lease, lease.backend() == Backend::sqlite && mode == Mode::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
    if (!open_) return;
    try {
        run_command(lease_, "ROLLBACK");
    } catch (...) {
        lease_.mark_broken();  // a session that cannot roll back must not be reused
    }
}

void Transaction::commit() {
    run_command(lease_, "COMMIT");
    open_ = false;
}

namespace {

enum class Failure { unique, foreign_key, constraint, connection, missing_table, other };

Failure classify(const soci::soci_error& e) {
    if (auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
        std::string state = pg->sqlstate();
        if (state == "23505") return Failure::unique;
        if (state == "23503") return Failure::foreign_key;
        if (state.starts_with("23") || state.starts_with("22")) return Failure::constraint;
        if (state.starts_with("08") || state.starts_with("57P")) return Failure::connection;
        // An undefined table or column: most likely a schema older than the library (not migrated).
        if (state == "42P01" || state == "42703") return Failure::missing_table;
    } else if (auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e)) {
        int rc = lite->result() & 0xFF;  // primary result code
        if (rc == SQLITE_CONSTRAINT) {
            // SOCI keeps only the primary code; SQLite's message names the constraint kind.
            const std::string msg = e.get_error_message();
            if (msg.find("UNIQUE") != std::string::npos) return Failure::unique;
            if (msg.find("FOREIGN KEY") != std::string::npos) return Failure::foreign_key;
            return Failure::constraint;
        }
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_CANTOPEN || rc == SQLITE_IOERR)
            return Failure::connection;
        if (rc == SQLITE_ERROR && e.get_error_message().find("no such table") != std::string::npos)
            return Failure::missing_table;
    }
    if (e.get_error_category() == soci::soci_error::connection_error) return Failure::connection;
    if (e.get_error_category() == soci::soci_error::constraint_violation) return Failure::constraint;
    return Failure::other;
}

}  // namespace

void rethrow_constraint(const ConstraintMeaning& meaning) {
    try {
        throw;
    } catch (const soci::soci_error& e) {
        auto failure = classify(e);
        if (failure == Failure::unique && meaning.unique) throw *meaning.unique;
        if (failure == Failure::foreign_key && meaning.foreign_key) throw *meaning.foreign_key;
        throw;
    }
}

void rethrow_as_crm_error(Lease* lease) {
    try {
        throw;
    } catch (const Error&) {
        throw;
    } catch (const soci::soci_error& e) {
        switch (classify(e)) {
            case Failure::unique: throw Error(Errc::conflict, "a unique value is already taken");
            case Failure::foreign_key: throw Error(Errc::invalid, "a referenced object does not exist");
            case Failure::constraint: throw Error(Errc::invalid, "a value is out of range for its field");
            case Failure::connection:
                if (lease) lease->mark_broken();
                throw Error(Errc::unavailable, "the database is unavailable");
            case Failure::missing_table:
                // Most likely a database nobody migrated: say so rather than "internal".
                if (lease) {
                    int version = -1;
                    try {
                        version = applied_schema_version(*lease);
                    } catch (...) {
                        lease->mark_broken();
                    }
                    if (version >= 0 && version < Database::latest_schema_version())
                        throw Error(Errc::unavailable, "the database is not migrated (schema version " +
                                                           std::to_string(version) + " of " +
                                                           std::to_string(Database::latest_schema_version()) +
                                                           "): call migrate()");
                }
                break;
            case Failure::other: break;
        }
        // PostgreSQL reports a dropped connection without SQLSTATE; ask the session.
        if (lease && lease->backend() == Backend::postgresql && !lease->sql().is_connected()) {
            lease->mark_broken();
            throw Error(Errc::unavailable, "the database is unavailable");
        }
        if (!lease) throw Error(Errc::unavailable, "the database is unavailable");
        if (lease) lease->mark_broken();  // unknown state: do not hand this session out again
        throw Error(Errc::internal, "unexpected database error");
    } catch (const std::bad_alloc&) {
        throw Error(Errc::internal, "out of memory");
    } catch (...) {
        if (lease) lease->mark_broken();
        throw Error(Errc::internal, "unexpected error");
    }
}

}  // namespace detail
}  // namespace crm
