// Lists through the library at scale, on a database seeded by crm_seed (either backend):
//   - deep paging: a cursor page 200 pages in beside the second page (both by cursor, no total);
//   - search: `q` (a word in ~5 % of titles) beside an unfiltered page, both with their total;
//   - on SQLite, also beside raw sqlite3 code running the statements an ideal implementation needs
//     for the same answer (page + separate count(*); the search through the same FTS5 index).
// Ratios, measured side by side, median of five rounds.
//
//   crm_bench_lists URL|FILE [--domain bench.test] [--password bench-password-1] [--q acme]
//
// bench/run.sh seeds 100,000 leads on SQLite and 1,000,000 on PostgreSQL and runs this on both.
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


// The seeded users (crm_seed: manager@DOMAIN, sales01@DOMAIN, password PW).
struct Session {
    Database db;
    Service svc;
    Principal manager, sales;
    Session(const std::string& url, const std::string& domain, const std::string& password)
        : db(open(url)), svc(db, options()), manager(as("manager@" + domain, password)), sales(as("sales01@" + domain, password)) {}
    static Database open(const std::string& url) {
        auto db = Database::open(url);
        db.migrate();
        return db;
    }
    static AuthOptions options() {
        AuthOptions o;
        o.jwt_secret = std::string(48, 's');
        o.password_opslimit = crypto_pwhash_OPSLIMIT_MIN;  // crm_seed's default cost: no rehash on login
        o.password_memlimit = crypto_pwhash_MEMLIMIT_MIN;
        return o;
    }
    Principal as(const std::string& email, const std::string& password) {
        return svc.authenticate(svc.login(email, password).tokens.access_token);
    }
};

void print_header() {
    std::printf("| %-44s | %12s | %12s | %8s |\n", "operation", "baseline µs", "measured µs", "ratio");
    std::printf("|%s|%s|%s|%s|\n", std::string(46, '-').c_str(), std::string(14, '-').c_str(), std::string(14, '-').c_str(),
                std::string(10, '-').c_str());
}

// Deep cursor pages and search, through the library alone (any backend).
void scale_rows(Session& s, const std::string& q) {
    LeadFilter search;
    search.q = q;
    std::printf("\nthrough the library: baseline = the same list near its start, or unfiltered\n\n");
    print_header();
    for (auto* who : {&s.manager, &s.sales}) {
        const char* name = who == &s.manager ? "MANAGER" : "SALES";
        // Cursors to page 2 and to page 200 (20 per page), newest first.
        std::optional<std::string> second, deep;
        auto page = s.svc.list_leads(*who, {}, {}, PageRequest{1, 20});
        second = page.next_cursor;
        for (int n = 2; n <= 200 && page.next_cursor; ++n) {
            deep = page.next_cursor;
            page = s.svc.list_leads(*who, {}, {}, PageRequest{*page.next_cursor, 20});
        }
        if (second && deep) {
            std::string label = std::string("cursor page 200 vs page 2, ") + name;
            report(label.c_str(), per_call_us([&](long) { (void)s.svc.list_leads(*who, {}, {}, PageRequest{*second, 20}); }),
                   per_call_us([&](long) { (void)s.svc.list_leads(*who, {}, {}, PageRequest{*deep, 20}); }));
        }
        std::string label = "q=" + q + " + total vs unfiltered + total, " + name;
        report(label.c_str(), per_call_us([&](long) { (void)s.svc.list_leads(*who, {}, {}, {1, 20}); }),
               per_call_us([&](long) { (void)s.svc.list_leads(*who, search, {}, {1, 20}); }));
        // Cursor mode counts nothing unless asked: the second page of each, by its cursor.
        auto plain_next = s.svc.list_leads(*who, {}, {}, {1, 20}).next_cursor;
        auto search_next = s.svc.list_leads(*who, search, {}, {1, 20}).next_cursor;
        if (plain_next && search_next) {
            label = "q=" + q + " vs unfiltered, cursor page 2, " + name;
            report(label.c_str(), per_call_us([&](long) { (void)s.svc.list_leads(*who, {}, {}, PageRequest{*plain_next, 20}); }),
                   per_call_us([&](long) { (void)s.svc.list_leads(*who, search, {}, PageRequest{*search_next, 20}); }));
        }
    }
}

// The library beside raw sqlite3 code (SQLite only).
void raw_sqlite_rows(Session& s, const std::string& path, const std::string& q) {
    const std::string sales_id = s.sales.user_id().to_string();
    Raw raw(path);
    Query page_all(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" ORDER BY "createdAt" DESC, id DESC LIMIT 20)");
    Query count_all(raw, R"(SELECT count(*) FROM "Leads")");
    Query page_own(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" WHERE "ownerId" = ? ORDER BY "createdAt" DESC, id DESC LIMIT 20)");
    Query count_own(raw, R"(SELECT count(*) FROM "Leads" WHERE "ownerId" = ?)");
    Query by_id(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" WHERE id = ?)");
    // What the library runs besides: the caller's user row (a principal older than
    // AuthOptions::principal_max_age, as the ones here are after a second, is checked against it
    // on every call), and the read transaction that keeps a page and its total consistent.
    Query user_row(raw, R"(SELECT id, name, email, password, role, "createdAt", "updatedAt" FROM "Users" WHERE id = ?)");
    Query begin(raw, "BEGIN"), commit(raw, "COMMIT");
    const std::string manager_id = s.manager.user_id().to_string();
    // The search of a common word as the library runs it on SQLite (lead_store.cpp): FTS5 counts
    // the matches (which decides the page's plan, and is the total of a search with no other
    // filter), the largest row number bounds the leads, and the page walks the sort index testing
    // each row. The library tests crm_fold(column) LIKE crm_fold(pattern); raw sqlite3 has no
    // crm_fold, so this uses SQLite's own LIKE, which folds ASCII case: the same rows for the
    // benchmark's lower-case ASCII words.
    Query count_q(raw, R"(SELECT count(*) FROM "LeadSearch" WHERE "LeadSearch" MATCH ?)");
    Query max_row(raw, R"(SELECT max(rowid) FROM "LeadSearchRows")");
    Query page_q(raw, "SELECT " LEAD_COLUMNS R"( FROM "Leads" WHERE title LIKE ?1 ESCAPE '!' OR description LIKE ?1 ESCAPE '!')"
                      R"( ORDER BY "createdAt" DESC, id DESC LIMIT 20)");
    const std::string phrase = "\"" + q + "\"";  // bench words are lower-case ASCII: folded already
    const std::string pattern = "%" + q + "%";

    // Lead ids to read: a spread over the whole table.
    std::vector<std::string> ids;
    {
        Query sample(raw, R"(SELECT id FROM "Leads" WHERE rowid % 97 = 0 LIMIT 2000)");
        while (sqlite3_step(sample.st) == SQLITE_ROW) ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(sample.st, 0)));
    }
    if (ids.empty()) throw std::runtime_error("no leads in " + path + ": seed it with crm_seed first");
    std::vector<Uuid> uuids;
    for (auto& id : ids) uuids.push_back(*Uuid::parse(id));
    LeadFilter search;
    search.q = q;

    std::printf("\nSQLite: baseline = raw sqlite3, the same statements (the caller's user row; a page and its\n"
                "total in one read transaction), every column read as text\n\n");
    print_header();
    report("get lead by id (MANAGER)", per_call_us([&](long i) {
               user_row.run(&manager_id);
               by_id.run(&ids[static_cast<std::size_t>(i) % ids.size()]);
           }),
           per_call_us([&](long i) { (void)s.svc.get_lead(s.manager, uuids[static_cast<std::size_t>(i) % uuids.size()]); }));
    auto page_and_total = [&](const std::string& user, Query& page, Query& count, const std::string* param) {
        user_row.run(&user);
        begin.run();
        count.run(param);
        page.run(param);
        commit.run();
    };
    report("list 20 + total, MANAGER (all leads)", per_call_us([&](long) { page_and_total(manager_id, page_all, count_all, nullptr); }),
           per_call_us([&](long) { (void)s.svc.list_leads(s.manager, {}, {}, {1, 20}); }));
    report("list 20 + total, SALES (own leads)", per_call_us([&](long) { page_and_total(sales_id, page_own, count_own, &sales_id); }),
           per_call_us([&](long) { (void)s.svc.list_leads(s.sales, {}, {}, {1, 20}); }));
    std::string label = "search q=" + q + " + total, MANAGER";
    report(label.c_str(), per_call_us([&](long) {
               count_q.run(&phrase);
               max_row.run();
               user_row.run(&manager_id);
               begin.run();
               count_q.run(&phrase);
               page_q.run(&pattern);
               commit.run();
           }),
           per_call_us([&](long) { (void)s.svc.list_leads(s.manager, search, {}, {1, 20}); }));
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc < 2) {
        std::fprintf(stderr, "usage: crm_bench_lists URL|FILE [--domain D] [--password PW] [--q WORD]\n");
        return 2;
    }
    std::string target = argv[1], domain = "bench.test", password = "bench-password-1", q = "acme";
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--domain")) domain = argv[i + 1];
        else if (!std::strcmp(argv[i], "--password")) password = argv[i + 1];
        else if (!std::strcmp(argv[i], "--q")) q = argv[i + 1];
    }
    bool sqlite = target.rfind("postgresql://", 0) != 0 && target.rfind("postgres://", 0) != 0;
    std::string path = target.rfind("sqlite:", 0) == 0 ? target.substr(7) : target;
    Session s(sqlite ? "sqlite:" + path : target, domain, password);
    auto total_all = s.svc.list_leads(s.manager, {}, {}, {1, 20}).total.value_or(0);
    auto total_own = s.svc.list_leads(s.sales, {}, {}, {1, 20}).total.value_or(0);
    std::printf("%s, %lld leads (%lld owned by the SALES user)\n", sqlite ? "SQLite" : "PostgreSQL",
                static_cast<long long>(total_all), static_cast<long long>(total_own));
    scale_rows(s, q);
    if (sqlite) raw_sqlite_rows(s, path, q);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "crm_bench_lists: %s\n", e.what());
    return 1;
}
