// SQL for "Activities". The same statements serve SQLite and PostgreSQL except where noted.
#include "rows.hpp"
#include "store_common.hpp"

namespace crm::detail::activity_store {

namespace {

using Row = ActivityRow;
constexpr const char* columns = Row::columns;

const ConstraintMeaning unknown_reference{std::nullopt,
                                          Error::invalid_field("leadId", "must be an existing lead")};

}  // namespace

Activity insert(Lease& lease, const Activity& activity) {
    Row values(activity);
    std::optional<Row> stored;
    try {
        stored = write_returning<Row>(lease, std::string(R"(INSERT INTO "Activities" ()") + columns +
                                                 R"() VALUES (:id, :lead, :type, :body, :author, :created, :updated))",
                                      [&](soci::statement& st) { values.bind_values(st); });
    } catch (const soci::soci_error&) {
        rethrow_constraint(unknown_reference);
    }
    return stored.value().activity();
}

std::optional<Activity> find(Lease& lease, const Uuid& id, bool for_update) {
    const std::string query = std::string("SELECT ") + columns + R"( FROM "Activities" WHERE id = :key)" +
                              for_update_clause(lease, for_update);
    auto& lookup = lease.cached<KeyedLookup<Row>>(query, query);
    if (!lookup.run(lease, id.to_string())) return std::nullopt;
    return lookup.row.activity();
}

std::optional<Activity> update(Lease& lease, const Activity& activity) {
    Row v(activity);
    auto stored = write_returning<Row>(
        lease, R"(UPDATE "Activities" SET type = :type, body = :body, "updatedAt" = :updated WHERE id = :id)",
        [&](soci::statement& st) {
            st.exchange(soci::use(v.type, "type"));
            st.exchange(soci::use(v.body.value, v.body.ind, "body"));
            st.exchange(soci::use(v.updated_at, "updated"));
            st.exchange(soci::use(v.id, "id"));
        });
    return stored ? std::optional(stored->activity()) : std::nullopt;
}

bool remove(Lease& lease, const Uuid& id) {
    std::string key = id.to_string();
    return execute_counting(lease.sql(), R"(DELETE FROM "Activities" WHERE id = :id)",
                            [&](soci::statement& st) { st.exchange(soci::use(key, "id")); }) > 0;
}

Keyset position_of(const Activity& activity) {
    return Keyset{format_timestamp(activity.created_at), activity.id.to_string()};
}

ListSlice<Activity> list_for_lead(Lease& lease, const Uuid& lead_id, const ListWindow& window) {
    std::string lead = lead_id.to_string();
    // Both the rows and the count come from the ("leadId", "createdAt", id) index.
    std::string keyset = created_at_keyset(lease, window, true);
    Parameters rows_values, count_values;
    rows_values.text("lead", lead);
    if (window.after) rows_values.text("ak", window.after->key).text("ai", window.after->id);
    count_values.text("leadc", lead);
    return read_slice<Activity, Row>(
        lease, window, columns, R"(SELECT count(*) FROM "Activities" WHERE "leadId" = :leadc)", count_values,
        R"( FROM "Activities" WHERE "leadId" = :lead)" + keyset + R"( ORDER BY "createdAt" DESC, id DESC)",
        std::move(rows_values), ListPlan::same_for_any_values, [](const Row& row) { return row.activity(); });
}

}  // namespace crm::detail::activity_store
