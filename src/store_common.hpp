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
