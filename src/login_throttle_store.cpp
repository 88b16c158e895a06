// SQL for "LoginThrottles": failed-login counts per hashed key, in windows that end at "windowEnd"
// (milliseconds since the Unix epoch). The same upsert runs on both engines.
#include "store_common.hpp"

namespace crm::detail::login_throttle_store {

namespace {

long long epoch_ms(Timestamp t) { return t.time_since_epoch().count(); }

}  // namespace

std::vector<Count> find_live(Lease& lease, const std::vector<std::string>& keys, Timestamp now) {
    std::vector<Count> found;
    long long at = epoch_ms(now), failures = 0, end = 0;
    for (const auto& k : keys) {
        std::string key = k;
        for_each_row(
            lease.sql(), R"(SELECT failures, "windowEnd" FROM "LoginThrottles" WHERE key = :key AND "windowEnd" > :at)",
            [&](soci::statement& st) {
                st.exchange(soci::into(failures));
                st.exchange(soci::into(end));
                st.exchange(soci::use(key, "key"));
                st.exchange(soci::use(at, "at"));
            },
            [&] { found.push_back(Count{failures, Timestamp(std::chrono::milliseconds(end))}); });
    }
    return found;
}

void record_failure(Lease& lease, const std::string& key, Timestamp now, std::chrono::milliseconds window) {
    // One statement, so no read-modify-write race: PostgreSQL's ON CONFLICT takes the row lock
    // (a concurrent insert of the same key turns into this update), SQLite's write transaction
    // excludes other writers. A window that has ended restarts at this failure.
    std::string k = key;
    long long at = epoch_ms(now), end = epoch_ms(now + window);
    long long at2 = at;
    lease.sql() << R"(INSERT INTO "LoginThrottles" AS t (key, failures, "windowEnd") VALUES (:key, 1, :end)
                      ON CONFLICT (key) DO UPDATE SET
                        failures = CASE WHEN t."windowEnd" <= :at THEN 1 ELSE t.failures + 1 END,
                        "windowEnd" = CASE WHEN t."windowEnd" <= :at2 THEN excluded."windowEnd" ELSE t."windowEnd" END)",
        soci::use(k, "key"), soci::use(end, "end"), soci::use(at, "at"), soci::use(at2, "at2");
}

void clear(Lease& lease, const std::string& key) {
    std::string k = key;
    lease.sql() << R"(DELETE FROM "LoginThrottles" WHERE key = :key)", soci::use(k);
}

long long purge_expired(Lease& lease, Timestamp now, long long limit) {
    long long at = epoch_ms(now), at2 = at, n = limit;
    // Bounded, so that one login never pays for a large backlog. PostgreSQL: SKIP LOCKED takes only
    // rows nobody holds (no waiting, no lock-order deadlock with a concurrent upsert), and the
    // outer condition is re-checked on the row as it is when deleted (a window a concurrent
    // failure just restarted is kept).
    const char* query =
        is_postgresql(lease)
            ? R"(DELETE FROM "LoginThrottles" WHERE key IN (SELECT key FROM "LoginThrottles" WHERE "windowEnd" <= :at
                 LIMIT :n FOR UPDATE SKIP LOCKED) AND "windowEnd" <= :at2)"
            : R"(DELETE FROM "LoginThrottles" WHERE key IN (SELECT key FROM "LoginThrottles" WHERE "windowEnd" <= :at
                 LIMIT :n) AND "windowEnd" <= :at2)";
    return execute_counting(lease.sql(), query, [&](soci::statement& st) {
        st.exchange(soci::use(at, "at"));
        st.exchange(soci::use(n, "n"));
        st.exchange(soci::use(at2, "at2"));
    });
}

long long count_rows(Lease& lease) {
    long long n = 0;
    lease.sql() << R"(SELECT count(*) FROM "LoginThrottles")", soci::into(n);
    return n;
}

}  // namespace crm::detail::login_throttle_store
