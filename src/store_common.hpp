// Internal: what the *_store.cpp files share: row loops and LIKE escaping.
#pragma once

#include "stores.hpp"

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

/// A list statement with its own row variables and parameter slots, so that it can stay
/// prepared on a connection (Lease::cached) and be run again with other values. `Row` binds the
/// columns (rows_and_count: followed by a count(*) column); `count` alone reads one count(*).
template <class Row>
struct ListStatement : CachedStatement {
    enum class Reads { rows, rows_and_count, count };
    Row row;
    long long count = 0;
    std::vector<std::string> texts;  // sized once: SOCI holds their addresses
    std::vector<long long> integers;
    soci::statement st;

    ListStatement(soci::session& sql, const std::string& query, const Parameters& shape, Reads reads, bool one_time)
        : texts(shape.texts().size()), integers(shape.integers().size()), st(sql) {
        if (reads != Reads::count) row.bind(st);
        if (reads != Reads::rows) st.exchange(soci::into(count));
        for (std::size_t i = 0; i < texts.size(); ++i) st.exchange(soci::use(texts[i], shape.texts()[i].name));
        for (std::size_t i = 0; i < integers.size(); ++i) st.exchange(soci::use(integers[i], shape.integers()[i].name));
        st.alloc();
        if (one_time)
            st.prepare(query, soci::details::st_one_time_query);
        else
            st.prepare(query);
        st.define_and_bind();
    }

    /// Runs the statement with `values` (the shape it was made with) and calls on_row() after
    /// each row; then resets it (see finish_single_row).
    template <class OnRow>
    void run(Lease& lease, const Parameters& values, OnRow&& on_row) {
        for (std::size_t i = 0; i < texts.size(); ++i) texts[i] = values.texts()[i].value;
        for (std::size_t i = 0; i < integers.size(); ++i) integers[i] = values.integers()[i].value;
        if (st.execute(true)) {
            do {
                on_row();
            } while (st.fetch());
        }
        finish_single_row(lease, st);
    }
};

/// Runs a list statement. On SQLite it stays prepared per connection (keyed by its text): a
/// page is a few dozen microseconds of work, and preparing the statement took as long again.
/// PostgreSQL plans every list for its values (one round trip, no PREPARE): a generic plan would
/// not see how selective a source or a search pattern is.
template <class Row, class OnRow>
void run_list_statement(Lease& lease, const std::string& query, const Parameters& values,
                        typename ListStatement<Row>::Reads reads, OnRow&& on_row) {
    if (is_postgresql(lease)) {
        ListStatement<Row> once(lease.sql(), query, values, reads, true);
        once.run(lease, values, [&] { on_row(once); });
        return;
    }
    auto& kept = lease.cached<ListStatement<Row>>("list " + query, query, values, reads, false);
    if (kept.texts.size() != values.texts().size() || kept.integers.size() != values.integers().size())
        throw Error(Errc::internal, "a list statement was given other parameters than it was prepared with");
    kept.run(lease, values, [&] { on_row(kept); });
}

/// One slice of a list: the rows and, when window.count, the count of every matching row, from
/// one snapshot. The rows come from an ordered index scan that stops after limit + 1 rows (the
/// extra row only says whether more follow):
///   <rows> = SELECT <columns> <from_where_order> LIMIT :limit OFFSET :offset
/// PostgreSQL: one statement, one round trip, the count an uncorrelated scalar subquery (an
/// InitPlan, evaluated once): SELECT <columns>, (<count_query>) <from_where_order> LIMIT ...
/// SQLite: <count_query>, then <rows>, in one read transaction (no round trips to save, and only
/// a top-level `SELECT count(*) FROM t` without WHERE is answered from B-tree page counts; as a
/// subquery it counts entry by entry). So read_slice must not run inside a transaction.
/// `rows_values` are the parameters of <from_where_order>, `count_values` those of the count
/// query (their names apart from the rows'); `make(row)` turns a Row into a T.
template <class T, class Row, class Make>
ListSlice<T> read_slice(Lease& lease, const ListWindow& window, const std::string& columns, const std::string& count_query,
                        const Parameters& count_values, const std::string& from_where_order, Parameters rows_values,
                        Make&& make) {
    using Reads = typename ListStatement<Row>::Reads;
    ListSlice<T> slice;
    long long total = 0;
    const bool count_apart = window.count && !is_postgresql(lease);
    const bool count_inside = window.count && !count_apart;
    auto read_count = [&] {
        run_list_statement<Row>(lease, count_query, count_values, Reads::count,
                                [&](const ListStatement<Row>& st) { total = st.count; });
    };
    std::optional<Transaction> snapshot;
    if (count_apart) {
        snapshot.emplace(lease, Transaction::Mode::read);
        read_count();
    }
    std::string query = "SELECT " + columns + (count_inside ? ", (" + count_query + ")" : std::string()) +
                        from_where_order + " LIMIT :limit OFFSET :offset";
    if (count_inside) {
        for (const auto& v : count_values.texts()) rows_values.text(v.name, v.value);
        for (const auto& v : count_values.integers()) rows_values.integer(v.name, v.value);
    }
    rows_values.integer("limit", window.limit + 1).integer("offset", window.offset);
    run_list_statement<Row>(lease, query, rows_values, count_inside ? Reads::rows_and_count : Reads::rows,
                            [&](const ListStatement<Row>& st) {
                                if (static_cast<long long>(slice.items.size()) < window.limit)
                                    slice.items.push_back(make(st.row));
                                else
                                    slice.more = true;
                                if (count_inside) total = st.count;
                            });
    if (snapshot) snapshot->commit();
    // A page past the end has no row to carry the count: ask for it alone.
    if (count_inside && slice.items.empty()) read_count();
    if (window.count) slice.total = total;
    return slice;
}

}  // namespace crm::detail
