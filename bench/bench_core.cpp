// Core overhead against the database alone, in one process: each service call is timed next to
// the bare SOCI statement that does the same database work, and reported as a ratio (this
// machine is noisy; ratios measured side by side are not). Usage:
//   crm_bench [URL]        default sqlite in a temporary folder; e.g. a postgresql:// URL
#include "db.hpp"
#include "password.hpp"
#include "rows.hpp"
#include "stores.hpp"

#include <crm/crm.hpp>

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace crm;
using Clock = std::chrono::steady_clock;

namespace {

// Median of several rounds of `n` calls, in microseconds per call.
double per_call_us(int n, const std::function<void(int)>& call) {
    std::vector<double> rounds;
    for (int r = 0; r < 5; ++r) {
        auto start = Clock::now();
        for (int i = 0; i < n; ++i) call(i);
        rounds.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count() / n);
    }
    std::sort(rounds.begin(), rounds.end());
    return rounds[rounds.size() / 2];
}

void report(const char* what, double baseline_us, double ours_us) {
    std::printf("%-44s %9.1f us  %9.1f us  %6.2fx\n", what, baseline_us, ours_us, ours_us / baseline_us);
}

}  // namespace

int main(int argc, char** argv) {
    std::string url = argc > 1 ? argv[1] : "";
    std::filesystem::path dir;
    if (url.empty()) {
        dir = std::filesystem::temp_directory_path() / ("crm-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        url = "sqlite:" + (dir / "bench.db").string();
    }
    auto db = Database::open(url);
    db.migrate();
    AuthOptions options;
    options.jwt_secret = std::string(48, 's');
    options.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;
    options.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    Service svc(db, options);
    std::string email = "bench-" + Uuid::generate().to_string() + "@example.com";
    (void)svc.create_user(Principal::system(), NewUser{email, "password123", "B", Role::sales});
    auto login = svc.login(email, "password123");
    Principal me = svc.authenticate(login.tokens.access_token);

    constexpr int n = 2000;
    std::vector<Uuid> ids;
    for (int i = 0; i < n; ++i) ids.push_back(svc.create_lead(me, NewLead{"lead " + std::to_string(i), "d", {}, "web", {}, R"({"k":1})"}).id);

    std::printf("backend: %s\n", db.backend() == Backend::sqlite ? "sqlite" : "postgresql");
    std::printf("%-44s %12s  %12s  %7s\n", "operation", "database", "libcrm", "ratio");

    // The columns the library reads (on PostgreSQL "Leads" also holds the stored folded search
    // text, migration 5, which no read returns: SELECT * would make the baseline read more).
    const std::string lead_by_id = std::string("SELECT ") + detail::LeadRow::columns + R"( FROM "Leads" WHERE id = :id)";

    // Reading one lead: bare SELECT by primary key vs the service (scope check included).
    double bare_get = per_call_us(n, [&](int i) {
        detail::with_lease(detail::impl_of(db), [&](detail::Lease& lease) {
            std::string id = ids[i].to_string();
            soci::row row;  // every column, as the service reads them
            lease.sql() << lead_by_id, soci::use(id), soci::into(row);
        });
    });
    report("get lead", bare_get, per_call_us(n, [&](int i) { (void)svc.get_lead(me, ids[i]); }));

    // The same SELECT prepared once on one session and re-executed: what a statement cache buys.
    double prepared_get = detail::with_lease(detail::impl_of(db), [&](detail::Lease& lease) {
        std::string id;
        soci::row row;
        soci::statement st = (lease.sql().prepare << lead_by_id, soci::use(id), soci::into(row));
        return per_call_us(n, [&](int i) {
            id = ids[i].to_string();
            st.execute(true);
        });
    });
    report("get lead: prepared once vs one-shot", bare_get, prepared_get);

    // A request's whole core path: verify the token, load the user, read the lead.
    double bare_two = per_call_us(n, [&](int i) {
        detail::with_lease(detail::impl_of(db), [&](detail::Lease& lease) {
            std::string uid = me.user_id().to_string(), id = ids[i].to_string();
            soci::row user, lead;
            lease.sql() << R"(SELECT * FROM "Users" WHERE id = :id)", soci::use(uid), soci::into(user);
            lease.sql() << lead_by_id, soci::use(id), soci::into(lead);
        });
    });
    report("authenticate + get lead", bare_two, per_call_us(n, [&](int i) {
               (void)svc.get_lead(svc.authenticate(login.tokens.access_token), ids[i]);
           }));

    // A list page with a filter and the total. The baseline is the best bare SQL we know: the page
    // from an index-ordered scan and a separate count(*) (not a window count, which reads every row).
    double bare_list = per_call_us(200, [&](int) {
        detail::with_lease(detail::impl_of(db), [&](detail::Lease& lease) {
            std::string owner = me.user_id().to_string();
            soci::rowset<soci::row> rows = (lease.sql().prepare << std::string("SELECT ") + detail::LeadRow::columns + R"( FROM "Leads"
                WHERE "ownerId" = :o ORDER BY "createdAt" DESC, id DESC LIMIT 20)", soci::use(owner));
            for (auto& row : rows) (void)row;
            long long total = 0;
            lease.sql() << R"(SELECT count(*) FROM "Leads" WHERE "ownerId" = :o)", soci::use(owner), soci::into(total);
        });
    });
    report("list 20 leads with total", bare_list, per_call_us(200, [&](int) { (void)svc.list_leads(me, {}, {}, {1, 20}); }));

    // Writing: a bare INSERT in a transaction vs create_lead (validation, scope, id, JSON check).
    int k = 0;
    double bare_insert = per_call_us(500, [&](int) {
        detail::in_transaction(detail::impl_of(db), detail::Transaction::Mode::write, [&](detail::Lease& lease) {
            std::string id = Uuid::generate().to_string(), title = "bare " + std::to_string(++k), at = format_timestamp(now());
            lease.sql() << R"(INSERT INTO "Leads" (id, title, status, "createdAt", "updatedAt") VALUES (:i, :t, 'NEW', :a, :b))",
                soci::use(id), soci::use(title), soci::use(at), soci::use(at);
        });
    });
    report("create lead", bare_insert, per_call_us(500, [&](int i) {
               (void)svc.create_lead(me, NewLead{"lead " + std::to_string(i), {}, {}, {}, {}, {}});
           }));

    if (!dir.empty()) std::filesystem::remove_all(dir);
    return 0;
}
