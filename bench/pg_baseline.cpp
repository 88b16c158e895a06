// The limit for bench/http.sh: what a server that did nothing but the SQL of a request would reach.
// Libpq directly, every statement prepared once per connection, one connection per thread, for
// the scenarios of bench/wrk on libcrm's schema:
//
//   get           GET /api/leads/:id          user row by id (authentication) + the lead by id
//   activities    GET /api/activities/lead/:id  user row + lead scope check + page of 20 + count
//   create        POST /api/leads             user row + INSERT in a transaction
//   list_manager  GET /api/leads?limit=20     user row + page of 20 (newest first) + count(*)
//   list_sales    the same as a SALES user    the same, WHERE "ownerId" = the user
//   mix           70 % get, 20 % list_manager, 10 % create
//
//   pg_baseline --url URL --scenario S --ids FILE --manager ID --sales ID [--threads N] [--seconds T]
//
// Prints one line: scenario=S threads=N seconds=T requests=R errors=E rps=X p50_ms=Y p99_ms=Z
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string url, scenario, ids_file, manager, sales;
    int threads = 32;
    double seconds = 10;
};

[[noreturn]] void usage() {
    std::fprintf(stderr,
                 "usage: pg_baseline --url URL --scenario get|activities|create|list_manager|list_sales|mix\n"
                 "                   --ids FILE --manager USER_ID --sales USER_ID [--threads N] [--seconds T]\n");
    std::exit(2);
}

constexpr const char* lead_columns = R"(id, title, description, status, source, "ownerId", metadata, "createdAt", "updatedAt")";

// Every statement a scenario may need, prepared on each connection.
struct Prepared {
    const char* name;
    std::string sql;
};
const std::vector<Prepared>& statements() {
    static const std::vector<Prepared> all = {
        {"user", R"(SELECT id, name, email, password, role, "createdAt", "updatedAt" FROM "Users" WHERE id = $1)"},
        {"lead", std::string("SELECT ") + lead_columns + R"( FROM "Leads" WHERE id = $1)"},
        {"lead_scope", R"(SELECT "ownerId" FROM "Leads" WHERE id = $1)"},
        {"activities", R"(SELECT id, "leadId", type, body, "createdBy", "createdAt", "updatedAt" FROM "Activities"
                          WHERE "leadId" = $1 ORDER BY "createdAt" DESC, id DESC LIMIT 20)"},
        {"activities_count", R"(SELECT count(*) FROM "Activities" WHERE "leadId" = $1)"},
        {"leads_page", std::string("SELECT ") + lead_columns + R"( FROM "Leads" ORDER BY "createdAt" DESC, id DESC LIMIT 20)"},
        {"leads_count", R"(SELECT count(*) FROM "Leads")"},
        {"own_page", std::string("SELECT ") + lead_columns +
                         R"( FROM "Leads" WHERE "ownerId" = $1 ORDER BY "createdAt" DESC, id DESC LIMIT 20)"},
        {"own_count", R"(SELECT count(*) FROM "Leads" WHERE "ownerId" = $1)"},
        {"insert", std::string(R"(INSERT INTO "Leads" ()") + lead_columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"},
    };
    return all;
}

class Worker {
public:
    Worker(const Options& o, const std::vector<std::string>& ids, unsigned seed)
        : o_(o), ids_(ids), rng_(seed), conn_(PQconnectdb(o.url.c_str())) {
        if (PQstatus(conn_) != CONNECTION_OK) {
            std::fprintf(stderr, "pg_baseline: %s", PQerrorMessage(conn_));
            ok_ = false;
            return;
        }
        for (const auto& s : statements()) {
            PGresult* r = PQprepare(conn_, s.name, s.sql.c_str(), 0, nullptr);
            if (PQresultStatus(r) != PGRES_COMMAND_OK) {
                std::fprintf(stderr, "pg_baseline: prepare %s: %s", s.name, PQresultErrorMessage(r));
                ok_ = false;
            }
            PQclear(r);
        }
    }
    ~Worker() { PQfinish(conn_); }
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    [[nodiscard]] bool ok() const { return ok_; }

    // Runs requests until `stop`; keeps each one's latency in microseconds.
    void run(const std::atomic<bool>& stop) {
        while (!stop.load(std::memory_order_relaxed)) {
            auto start = Clock::now();
            bool good = request();
            if (stop.load(std::memory_order_relaxed)) break;  // cut off by the deadline: not counted
            if (good) latencies_.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
            else ++errors_;
        }
    }
    std::vector<double> latencies_;
    long long errors_ = 0;

private:
    bool exec(const char* name, std::initializer_list<const char*> params, bool tuples = true) {
        std::vector<const char*> p(params);
        PGresult* r = PQexecPrepared(conn_, name, static_cast<int>(p.size()), p.data(), nullptr, nullptr, 0);
        bool good = PQresultStatus(r) == (tuples ? PGRES_TUPLES_OK : PGRES_COMMAND_OK);
        PQclear(r);
        return good;
    }
    bool plain(const char* sql) {
        PGresult* r = PQexec(conn_, sql);
        bool good = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        return good;
    }
    const char* random_lead() { return ids_[rng_() % ids_.size()].c_str(); }

    bool get() { return exec("user", {o_.manager.c_str()}) && exec("lead", {random_lead()}); }
    bool activities() {
        const char* lead = random_lead();
        return exec("user", {o_.manager.c_str()}) && exec("lead_scope", {lead}) && exec("activities", {lead}) &&
               exec("activities_count", {lead});
    }
    bool list_manager() { return exec("user", {o_.manager.c_str()}) && exec("leads_page", {}) && exec("leads_count", {}); }
    bool list_sales() {
        return exec("user", {o_.sales.c_str()}) && exec("own_page", {o_.sales.c_str()}) && exec("own_count", {o_.sales.c_str()});
    }
    bool create() {
        if (!exec("user", {o_.manager.c_str()})) return false;
        std::string id = uuid_v7(), at = timestamp(), title = "bench lead " + std::to_string(++created_);
        if (!plain("BEGIN")) return false;
        bool good = exec("insert", {id.c_str(), title.c_str(), "created by the benchmark", "NEW", "web", o_.manager.c_str(),
                                    R"({"k": 1})", at.c_str(), at.c_str()},
                         false);
        return plain(good ? "COMMIT" : "ROLLBACK") && good;
    }
    bool request() {
        const std::string& s = o_.scenario;
        if (s == "get") return get();
        if (s == "activities") return activities();
        if (s == "create") return create();
        if (s == "list_manager") return list_manager();
        if (s == "list_sales") return list_sales();
        unsigned r = rng_() % 100;  // mix
        return r < 70 ? get() : r < 90 ? list_manager() : create();
    }

    std::string uuid_v7() {
        auto ms = static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
        std::uint64_t hi = (ms << 16) | 0x7000 | (rng_() & 0x0fff);
        std::uint64_t lo = (0x8000000000000000ULL | (static_cast<std::uint64_t>(rng_()) << 32) | rng_()) & 0xbfffffffffffffffULL;
        char buf[40];
        std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(hi >> 32),
                      static_cast<unsigned long long>((hi >> 16) & 0xffff), static_cast<unsigned long long>(hi & 0xffff),
                      static_cast<unsigned long long>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
        return buf;
    }
    static std::string timestamp() {
        auto now = std::chrono::system_clock::now();
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
        std::time_t secs = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
        return buf;
    }

    const Options& o_;
    const std::vector<std::string>& ids_;
    std::mt19937 rng_;
    PGconn* conn_;
    bool ok_ = true;
    long long created_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (i + 1 >= argc) usage();
        std::string v = argv[++i];
        if (a == "--url") o.url = v;
        else if (a == "--scenario") o.scenario = v;
        else if (a == "--ids") o.ids_file = v;
        else if (a == "--manager") o.manager = v;
        else if (a == "--sales") o.sales = v;
        else if (a == "--threads") o.threads = std::atoi(v.c_str());
        else if (a == "--seconds") o.seconds = std::atof(v.c_str());
        else usage();
    }
    const std::vector<std::string> known = {"get", "activities", "create", "list_manager", "list_sales", "mix"};
    if (o.url.empty() || o.manager.empty() || o.sales.empty() || o.threads < 1 || o.threads > 1000 || o.seconds <= 0 ||
        std::find(known.begin(), known.end(), o.scenario) == known.end())
        usage();
    std::vector<std::string> ids;
    {
        std::ifstream in(o.ids_file);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) ids.push_back(line);
    }
    if (ids.empty()) {
        std::fprintf(stderr, "pg_baseline: no lead ids in %s\n", o.ids_file.c_str());
        return 2;
    }

    std::vector<std::unique_ptr<Worker>> workers;
    for (int t = 0; t < o.threads; ++t) {
        workers.push_back(std::make_unique<Worker>(o, ids, 1234u + static_cast<unsigned>(t)));
        if (!workers.back()->ok()) return 1;
    }
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    auto started = Clock::now();
    for (auto& w : workers) threads.emplace_back([&w, &stop] { w->run(stop); });
    std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
    stop = true;
    for (auto& t : threads) t.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

    std::vector<double> all;
    long long errors = 0;
    for (auto& w : workers) {
        all.insert(all.end(), w->latencies_.begin(), w->latencies_.end());
        errors += w->errors_;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<std::size_t>(p * static_cast<double>(all.size())))] / 1000;
    };
    std::printf("scenario=%s threads=%d seconds=%.1f requests=%zu errors=%lld rps=%.1f p50_ms=%.2f p99_ms=%.2f\n",
                o.scenario.c_str(), o.threads, elapsed, all.size(), errors, static_cast<double>(all.size()) / elapsed, pct(0.50),
                pct(0.99));
    return errors > 0 && all.empty() ? 1 : 0;
}
