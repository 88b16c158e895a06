// Internal: what the *_store.cpp files share: row loops and LIKE escaping.
#pragma once

#include "stores.hpp"

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

/// " FOR UPDATE" on PostgreSQL, nothing on SQLite (whose write transaction already excludes others).
[[nodiscard]] inline const char* for_update_clause(Lease& lease, bool wanted) {
    return wanted && is_postgresql(lease) ? " FOR UPDATE" : "";
}

/// Total rows of a list: the window count of the first row, or a count query when the page is
/// past the end.
template <class CountQuery>
long long total_of(bool got_rows, long long window_total, CountQuery&& count_query) {
    return got_rows ? window_total : count_query();
}

}  // namespace crm::detail
