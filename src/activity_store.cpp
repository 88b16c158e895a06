// SQL for "Activities". The same statements serve SQLite and PostgreSQL except where noted.
#include "rows.hpp"
#include "store_common.hpp"

namespace crm::detail::activity_store {

namespace {

constexpr const char* columns = R"(id, "leadId", type, body, "createdBy", "createdAt", "updatedAt")";

using Row = ActivityRow;

const ConstraintMeaning unknown_reference{std::nullopt,
                                          Error::invalid_field("leadId", "must be an existing lead")};

}  // namespace

void insert(Lease& lease, const Activity& a) {
    std::string id = a.id.to_string(), lead_id = a.lead_id.to_string(), type(to_string(a.type));
    std::string created = format_timestamp(a.created_at), updated = format_timestamp(a.updated_at);
    NullableText body(a.body), created_by(a.created_by);
    try {
        lease.sql() << R"(INSERT INTO "Activities" (id, "leadId", type, body, "createdBy", "createdAt", "updatedAt")
                          VALUES (:id, :lead, :type, :body, :author, :created, :updated))",
            soci::use(id), soci::use(lead_id), soci::use(type), soci::use(body.value, body.ind),
            soci::use(created_by.value, created_by.ind), soci::use(created), soci::use(updated);
    } catch (const soci::soci_error&) {
        rethrow_constraint(unknown_reference);
    }
}

std::optional<Activity> find(Lease& lease, const Uuid& id, bool for_update) {
    const std::string query = std::string("SELECT ") + columns + R"( FROM "Activities" WHERE id = :key)" +
                              for_update_clause(lease, for_update);
    auto& lookup = lease.cached<KeyedLookup<Row>>(query, query);
    if (!lookup.run(lease, id.to_string())) return std::nullopt;
    return lookup.row.activity();
}

std::optional<Activity> update(Lease& lease, const Uuid& id, const ActivityChanges& changes, Timestamp now) {
    auto activity = find(lease, id, true);
    if (!activity) return std::nullopt;
    if (changes.type) activity->type = *changes.type;
    if (changes.body) activity->body = *changes.body;
    activity->updated_at = std::max(now, activity->updated_at + std::chrono::milliseconds(1));
    std::string key = id.to_string(), type(to_string(activity->type)), updated = format_timestamp(activity->updated_at);
    NullableText body(activity->body);
    lease.sql() << R"(UPDATE "Activities" SET type = :type, body = :body, "updatedAt" = :updated WHERE id = :id)",
        soci::use(type), soci::use(body.value, body.ind), soci::use(updated), soci::use(key);
    return activity;
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
        std::move(rows_values), [](const Row& row) { return row.activity(); });
}

}  // namespace crm::detail::activity_store
