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
