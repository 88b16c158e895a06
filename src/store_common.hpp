// Internal: what the *_store.cpp files share: row loops and LIKE escaping.
#pragma once

#include "stores.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::detail {

/// Runs a one-shot query (no server-side PREPARE round trip) and calls on_row() for each row,
/// after SOCI has written its columns into the variables that `bind(statement)` exchanged.
template <class Bind, class OnRow>
void for_each_row(soci::session& sql, const std::string& query, Bind&& bind, OnRow&& on_row) {
    soci::statement st(sql);
    bind(st);
    st.alloc();
    st.prepare(query, soci::details::st_one_time_query);
    st.define_and_bind();
    if (st.execute(true)) {
        do {
            on_row();
        } while (st.fetch());
    }
}

/// Runs a one-shot statement and returns how many rows it changed.
template <class Bind>
long long execute_counting(soci::session& sql, const std::string& query, Bind&& bind) {
    soci::statement st(sql);
    bind(st);
    st.alloc();
    st.prepare(query, soci::details::st_one_time_query);
    st.define_and_bind();
    st.execute(true);
    return st.get_affected_rows();
}

/// For a row's each(): binds a member (with its null indicator, if any) as the next result column.
inline auto into_column(soci::statement& st) {
    return [&st](auto&... member) { st.exchange(soci::into(member...)); };
}
/// For a row's each(): binds a member (with its null indicator, if any) as the next parameter.
inline auto use_column(soci::statement& st) {
    return [&st](auto&... member) { st.exchange(soci::use(member...)); };
}

/// A LIKE pattern matching `needle` literally anywhere; the escape character is '!'.
[[nodiscard]] std::string like_pattern(std::string_view needle);

/// Conditions written as " AND a AND b" as a WHERE clause, " WHERE a AND b"; none, no clause at
/// all: SQLite answers `SELECT count(*) FROM t` from the table's B-tree page counts alone, but
/// counts row by row once any WHERE is there, even `WHERE 1 = 1`.
[[nodiscard]] std::string where_clause(std::string_view conditions);

/// " FOR UPDATE" on PostgreSQL, nothing on SQLite (whose write transaction already excludes others).
[[nodiscard]] inline const char* for_update_clause(Lease& lease, bool wanted) {
    return wanted && is_postgresql(lease) ? " FOR UPDATE" : "";
}

/// The keyset predicate `AND ("createdAt", id) > (:ak, :ai)` (`<` when descending) for a list
/// ordered by ("createdAt", id), or nothing without a cursor. Throws invalid (cursor) when the
/// cursor's values are not a timestamp and an id (only a cursor with a valid MAC gets here).
[[nodiscard]] std::string created_at_keyset(Lease& lease, const ListWindow& window, bool descending);

/// What a list statement reads: its rows, its rows each followed by a count(*) column, or one
/// count(*) alone.
enum class ListReads { rows, rows_and_count, count };

/// PostgreSQL: a list statement with its own row variables and parameter slots, through SOCI:
/// planned for its values on every run (one_time), or prepared once and kept on its connection
/// (Lease::cached) to run again with new values. `Row` binds the columns (rows_and_count: followed
/// by a count(*) column); `count` alone reads one count(*).
template <class Row>
struct ListStatement : CachedStatement {
    Row row;
    long long count = 0;
    std::vector<std::string> texts;  // sized once: SOCI holds their addresses
    std::vector<long long> integers;
    soci::statement st;

    ListStatement(soci::session& sql, const std::string& query, const Parameters& shape, ListReads reads, bool one_time)
        : texts(shape.texts().size()), integers(shape.integers().size()), st(sql) {
        if (reads != ListReads::count) row.bind(st);
        if (reads != ListReads::rows) st.exchange(soci::into(count));
        for (std::size_t i = 0; i < texts.size(); ++i) st.exchange(soci::use(texts[i], shape.texts()[i].name));
        for (std::size_t i = 0; i < integers.size(); ++i) st.exchange(soci::use(integers[i], shape.integers()[i].name));
        st.alloc();
        if (one_time)
            st.prepare(query, soci::details::st_one_time_query);
        else
            st.prepare(query);
        st.define_and_bind();
    }

    /// Runs the statement with `values` (the shape it was made with) and calls on_row(row, count)
    /// after each row.
    template <class OnRow>
    void run(const Parameters& values, OnRow&& on_row) {
        if (values.texts().size() != texts.size() || values.integers().size() != integers.size())
            throw Error(Errc::internal, "a list statement was given other parameters than it was prepared with");
        for (std::size_t i = 0; i < texts.size(); ++i) texts[i] = values.texts()[i].value;
        for (std::size_t i = 0; i < integers.size(); ++i) integers[i] = values.integers()[i].value;
        if (st.execute(true)) {
            do {
                on_row(static_cast<const Row&>(row), count);
            } while (st.fetch());
        }
    }
};

/// SQLite: a list statement kept prepared on its connection (Lease::cached), its row variables
/// reused from row to row (their buffers too).
template <class Row>
struct SqliteListStatement : CachedStatement {
    Row row;
    long long count = 0;
    ListReads reads;
    SqliteStatement st;

    SqliteListStatement(soci::session& sql, const std::string& query, const Parameters& shape, ListReads r)
        : reads(r), st(sql, query, shape) {}

    template <class OnRow>
    void run(const Parameters& values, OnRow&& on_row) {
        SqliteStatement::ResetOnExit reset{st};
        st.bind(values);
        while (st.step()) {
            int column = reads != ListReads::count ? st.read_row(row) : 0;
            if (reads != ListReads::rows) count = st.integer(column);
            on_row(static_cast<const Row&>(row), count);
        }
    }
};

/// A single-row SELECT by one key, prepared once per pooled connection (Lease::cached): the hot
/// lookups (the user behind every access token, a lead or an activity by id). `Row` binds the
/// columns (each()); the query names the key `:key`. SQLite reads it on its own handle (see
/// SqliteStatement), PostgreSQL through SOCI.
template <class Row>
struct KeyedLookup : CachedStatement {
    Row row;
    std::string key;
    std::optional<soci::statement> pg;
    std::optional<SqliteStatement> lite;

    KeyedLookup(soci::session& sql, const std::string& query) {
        if (sql.get_backend_name() == "sqlite3") {
            lite.emplace(sql, query, Parameters().text("key", ""));
            return;
        }
        pg.emplace(sql);
        row.bind(*pg);
        pg->exchange(soci::use(key, "key"));
        pg->alloc();
        pg->prepare(query);
        pg->define_and_bind();
    }

    /// True when a row has `k` as its key; the row is then in `row`.
    bool run(Lease& lease, const std::string& k) {
        if (lite) {
            SqliteStatement::ResetOnExit reset{*lite};
            lite->bind_text(0, k);
            lite->log();
            if (!lite->step()) return false;
            (void)lite->read_row(row);
            return true;
        }
        key = k;
        bool found = pg->execute(true);
        finish_single_row(lease, *pg);
        return found;
    }
};

/// Whether a list statement's plan may depend on its values. PostgreSQL plans a statement kept
/// prepared once for any value (a generic plan) when that plan costs what the plans for the values
/// did; a generic plan cannot see how selective a status, a source or a search pattern is, so
/// such lists are planned for their values on every run. The others (a scope, an owner, a lead's
/// activities, a cursor position: each served by the same index whatever the value) are kept.
enum class ListPlan { same_for_any_values, depends_on_values };

/// Runs a list statement and calls on_row(row, count) for each row. On SQLite it stays prepared
/// per connection (keyed by its text): a page is a few dozen microseconds of work, and preparing
/// the statement took as long again. On PostgreSQL too, unless its plan depends on its values
/// (then one round trip, no PREPARE): planning a page and its count cost PostgreSQL a tenth of a
/// SALES user's list (bench/http.sh --statements).
template <class Row, class OnRow>
void run_list_statement(Lease& lease, const std::string& query, const Parameters& values, ListReads reads, ListPlan plan,
                        OnRow&& on_row) {
    if (!is_postgresql(lease)) {
        lease.cached<SqliteListStatement<Row>>("list " + query, query, values, reads).run(values, on_row);
    } else if (plan == ListPlan::same_for_any_values) {
        lease.cached<ListStatement<Row>>("list " + query, query, values, reads, false).run(values, on_row);
    } else {
        ListStatement<Row> once(lease.sql(), query, values, reads, true);
        once.run(values, on_row);
    }
}

/// One slice of a list: the rows and, when window.count, the count of every matching row, from
/// one snapshot. The rows come from an ordered index scan that stops after limit + 1 rows (the
/// extra row only says whether more follow):
///   <rows> = SELECT <columns> <from_where_order> LIMIT <limit + 1> [OFFSET :offset]
/// PostgreSQL: one statement, one round trip, the count an uncorrelated scalar subquery (an
/// InitPlan, evaluated once): SELECT <columns>, (<count_query>) <from_where_order> LIMIT ...
/// SQLite: <count_query>, then <rows>, in one read transaction (no round trips to save, and only
/// a top-level `SELECT count(*) FROM t` without WHERE is answered from B-tree page counts; as a
/// subquery it counts entry by entry). So read_slice must not run inside a transaction.
/// `rows_values` are the parameters of <from_where_order>, `count_values` those of the count
/// query (their names apart from the rows'); `plan` says whether their plan depends on their
/// values (see ListPlan); `make(row)` turns a Row into a T.
template <class T, class Row, class Make>
ListSlice<T> read_slice(Lease& lease, const ListWindow& window, const std::string& columns, const std::string& count_query,
                        const Parameters& count_values, const std::string& from_where_order, Parameters rows_values,
                        ListPlan plan, Make&& make) {
    if (window.limit < 0 || window.offset < 0) throw Error(Errc::internal, "a list window with a negative limit or offset");
    ListSlice<T> slice;
    slice.items.reserve(static_cast<std::size_t>(std::clamp(window.limit, 0LL, 1000LL)));
    long long total = 0;
    const bool count_apart = window.count && !is_postgresql(lease);
    const bool count_inside = window.count && !count_apart;
    auto read_count = [&] {
        run_list_statement<Row>(lease, count_query, count_values, ListReads::count, plan,
                                [&](const Row&, long long count) { total = count; });
    };
    std::optional<Transaction> snapshot;
    if (count_apart) {
        snapshot.emplace(lease, Transaction::Mode::read);
        read_count();
    }
    // The limit is written into the statement (a number, never text from a request): PostgreSQL
    // plans a LIMIT or an OFFSET that is a parameter for a tenth of the table, so a generic plan
    // of a page would be the plan of a scan. A first page or a cursor page has no OFFSET at all;
    // a later page in page mode binds it and is planned for its values.
    std::string query = "SELECT " + columns + (count_inside ? ", (" + count_query + ")" : std::string()) +
                        from_where_order + " LIMIT " + std::to_string(window.limit + 1) +
                        (window.offset ? " OFFSET :offset" : "");
    if (count_inside) {
        for (const auto& v : count_values.texts()) rows_values.text(v.name, v.value);
        for (const auto& v : count_values.integers()) rows_values.integer(v.name, v.value);
    }
    if (window.offset) {
        rows_values.integer("offset", window.offset);
        plan = ListPlan::depends_on_values;
    }
    run_list_statement<Row>(lease, query, rows_values, count_inside ? ListReads::rows_and_count : ListReads::rows, plan,
                            [&](const Row& row, long long count) {
                                if (static_cast<long long>(slice.items.size()) < window.limit)
                                    slice.items.push_back(make(row));
                                else
                                    slice.more = true;
                                if (count_inside) total = count;
                            });
    if (snapshot) snapshot->commit();
    // A page past the end has no row to carry the count: ask for it alone.
    if (count_inside && slice.items.empty()) read_count();
    if (window.count) slice.total = total;
    return slice;
}

}  // namespace crm::detail
