// Embedded lists on SQLite: libcrm's list and get calls beside raw sqlite3 code running the
// statements an ideal implementation needs for the same answer (a page of 20, newest first, and
// a separate count(*) for the total), on a file seeded by crm_seed. Ratios, measured side by side.
//
//   crm_bench_lists FILE [--domain bench.test] [--password bench-password-1]
//
// bench/run.sh seeds 100,000 leads with crm_seed and runs this.
#include <crm/crm.hpp>

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace crm;
using Clock = std::chrono::steady_clock;

namespace {

// Median over five rounds of the time per call; each round runs for at least ~0.2 s (and at least
// 3 calls), so fast and slow calls are both measured over enough time.
double per_call_us(const std::function<void(long)>& call) {
    call(0);  // warm the caches and statement caches
    std::vector<double> rounds;
    long i = 0;
    for (int r = 0; r < 5; ++r) {
        auto start = Clock::now();
        long n = 0;
        do {
            call(i++);
            ++n;
        } while (n < 3 || Clock::now() - start < std::chrono::milliseconds(200));
        rounds.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count() / static_cast<double>(n));
    }
    std::sort(rounds.begin(), rounds.end());
    return rounds[2];
}

void report(const char* what, double raw_us, double ours_us) {
    std::printf("| %-40s | %12.1f | %12.1f | %7.2f× |\n", what, raw_us, ours_us, ours_us / raw_us);
}

struct Raw {
    sqlite3* db = nullptr;
    explicit Raw(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path);
    }
    ~Raw() { sqlite3_close(db); }
    Raw(const Raw&) = delete;
    Raw& operator=(const Raw&) = delete;
};

// A prepared statement that reads every column of every row as text, as a server would.
struct Query {
    sqlite3_stmt* st = nullptr;
    Query(Raw& raw, const char* sql) {
        if (sqlite3_prepare_v3(raw.db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("prepare: ") + sqlite3_errmsg(raw.db));
    }
    ~Query() { sqlite3_finalize(st); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    long run(const std::string* param = nullptr) {
        if (param) sqlite3_bind_text(st, 1, param->data(), static_cast<int>(param->size()), SQLITE_STATIC);
        long rows = 0;
        std::size_t bytes = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            ++rows;
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                const unsigned char* text = sqlite3_column_text(st, c);
                if (text) bytes += std::strlen(reinterpret_cast<const char*>(text));
            }
        }
        sqlite3_reset(st);
        return rows + static_cast<long>(bytes == 0);
    }
};

#define LEAD_COLUMNS R"(id, title, description, status, source, "ownerId", metadata, "createdAt", "updatedAt")"

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 2) {
        std::fprintf(stderr, "usage: crm_bench_lists FILE [--domain D] [--password PW]\n");
        return 2;
    }
    std::string path = argv[1], domain = "bench.test", password = "bench-password-1";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--domain")) domain = argv[i + 1];
        else if (!std::strcmp(argv[i], "--password")) password = argv[i + 1];
    }
    auto db = Database::open("sqlite:" + path);
    db.migrate();
    AuthOptions options;
    options.jwt_secret = std::string(48, 's');
    options.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;  // crm_seed's default cost: no rehash on login
    options.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
    Service svc(db, options);
    Principal manager = svc.authenticate(svc.login("manager@" + domain, password).tokens.access_token);
    Principal sales = svc.authenticate(svc.login("sales01@" + domain, password).tokens.access_token);
    const std::string sales_id = sales.user_id().to_string();

    Raw raw(path);
    Query page_all(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" ORDER BY "createdAt" DESC, id DESC LIMIT 20)");
    Query count_all(raw, R"(SELECT count(*) FROM "Leads")");
    Query page_own(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" WHERE "ownerId" = ? ORDER BY "createdAt" DESC, id DESC LIMIT 20)");
    Query count_own(raw, R"(SELECT count(*) FROM "Leads" WHERE "ownerId" = ?)");
    Query by_id(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" WHERE id = ?)");

    // Lead ids to read: a spread over the whole table.
    std::vector<std::string> ids;
    {
        Query sample(raw, R"(SELECT id FROM "Leads" WHERE rowid % 97 = 0 LIMIT 2000)");
        while (sqlite3_step(sample.st) == SQLITE_ROW) ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(sample.st, 0)));
    }
    if (ids.empty()) throw std::runtime_error("no leads in " + path + ": seed it with crm_seed first");
    std::vector<Uuid> uuids;
    for (auto& s : ids) uuids.push_back(*Uuid::parse(s));

    auto total_all = svc.list_leads(manager, {}, {}, {1, 20}).total.value_or(0);
    auto total_own = svc.list_leads(sales, {}, {}, {1, 20}).total.value_or(0);
    std::printf("SQLite, %lld leads (%lld owned by the SALES user)\n\n", static_cast<long long>(total_all),
                static_cast<long long>(total_own));
    std::printf("| %-40s | %12s | %12s | %8s |\n", "operation", "raw µs", "libcrm µs", "ratio");
    std::printf("|%s|%s|%s|%s|\n", std::string(42, '-').c_str(), std::string(14, '-').c_str(), std::string(14, '-').c_str(),
                std::string(10, '-').c_str());

    report("get lead by id (MANAGER)", per_call_us([&](long i) { by_id.run(&ids[static_cast<std::size_t>(i) % ids.size()]); }),
           per_call_us([&](long i) { (void)svc.get_lead(manager, uuids[static_cast<std::size_t>(i) % uuids.size()]); }));
    report("list 20 + total, MANAGER (all leads)", per_call_us([&](long) {
               page_all.run();
               count_all.run();
           }),
           per_call_us([&](long) { (void)svc.list_leads(manager, {}, {}, {1, 20}); }));
    report("list 20 + total, SALES (own leads)", per_call_us([&](long) {
               page_own.run(&sales_id);
               count_own.run(&sales_id);
           }),
           per_call_us([&](long) { (void)svc.list_leads(sales, {}, {}, {1, 20}); }));
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "crm_bench_lists: %s\n", e.what());
    return 1;
}
