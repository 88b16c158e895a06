// Internal: what the *_store.cpp files share: row loops and LIKE escaping.
#pragma once

#include "stores.hpp"

#include <optional>
#include <string>
#include <string_view>

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

/// Ends a statement that was executed for one row without reading to the end. SQLite keeps an
/// unfinished statement's read snapshot open (stale reads, blocked checkpoints): reset it.
void finish_single_row(Lease& lease, soci::statement& st);

/// A single-row SELECT by one key, prepared once per pooled connection (Lease::cached): the hot
/// lookups (the user behind every access token, a lead or an activity by id). `Row` binds the
/// columns; the query names the key `:key`.
template <class Row>
struct KeyedLookup : CachedStatement {
    Row row;
    std::string key;
    soci::statement st;

    KeyedLookup(soci::session& sql, const std::string& query) : st(sql) {
        row.bind(st);
        st.exchange(soci::use(key, "key"));
        st.alloc();
        st.prepare(query);
        st.define_and_bind();
    }

    /// True when a row has `k` as its key; the row is then in `row`.
    bool run(Lease& lease, const std::string& k) {
        key = k;
        bool found = st.execute(true);
        finish_single_row(lease, st);
        return found;
    }
};

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

/// One slice of a list: the rows and, when window.count, the count of every matching row, from
/// one snapshot. The rows come from an ordered index scan that stops after limit + 1 rows (the
/// extra row only says whether more follow):
///   <rows> = SELECT <columns> <from_where_order> LIMIT :limit OFFSET :offset
/// PostgreSQL: one statement, one round trip, the count an uncorrelated scalar subquery (an
/// InitPlan, evaluated once): SELECT <columns>, (<count_query>) <from_where_order> LIMIT ...
/// SQLite: <count_query>, then <rows>, in one read transaction (no round trips to save, and only
/// a top-level `SELECT count(*) FROM t` without WHERE is answered from B-tree page counts; as a
/// subquery it counts entry by entry). So read_slice must not run inside a transaction.
/// `bind` exchanges the row's columns and the parameters of <from_where_order>; `count_bind` those
/// of the count query.
template <class T, class Bind, class CountBind, class Make>
ListSlice<T> read_slice(Lease& lease, const ListWindow& window, const std::string& columns, const std::string& count_query,
                        const std::string& from_where_order, Bind&& bind, CountBind&& count_bind, Make&& make) {
    ListSlice<T> slice;
    long long total = 0, fetch = window.limit + 1, offset = window.offset;
    const bool count_apart = window.count && !is_postgresql(lease);
    const bool count_inside = window.count && !count_apart;
    auto read_count = [&] {
        total = 0;
        for_each_row(
            lease.sql(), count_query,
            [&](soci::statement& st) {
                st.exchange(soci::into(total));
                count_bind(st);
            },
            [] {});
    };
    std::optional<Transaction> snapshot;
    if (count_apart) {
        snapshot.emplace(lease, Transaction::Mode::read);
        read_count();
    }
    std::string query = "SELECT " + columns + (count_inside ? ", (" + count_query + ")" : std::string()) +
                        from_where_order + " LIMIT :limit OFFSET :offset";
    for_each_row(
        lease.sql(), query,
        [&](soci::statement& st) {
            bind(st);
            if (count_inside) {
                st.exchange(soci::into(total));
                count_bind(st);
            }
            st.exchange(soci::use(fetch, "limit"));
            st.exchange(soci::use(offset, "offset"));
        },
        [&] {
            if (static_cast<long long>(slice.items.size()) < window.limit)
                slice.items.push_back(make());
            else
                slice.more = true;
        });
    if (snapshot) snapshot->commit();
    // A page past the end has no row to carry the count: ask for it alone.
    if (count_inside && slice.items.empty()) read_count();
    if (window.count) slice.total = total;
    return slice;
}

}  // namespace crm::detail
