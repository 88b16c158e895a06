// Conversions shared by the stores.
#include "store_common.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace crm::detail {

Uuid uuid_from_db(const std::string& text) {
    if (auto id = Uuid::parse(text)) return *id;
    throw Error(Errc::internal, "malformed id in the database");
}

Timestamp timestamp_from_db(const std::string& text) {
    if (auto t = parse_timestamp(text)) return *t;
    throw Error(Errc::internal, "malformed timestamp in the database");
}

std::optional<Uuid> NullableText::uuid() const {
    return ind == soci::i_ok ? std::optional(uuid_from_db(value)) : std::nullopt;
}

std::optional<Timestamp> NullableText::timestamp() const {
    return ind == soci::i_ok ? std::optional(timestamp_from_db(value)) : std::nullopt;
}

void finish_single_row(Lease& lease, soci::statement& st) {
    if (lease.backend() != Backend::sqlite) return;
    auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
    if (backend->stmt_) sqlite_api::sqlite3_reset(backend->stmt_);
}

namespace {
sqlite_api::sqlite3* as_db(void* p) { return static_cast<sqlite_api::sqlite3*>(p); }
sqlite_api::sqlite3_stmt* as_stmt(void* p) { return static_cast<sqlite_api::sqlite3_stmt*>(p); }
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

SqliteStatement::~SqliteStatement() { sqlite_api::sqlite3_finalize(as_stmt(stmt_)); }

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
    sqlite_api::sqlite3_reset(as_stmt(stmt_));
    sqlite_api::sqlite3_clear_bindings(as_stmt(stmt_));  // the bound texts belong to the caller
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

long long SqliteStatement::integer(int column) const { return sqlite_api::sqlite3_column_int64(as_stmt(stmt_), column); }

std::string like_pattern(std::string_view needle) {
    std::string pattern = "%";
    for (char c : needle) {
        if (c == '%' || c == '_' || c == '!') pattern.push_back('!');
        pattern.push_back(c);
    }
    pattern.push_back('%');
    return pattern;
}

std::string where_clause(std::string_view conditions) {
    constexpr std::string_view first = " AND ";
    if (conditions.empty()) return {};
    if (conditions.substr(0, first.size()) != first) throw Error(Errc::internal, "conditions must start with \" AND \"");
    return " WHERE " + std::string(conditions.substr(first.size()));
}

std::string created_at_keyset(Lease& lease, const ListWindow& window, bool descending) {
    if (!window.after) return {};
    if (!Uuid::parse(window.after->id) || !parse_timestamp(window.after->key))
        throw Error::invalid_field("cursor", "is not a cursor of this list, sort and filter");
    const char* op = descending ? " < " : " > ";
    return is_postgresql(lease) ? std::string(R"( AND ("createdAt", id))") + op + "(CAST(:ak AS timestamptz), CAST(:ai AS uuid))"
                                : std::string(R"( AND ("createdAt", id))") + op + "(:ak, :ai)";
}

}  // namespace crm::detail
