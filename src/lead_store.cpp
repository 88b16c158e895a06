// SQL for "Leads". The same statements serve SQLite and PostgreSQL except where noted.
#include "casefold.hpp"
#include "rows.hpp"
#include "store_common.hpp"

#include <algorithm>
#include <array>

namespace crm::detail::lead_store {

namespace {

using Row = LeadRow;
constexpr const char* columns = Row::columns;

const ConstraintMeaning unknown_owner{std::nullopt, Error::invalid_field("ownerId", "must be an existing user")};

}  // namespace

Lead insert(Lease& lease, const Lead& lead) {
    Row values(lead);
    std::optional<Row> stored;
    try {
        stored = write_returning<Row>(lease, std::string(R"(INSERT INTO "Leads" ()") + columns + R"() VALUES (:id, :title,
                                      :description, :status, :source, :owner, :metadata, :created, :updated))",
                                      [&](soci::statement& st) { values.bind_values(st); });
    } catch (const soci::soci_error&) {
        rethrow_constraint(unknown_owner);
    }
    return stored.value().lead();
}

std::optional<Lead> find(Lease& lease, const Uuid& id, bool for_update) {
    const std::string query = std::string("SELECT ") + columns + R"( FROM "Leads" WHERE id = :key)" +
                              for_update_clause(lease, for_update);
    auto& lookup = lease.cached<KeyedLookup<Row>>(query, query);
    if (!lookup.run(lease, id.to_string())) return std::nullopt;
    return lookup.row.lead();
}

std::optional<Lead> update(Lease& lease, const Lead& lead) {
    Row v(lead);
    std::optional<Row> stored;
    try {
        stored = write_returning<Row>(
            lease, R"(UPDATE "Leads" SET title = :title, description = :description, status = :status, source = :source,
                      "ownerId" = :owner, metadata = :metadata, "updatedAt" = :updated WHERE id = :id)",
            [&](soci::statement& st) {
                st.exchange(soci::use(v.title, "title"));
                st.exchange(soci::use(v.description.value, v.description.ind, "description"));
                st.exchange(soci::use(v.status, "status"));
                st.exchange(soci::use(v.source.value, v.source.ind, "source"));
                st.exchange(soci::use(v.owner_id.value, v.owner_id.ind, "owner"));
                st.exchange(soci::use(v.metadata.value, v.metadata.ind, "metadata"));
                st.exchange(soci::use(v.updated_at, "updated"));
                st.exchange(soci::use(v.id, "id"));
            });
    } catch (const soci::soci_error&) {
        rethrow_constraint(unknown_owner);
    }
    return stored ? std::optional(stored->lead()) : std::nullopt;
}

bool remove(Lease& lease, const Uuid& id) {
    std::string key = id.to_string();
    return execute_counting(lease.sql(), R"(DELETE FROM "Leads" WHERE id = :id)",
                            [&](soci::statement& st) { st.exchange(soci::use(key, "id")); }) > 0;
}

namespace {

std::size_t code_points(std::string_view utf8) {
    return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// An FTS5 query matching `text` as one phrase: every character literal (a '"' doubled), so
// that no FTS5 operator or column filter is read into a user's search.
std::string fts_phrase(std::string_view text) {
    std::string phrase = "\"";
    for (char c : text) {
        if (c == '"') phrase.push_back('"');
        phrase.push_back(c);
    }
    phrase.push_back('"');
    return phrase;
}

// Whether SQLite's FTS5 trigram index (migration 4) can answer the search `q`: a needle of 3
// characters or more (a trigram index knows nothing shorter: those scan). PostgreSQL: never
// (it searches with pg_trgm).
bool fts_searchable(Lease& lease, const std::string& q) {
    return !is_postgresql(lease) && code_points(fold_case(q)) >= 3;
}

// A LeadFilter as a WHERE clause of fixed fragments, and the values it binds. Every value is a
// bound parameter; the strings live here, at fixed addresses, as long as the statement runs.
// `suffix` keeps the parameter names of a second copy of the clause (the count subquery) apart;
// the clause without a suffix is the page's.
class FilterSql {
public:
    /// `scan_for_words`: on SQLite, test each row's folded text instead of asking the search
    /// index for every match (see search_by_scan()).
    FilterSql(Lease& lease, const LeadFilter& filter, std::string suffix = "", bool scan_for_words = false)
        : filter_(filter), suffix_(std::move(suffix)) {
        // A set, in one order: the same statuses make the same statement text (SQLite keeps
        // list statements prepared by their text).
        for (auto s : filter.statuses) statuses_.emplace_back(to_string(s));
        std::sort(statuses_.begin(), statuses_.end());
        statuses_.erase(std::unique(statuses_.begin(), statuses_.end()), statuses_.end());
        // On SQLite a page reads status and source through `+column` (not indexable): without
        // statistics SQLite takes an equality index as selective and sorts every row it finds,
        // while those columns hold a few values over many leads, so the ordered scan of the sort
        // key's index, which stops after the page, is the better plan. The count keeps them
        // indexable ("Leads_status_ownerId", "Leads_source"). PostgreSQL chooses by statistics.
        const char* unindexed = !is_postgresql(lease) && suffix_.empty() ? "+" : "";
        if (!statuses_.empty()) {
            where += std::string(" AND ") + unindexed + "status IN (";
            for (std::size_t i = 0; i < statuses_.size(); ++i) where += (i ? ", " : "") + name("s" + std::to_string(i));
            where += ")";
        }
        if (filter.owner_id) {
            owner_ = NullableText(*filter.owner_id);
            where += owner_.ind == soci::i_ok ? R"( AND "ownerId" = )" + name("owner") : R"( AND "ownerId" IS NULL)";
        }
        if (filter.source) {
            source_ = *filter.source;
            where += std::string(" AND ") + unindexed + "source = " + name("source");
        }
        if (filter.q) {
            // crm_fold: Unicode case folding (migration 2 on PostgreSQL, a function registered on
            // every SQLite connection), applied alike to the text and to the pattern. PostgreSQL
            // answers the LIKE from its pg_trgm indexes; SQLite from the FTS5 trigram index of
            // migration 4, which holds the same folded text, for a needle of 3 characters or more
            // (a trigram index knows nothing shorter: those scan).
            std::string folded = fold_case(*filter.q);
            if (fts_searchable(lease, *filter.q) && !scan_for_words) {
                fts_ = true;
                pattern_ = fts_phrase(folded);
                where += R"( AND id IN (SELECT "leadId" FROM "LeadSearchRows" WHERE rowid IN )"
                         R"((SELECT rowid FROM "LeadSearch" WHERE "LeadSearch" MATCH )" + name("q") + "))";
            } else {
                // PostgreSQL keeps the folded text in generated columns (migration 5), which its
                // trigram indexes cover: a row is checked without folding it again.
                pattern_ = like_pattern(*filter.q);
                const char* title = is_postgresql(lease) ? R"("titleFolded")" : "crm_fold(title)";
                const char* description = is_postgresql(lease) ? R"("descriptionFolded")" : "crm_fold(description)";
                where += std::string(" AND (") + title + " LIKE crm_fold(" + name("q") + ") ESCAPE '!' OR " + description +
                         " LIKE crm_fold(" + name("q2") + ") ESCAPE '!')";
            }
        }
    }

    /// Adds the clause's values to `values`, named as the clause names them.
    void add_to(Parameters& values) const {
        for (std::size_t i = 0; i < statuses_.size(); ++i) values.text(key("s" + std::to_string(i)), statuses_[i]);
        if (owner_.ind == soci::i_ok) values.text(key("owner"), owner_.value);
        if (filter_.source) values.text(key("source"), source_);
        if (filter_.q) {
            values.text(key("q"), pattern_);
            if (!fts_) values.text(key("q2"), pattern_);
        }
    }

    std::string where;  // conditions, each " AND ...": see where_clause()

private:
    [[nodiscard]] std::string key(const std::string& base) const { return base + suffix_; }
    [[nodiscard]] std::string name(const std::string& base) const { return ":" + key(base); }

    const LeadFilter& filter_;
    std::string suffix_;
    std::vector<std::string> statuses_;
    NullableText owner_;
    std::string source_, pattern_;
    bool fts_ = false;
};

// The pipeline rank of a status. The same text as the expression index of migration 2, so that
// both engines match it to the index.
constexpr const char* status_rank =
    "(CASE status WHEN 'NEW' THEN 0 WHEN 'CONTACTED' THEN 1 WHEN 'QUALIFIED' THEN 2 ELSE 3 END)";

int rank_of(LeadStatus status) {
    switch (status) {
        case LeadStatus::new_: return 0;
        case LeadStatus::contacted: return 1;
        case LeadStatus::qualified: return 2;
        case LeadStatus::closed: return 3;
    }
    return 3;
}

}  // namespace

std::vector<Lead> list_after(Lease& lease, const LeadFilter& filter, const std::optional<Lead>& after, long long limit) {
    FilterSql sql(lease, filter);
    std::string after_created = after ? format_timestamp(after->created_at) : "", after_id = after ? after->id.to_string() : "";
    if (after) sql.where += R"( AND ("createdAt" > :ac OR ("createdAt" = :ac2 AND id > :ai)))";
    Parameters values;
    sql.add_to(values);
    std::vector<Lead> leads;
    Row row;
    for_each_row(
        lease.sql(),
        std::string("SELECT ") + columns + R"( FROM "Leads")" + where_clause(sql.where) + R"( ORDER BY "createdAt", id LIMIT :limit)",
        [&](soci::statement& st) {
            row.bind(st);
            for (const auto& v : values.texts()) st.exchange(soci::use(v.value, v.name));
            if (after) {
                st.exchange(soci::use(after_created, "ac"));
                st.exchange(soci::use(after_created, "ac2"));
                st.exchange(soci::use(after_id, "ai"));
            }
            st.exchange(soci::use(limit, "limit"));
        },
        [&] { leads.push_back(row.lead()); });
    return leads;
}

Keyset position_of(const Lead& lead, const LeadSort& sort) {
    std::string key;
    switch (sort.key) {
        case LeadSortKey::created_at: key = format_timestamp(lead.created_at); break;
        case LeadSortKey::updated_at: key = format_timestamp(lead.updated_at); break;
        case LeadSortKey::title: key = lead.title; break;
        case LeadSortKey::status: key = std::to_string(rank_of(lead.status)); break;
    }
    return Keyset{std::move(key), lead.id.to_string()};
}

// SQLite has no statistics to choose between two plans for a page of a search: start from the
// FTS5 index (every match found, fetched and sorted: cheap for a rare word) or walk the sort
// key's index and test each row's folded text until the page is full (cheap for a common word:
// with m matches among n leads the page needs about rows·n/m rows). FTS5 counts a word's matches
// in about a millisecond for 5,000 of them, so ask it and compare the two costs: a match found
// through the index costs about four times what testing one row costs (measured on 100,000
// leads: `q=acme`, 5 % of the titles, 29 ms for a cursor page from the index, under 1 ms by scan).
bool search_by_scan(Lease& lease, const LeadFilter& filter, long long rows) {
    if (!filter.q || !fts_searchable(lease, *filter.q)) return false;  // then the scan is the only way
    long long matches = 0, leads = 0;
    std::string phrase = fts_phrase(fold_case(*filter.q));
    lease.sql() << R"(SELECT count(*) FROM "LeadSearch" WHERE "LeadSearch" MATCH :q)", soci::use(phrase), soci::into(matches);
    // The largest row number: every lead has one, so it bounds their count without counting them.
    soci::indicator none = soci::i_ok;
    lease.sql() << R"(SELECT max(rowid) FROM "LeadSearchRows")", soci::into(leads, none);
    if (none != soci::i_ok || matches == 0) return false;
    return 4.0 * static_cast<double>(matches) * static_cast<double>(matches) > static_cast<double>(rows) * static_cast<double>(leads);
}

// The count of a search alone, on SQLite: each lead has exactly one row in the FTS5 index (the
// triggers of migration 4), so a search without other filters is counted there, without fetching
// a lead. Empty when the count must go through "Leads".
std::string search_count_query(Lease& lease, const LeadFilter& filter) {
    if (!filter.q || filter.owner_id || filter.source || !filter.statuses.empty() || !fts_searchable(lease, *filter.q))
        return {};
    return R"(SELECT count(*) FROM "LeadSearch" WHERE "LeadSearch" MATCH :qc)";
}

ListSlice<Lead> list(Lease& lease, const LeadFilter& filter, const LeadSort& sort, const ListWindow& window) {
    FilterSql rows_filter(lease, filter, "", search_by_scan(lease, filter, window.offset + window.limit + 1)),
        count_filter(lease, filter, "c");

    // Titles compare by code point on both backends (PostgreSQL's "C" collation = SQLite's BINARY).
    // Each key has an index (key, id) and one ("ownerId", key, id) for the SALES scope (migration 2).
    const bool pg = is_postgresql(lease);
    std::string key;
    switch (sort.key) {
        case LeadSortKey::created_at: key = R"("createdAt")"; break;
        case LeadSortKey::updated_at: key = R"("updatedAt")"; break;
        case LeadSortKey::title: key = pg ? R"(title COLLATE "C")" : "title"; break;
        case LeadSortKey::status: key = status_rank; break;
    }
    const char* direction = sort.descending ? " DESC" : " ASC";

    // Keyset: (key, id) after the cursor's row in the list's direction; a row-value comparison
    // that both engines turn into a range on the (key, id) index.
    std::string where = rows_filter.where;
    Parameters rows_values, count_values;
    rows_filter.add_to(rows_values);
    count_filter.add_to(count_values);
    if (window.after) {
        const std::string& after_id = window.after->id;
        if (!Uuid::parse(after_id)) throw Error::invalid_field("cursor", "is not a cursor of this list, sort and filter");
        if (sort.key == LeadSortKey::status) {
            auto rank = window.after->key;
            if (rank.size() != 1 || rank[0] < '0' || rank[0] > '3')
                throw Error::invalid_field("cursor", "is not a cursor of this list, sort and filter");
            rows_values.integer("ak", rank[0] - '0');
        } else {
            rows_values.text("ak", window.after->key);
        }
        rows_values.text("ai", after_id);
        std::string cast = pg && (sort.key == LeadSortKey::created_at || sort.key == LeadSortKey::updated_at)
                               ? "CAST(:ak AS timestamptz)"
                               : ":ak";
        where += " AND (" + key + ", id) " + (sort.descending ? "<" : ">") + " (" + cast + (pg ? ", CAST(:ai AS uuid))" : ", :ai)");
    }

    std::string count_query = search_count_query(lease, filter);
    if (count_query.empty()) count_query = R"(SELECT count(*) FROM "Leads")" + where_clause(count_filter.where);
    return read_slice<Lead, Row>(lease, window, columns, count_query, count_values,
                                 R"( FROM "Leads")" + where_clause(where) + " ORDER BY " + key + direction + ", id" + direction,
                                 std::move(rows_values),
                                 filter.statuses.empty() && !filter.source && !filter.q ? ListPlan::same_for_any_values
                                                                                        : ListPlan::depends_on_values,
                                 [](const Row& row) { return row.lead(); });
}

}  // namespace crm::detail::lead_store
