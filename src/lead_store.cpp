// SQL for "Leads". The same statements serve SQLite and PostgreSQL except where noted.
#include "store_common.hpp"

#include <array>

namespace crm::detail::lead_store {

std::optional<Lead> find(Lease& lease, const Uuid& id, bool for_update);

namespace {

constexpr const char* columns =
    R"(id, title, description, status, source, "ownerId", metadata, "createdAt", "updatedAt")";

struct Row {
    std::string id, title, status, created_at, updated_at;
    NullableText description, source, owner_id, metadata;

    void bind(soci::statement& st) {
        st.exchange(soci::into(id));
        st.exchange(soci::into(title));
        st.exchange(soci::into(description.value, description.ind));
        st.exchange(soci::into(status));
        st.exchange(soci::into(source.value, source.ind));
        st.exchange(soci::into(owner_id.value, owner_id.ind));
        st.exchange(soci::into(metadata.value, metadata.ind));
        st.exchange(soci::into(created_at));
        st.exchange(soci::into(updated_at));
    }
    [[nodiscard]] Lead lead() const {
        auto parsed_status = parse<LeadStatus>(status);
        if (!parsed_status) throw Error(Errc::internal, "malformed status in the database");
        return Lead{uuid_from_db(id),     title,
                    description.text(),   *parsed_status,
                    source.text(),        owner_id.uuid(),
                    metadata.text(),      timestamp_from_db(created_at),
                    timestamp_from_db(updated_at)};
    }
};

const ConstraintMeaning unknown_owner{std::nullopt, Error::invalid_field("ownerId", "must be an existing user")};

// Every value a lead statement binds, kept alive (and at fixed addresses) for the statement.
struct Params {
    std::string id, title, status, created_at, updated_at;
    NullableText description, source, owner_id, metadata;

    explicit Params(const Lead& lead)
        : id(lead.id.to_string()),
          title(lead.title),
          status(to_string(lead.status)),
          created_at(format_timestamp(lead.created_at)),
          updated_at(format_timestamp(lead.updated_at)),
          description(lead.description),
          source(lead.source),
          owner_id(lead.owner_id),
          metadata(lead.metadata) {}
};

}  // namespace

Lead insert(Lease& lease, const Lead& lead) {
    Params p(lead);
    try {
        lease.sql() << R"(INSERT INTO "Leads" (id, title, description, status, source, "ownerId", metadata,
                          "createdAt", "updatedAt")
                          VALUES (:id, :title, :description, :status, :source, :owner, :metadata, :created, :updated))",
            soci::use(p.id), soci::use(p.title), soci::use(p.description.value, p.description.ind),
            soci::use(p.status), soci::use(p.source.value, p.source.ind),
            soci::use(p.owner_id.value, p.owner_id.ind), soci::use(p.metadata.value, p.metadata.ind),
            soci::use(p.created_at), soci::use(p.updated_at);
    } catch (const soci::soci_error&) {
        rethrow_constraint(unknown_owner);
    }
    // jsonb normalises the text (key order, spacing): return what is stored, as a read would.
    if (is_postgresql(lease) && lead.metadata) return find(lease, lead.id).value();
    return lead;
}

std::optional<Lead> find(Lease& lease, const Uuid& id, bool for_update) {
    const std::string query = std::string("SELECT ") + columns + R"( FROM "Leads" WHERE id = :key)" +
                              for_update_clause(lease, for_update);
    auto& lookup = lease.cached<KeyedLookup<Row>>(query, query);
    if (!lookup.run(lease, id.to_string())) return std::nullopt;
    return lookup.row.lead();
}

std::optional<Lead> update(Lease& lease, const Uuid& id, const LeadChanges& changes, Timestamp now) {
    auto lead = find(lease, id, true);
    if (!lead) return std::nullopt;
    if (changes.title) lead->title = *changes.title;
    if (changes.description) lead->description = *changes.description;
    if (changes.status) lead->status = *changes.status;
    if (changes.source) lead->source = *changes.source;
    if (changes.owner_id) lead->owner_id = *changes.owner_id;
    if (changes.metadata) lead->metadata = *changes.metadata;
    lead->updated_at = std::max(now, lead->updated_at + std::chrono::milliseconds(1));
    Params p(*lead);
    try {
        lease.sql() << R"(UPDATE "Leads" SET title = :title, description = :description, status = :status,
                          source = :source, "ownerId" = :owner, metadata = :metadata, "updatedAt" = :updated
                          WHERE id = :id)",
            soci::use(p.title), soci::use(p.description.value, p.description.ind), soci::use(p.status),
            soci::use(p.source.value, p.source.ind), soci::use(p.owner_id.value, p.owner_id.ind),
            soci::use(p.metadata.value, p.metadata.ind), soci::use(p.updated_at), soci::use(p.id);
    } catch (const soci::soci_error&) {
        rethrow_constraint(unknown_owner);
    }
    if (is_postgresql(lease) && lead->metadata) return find(lease, id);  // as stored, see insert()
    return lead;
}

bool remove(Lease& lease, const Uuid& id) {
    std::string key = id.to_string();
    return execute_counting(lease.sql(), R"(DELETE FROM "Leads" WHERE id = :id)",
                            [&](soci::statement& st) { st.exchange(soci::use(key, "id")); }) > 0;
}

namespace {

// A LeadFilter as a WHERE clause of fixed fragments, and the values it binds. Every value is a
// bound parameter; the strings live here, at fixed addresses, as long as the statement runs.
class FilterSql {
public:
    explicit FilterSql(const LeadFilter& filter) : filter_(filter) {
        statuses_.reserve(filter.statuses.size());  // bound by address: must not reallocate
        for (auto s : filter.statuses) statuses_.emplace_back(to_string(s));
        if (!statuses_.empty()) {
            where += " AND status IN (";
            for (std::size_t i = 0; i < statuses_.size(); ++i) where += (i ? ", :s" : ":s") + std::to_string(i);
            where += ")";
        }
        if (filter.owner_id) {
            owner_ = NullableText(*filter.owner_id);
            where += owner_.ind == soci::i_ok ? R"( AND "ownerId" = :owner)" : R"( AND "ownerId" IS NULL)";
        }
        if (filter.source) {
            source_ = *filter.source;
            where += " AND source = :source";
        }
        if (filter.q) {
            pattern_ = like_pattern(*filter.q);
            where += " AND (lower(title) LIKE lower(:q) ESCAPE '!' OR lower(description) LIKE lower(:q2) ESCAPE '!')";
        }
    }

    void bind(soci::statement& st) {
        for (std::size_t i = 0; i < statuses_.size(); ++i) st.exchange(soci::use(statuses_[i], "s" + std::to_string(i)));
        if (owner_.ind == soci::i_ok) st.exchange(soci::use(owner_.value, "owner"));
        if (filter_.source) st.exchange(soci::use(source_, "source"));
        if (filter_.q) {
            st.exchange(soci::use(pattern_, "q"));
            st.exchange(soci::use(pattern_, "q2"));
        }
    }

    std::string where = " WHERE 1 = 1";

private:
    const LeadFilter& filter_;
    std::vector<std::string> statuses_;
    NullableText owner_;
    std::string source_, pattern_;
};

}  // namespace

std::vector<Lead> list_after(Lease& lease, const LeadFilter& filter, const std::optional<Lead>& after, long long limit) {
    FilterSql sql(filter);
    std::string after_created = after ? format_timestamp(after->created_at) : "", after_id = after ? after->id.to_string() : "";
    if (after) sql.where += R"( AND ("createdAt" > :ac OR ("createdAt" = :ac2 AND id > :ai)))";
    std::vector<Lead> leads;
    Row row;
    for_each_row(
        lease.sql(),
        std::string("SELECT ") + columns + R"( FROM "Leads")" + sql.where + R"( ORDER BY "createdAt", id LIMIT :limit)",
        [&](soci::statement& st) {
            row.bind(st);
            sql.bind(st);
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

Page<Lead> list(Lease& lease, const LeadFilter& filter, const LeadSort& sort, const PageRequest& page) {
    FilterSql filter_sql(filter);
    const std::string& where = filter_sql.where;
    auto bind_filters = [&](soci::statement& st) { filter_sql.bind(st); };

    // Titles compare by code point on both backends (PostgreSQL's "C" collation = SQLite's BINARY).
    const bool pg = is_postgresql(lease);
    std::string key;
    switch (sort.key) {
        case LeadSortKey::created_at: key = R"("createdAt")"; break;
        case LeadSortKey::updated_at: key = R"("updatedAt")"; break;
        case LeadSortKey::title: key = pg ? R"(title COLLATE "C")" : "title"; break;
        case LeadSortKey::status:
            key = "CASE status WHEN 'NEW' THEN 0 WHEN 'CONTACTED' THEN 1 WHEN 'QUALIFIED' THEN 2 ELSE 3 END";
            break;
    }
    const char* direction = sort.descending ? " DESC" : " ASC";
    std::string order = " ORDER BY " + key + direction + ", id" + direction;

    Page<Lead> result{{}, page.page, page.limit, 0};
    Window window(page);
    Row row;
    long long total = 0;
    for_each_row(
        lease.sql(),
        std::string("SELECT ") + columns + R"(, count(*) OVER () FROM "Leads")" + where + order +
            " LIMIT :limit OFFSET :offset",
        [&](soci::statement& st) {
            row.bind(st);
            st.exchange(soci::into(total));
            bind_filters(st);
            st.exchange(soci::use(window.limit, "limit"));
            st.exchange(soci::use(window.offset, "offset"));
        },
        [&] { result.items.push_back(row.lead()); });
    result.total = total_of(!result.items.empty(), total, [&] {
        long long n = 0;
        for_each_row(
            lease.sql(), R"(SELECT count(*) FROM "Leads")" + where,
            [&](soci::statement& st) {
                st.exchange(soci::into(n));
                bind_filters(st);
            },
            [] {});
        return n;
    });
    return result;
}

}  // namespace crm::detail::lead_store
