// Fills a database with a benchmark data set, fast: users of every role with one known password,
// N leads spread over the SALES owners, and activities on each lead. The data are deterministic
// (ids, titles, timestamps follow from --seed, --leads, --owners and --end-at), so two databases
// seeded with the same options hold the same leads under the same ids: libcrm's and the Node.js
// reference backend's, for a fair comparison.
//
//   crm_seed --url URL [--schema libcrm|node] [--leads N] [--owners K] [--activities A] ...
//
// libcrm schema (the default): the library migrates the database, the users go in through the
// library's own store (Argon2id hashes of the cost --password-cost names), then the leads and
// activities are bulk-loaded: COPY on PostgreSQL, one prepared INSERT in large transactions on
// SQLite. Node schema: the Node backend must have created its tables (it does on start) and its
// bootstrap ADMIN (CRM_ADMIN_EMAIL / CRM_ADMIN_PASSWORD = --admin-email / --password): its bcrypt
// hash is copied to every other user, so they all log in with the same password.
#include "db.hpp"
#include "password.hpp"
#include "stores.hpp"

#include <crm/crm.hpp>

#include <libpq-fe.h>
#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace crm;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string url;
    std::string schema = "libcrm";
    long long leads = 100000;
    int owners = 20;
    int activities = 3;
    std::string password = "bench-password-1";
    std::string domain = "bench.test";
    std::string admin_email;  // default admin@<domain>
    std::string password_cost = "min";
    std::uint64_t seed = 1;
    std::string end_at;  // RFC 3339; default: now, rounded down to the minute
    long long span_days = 365;
    std::string ids_out;
    long long ids_sample = 10000;
    std::string users_out;
};

[[noreturn]] void usage(int code) {
    std::fprintf(code ? stderr : stdout, R"(usage: crm_seed --url URL [options]
  --url URL            sqlite:PATH or postgresql://user:pass@host:port/db
  --schema S           libcrm (default) or node (the Node.js reference backend's tables; PostgreSQL)
  --leads N            leads to create (default 100000)
  --owners K           SALES users owning them, 1..1000 (default 20); plus one MANAGER and one ADMIN
  --activities A       activities per lead, 0..100 (default 3; 0: none)
  --password PW        every user's password (default bench-password-1)
  --domain D           users are admin@D, manager@D, sales01@D, ... (default bench.test)
  --admin-email E      the ADMIN's email (default admin@D); node: whose bcrypt hash is copied
  --password-cost C    libcrm: min (default; as CRM_PASSWORD_COST=min) or interactive
  --seed S             data generator seed (default 1)
  --end-at T           the newest lead's time, RFC 3339 (default: now, to the minute); leads
                       span --span-days days (default 365) before it
  --ids-out FILE       write a sample of lead ids to FILE, one per line
  --ids-sample N       how many ids --ids-out writes (default 10000)
  --users-out FILE     write "email role id" lines for every seeded user
Prints the rows written and rows/s. Exit status: 0 done, 1 failure, 2 bad usage.
)");
    std::exit(code);
}

Options parse_args(int argc, char** argv) {
    Options o;
    auto value = [&](int& i) -> std::string {
        if (i + 1 >= argc) {
            std::fprintf(stderr, "crm_seed: %s needs a value\n", argv[i]);
            usage(2);
        }
        return argv[++i];
    };
    auto number = [&](int& i, long long lo, long long hi) -> long long {
        std::string name = argv[i], v = value(i);
        char* end = nullptr;
        long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end || n < lo || n > hi) {
            std::fprintf(stderr, "crm_seed: %s must be an integer in %lld..%lld\n", name.c_str(), lo, hi);
            usage(2);
        }
        return n;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--url") o.url = value(i);
        else if (a == "--schema") o.schema = value(i);
        else if (a == "--leads") o.leads = number(i, 0, 100'000'000);
        else if (a == "--owners") o.owners = static_cast<int>(number(i, 1, 1000));
        else if (a == "--activities") o.activities = static_cast<int>(number(i, 0, 100));
        else if (a == "--password") o.password = value(i);
        else if (a == "--domain") o.domain = value(i);
        else if (a == "--admin-email") o.admin_email = value(i);
        else if (a == "--password-cost") o.password_cost = value(i);
        else if (a == "--seed") o.seed = static_cast<std::uint64_t>(number(i, 0, INT64_MAX));
        else if (a == "--end-at") o.end_at = value(i);
        else if (a == "--span-days") o.span_days = number(i, 1, 100000);
        else if (a == "--ids-out") o.ids_out = value(i);
        else if (a == "--ids-sample") o.ids_sample = number(i, 1, 100'000'000);
        else if (a == "--users-out") o.users_out = value(i);
        else if (a == "--help" || a == "-h") usage(0);
        else {
            std::fprintf(stderr, "crm_seed: unknown option %s\n", argv[i]);
            usage(2);
        }
    }
    if (o.url.empty()) usage(2);
    if (o.schema != "libcrm" && o.schema != "node") {
        std::fprintf(stderr, "crm_seed: --schema must be libcrm or node\n");
        usage(2);
    }
    if (o.password_cost != "min" && o.password_cost != "interactive") {
        std::fprintf(stderr, "crm_seed: --password-cost must be min or interactive\n");
        usage(2);
    }
    if (o.password.size() < 8) {
        std::fprintf(stderr, "crm_seed: --password needs at least 8 characters (registration's rule)\n");
        usage(2);
    }
    if (o.admin_email.empty()) o.admin_email = "admin@" + o.domain;
    return o;
}

// ---- deterministic data -------------------------------------------------------------------

// SplitMix64: a fast, well-mixed generator; one stream per row keeps rows independent of order.
struct Rng {
    std::uint64_t state;
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

// A UUIDv7 for time `t`: the 48-bit millisecond time first, so ids sort as their rows were
// created (what Uuid::generate() gives), and 74 generated bits.
Uuid uuid_v7(Timestamp t, Rng& rng) {
    std::array<std::uint8_t, 16> b{};
    auto ms = static_cast<std::uint64_t>(t.time_since_epoch().count());
    for (int i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
    std::uint64_t r1 = rng.next(), r2 = rng.next();
    for (int i = 6; i < 16; ++i) b[i] = static_cast<std::uint8_t>((i < 8 ? r1 : r2) >> (8 * (i % 8)));
    b[6] = static_cast<std::uint8_t>(0x70 | (b[6] & 0x0f));
    b[8] = static_cast<std::uint8_t>(0x80 | (b[8] & 0x3f));
    return Uuid(b);
}

constexpr const char* companies[] = {
    "Acme Corp", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises", "Hooli",
    "Acme Industries", "Soylent", "Cyberdyne", "Vandelay Imports", "Tyrell", "Wonka", "Massive Dynamic",
    "Pied Piper", "Aperture", "Black Mesa", "Oscorp", "Gringotts", "Monarch", "Dunder Mifflin",
    "Los Pollos", "Prestige Worldwide", "Bluth Company", "Sterling Cooper", "Nakatomi", "Virtucon",
    "Gekko & Co", "Krusty Krab", "Rekall", "Weyland", "Zorg", "Omni Consumer", "Duff", "Nuka",
    "Ollivanders", "Stay Puft", "Spacely Sprockets", "Cogswell Cogs", "Planet Express"};
constexpr const char* products[] = {"CRM rollout", "support contract", "license renewal", "pilot",
                                    "data migration", "training", "upgrade", "integration", "audit",
                                    "expansion"};
constexpr const char* sources[] = {"web", "referral", "event", "partner", "cold-call"};
constexpr const char* regions[] = {"EU", "NA", "APAC", "LATAM"};
constexpr const char* activity_types[] = {"NOTE", "CALL", "EMAIL"};

// Pipeline weights: most leads are new, few are closed.
const char* status_for(std::uint64_t r) {
    r %= 100;
    return r < 40 ? "NEW" : r < 70 ? "CONTACTED" : r < 90 ? "QUALIFIED" : "CLOSED";
}

struct SeedUser {
    Uuid id;
    std::string email, name;
    Role role;
    Timestamp created_at;
};

struct LeadRow {
    Uuid id;
    std::string title;
    std::optional<std::string> description, source, metadata;
    const char* status;
    const SeedUser* owner;
    Timestamp created_at, updated_at;
};

struct ActivityRow {
    Uuid id;
    const char* type;
    std::string body;
    Timestamp created_at;
};

class Generator {
public:
    Generator(const Options& o, Timestamp end) : o_(o) {
        const auto span = std::chrono::milliseconds(std::chrono::hours(24) * o.span_days);
        step_ = std::max<long long>(10 * (o.activities + 1), span.count() / std::max(1LL, o.leads));
        start_ = end - std::chrono::milliseconds(step_ * std::max(0LL, o.leads - 1));
        Rng rng{o.seed * 0x100000001b3ULL + 17};
        Timestamp t = start_ - std::chrono::hours(24);  // users exist before their leads
        auto add = [&](std::string email, std::string name, Role role) {
            t += std::chrono::milliseconds(1);
            users_.push_back({uuid_v7(t, rng), std::move(email), std::move(name), role, t});
        };
        add(o.admin_email, "Bench Admin", Role::admin);
        add("manager@" + o.domain, "Bench Manager", Role::manager);
        for (int k = 1; k <= o.owners; ++k) {
            char local[32];
            std::snprintf(local, sizeof local, "sales%02d", k);
            add(std::string(local) + "@" + o.domain, "Sales " + std::to_string(k), Role::sales);
        }
    }

    [[nodiscard]] const std::vector<SeedUser>& users() const { return users_; }

    // Lead i (0 = oldest) and its activities.
    void lead(long long i, LeadRow& lead, std::vector<ActivityRow>& acts) const {
        Rng rng{(o_.seed << 40) ^ static_cast<std::uint64_t>(i) * 0x9e3779b97f4a7c15ULL};
        lead.created_at = start_ + std::chrono::milliseconds(step_ * i);
        lead.id = uuid_v7(lead.created_at, rng);
        const char* company = companies[rng.below(std::size(companies))];
        const char* product = products[rng.below(std::size(products))];
        lead.title = std::string(company) + ": " + product + " #" + std::to_string(i + 1);
        if (rng.below(10) < 7)
            lead.description = "Met at " + std::string(sources[rng.below(std::size(sources))]) + "; wants a " + product +
                               ", budget " + std::to_string(5 + rng.below(500)) + "k.";
        else
            lead.description.reset();
        lead.status = status_for(rng.next());
        if (rng.below(10) < 9) lead.source = sources[rng.below(std::size(sources))];
        else lead.source.reset();
        if (rng.below(2) == 0)
            lead.metadata = R"({"score":)" + std::to_string(rng.below(100)) + R"(,"region":")" +
                            regions[rng.below(std::size(regions))] + R"("})";
        else
            lead.metadata.reset();
        lead.owner = &users_[2 + rng.below(static_cast<std::uint64_t>(o_.owners))];
        // A lead that moved along the pipeline was updated a little after it was created.
        lead.updated_at = lead.created_at + std::chrono::milliseconds(std::strcmp(lead.status, "NEW") ? step_ / 2 : 0);
        acts.clear();
        for (int k = 0; k < o_.activities; ++k) {
            ActivityRow a;
            a.created_at = lead.created_at + std::chrono::milliseconds(step_ * (k + 1) / (o_.activities + 1));
            a.id = uuid_v7(a.created_at, rng);
            a.type = activity_types[(static_cast<std::size_t>(i) + static_cast<std::size_t>(k)) % 3];
            a.body = std::string(a.type[0] == 'C' ? "Called " : a.type[0] == 'E' ? "Emailed " : "Note on ") + company +
                     " about the " + product + ".";
            acts.push_back(std::move(a));
        }
    }

private:
    const Options& o_;
    long long step_ = 0;
    Timestamp start_;
    std::vector<SeedUser> users_;
};

// ---- PostgreSQL: COPY --------------------------------------------------------------------------

struct PgConn {
    PGconn* c = nullptr;
    explicit PgConn(const std::string& url) : c(PQconnectdb(url.c_str())) {
        if (PQstatus(c) != CONNECTION_OK) throw std::runtime_error(std::string("PostgreSQL: ") + PQerrorMessage(c));
    }
    ~PgConn() { PQfinish(c); }
    PgConn(const PgConn&) = delete;
    PgConn& operator=(const PgConn&) = delete;

    void exec(const std::string& sql) {
        PGresult* r = PQexec(c, sql.c_str());
        auto st = PQresultStatus(r);
        std::string err = PQresultErrorMessage(r);
        PQclear(r);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error("PostgreSQL: " + err);
    }
    // One text value of the first row, or nullopt without rows.
    std::optional<std::string> value(const char* sql, const std::vector<std::string>& params) {
        std::vector<const char*> p;
        for (auto& s : params) p.push_back(s.c_str());
        PGresult* r = PQexecParams(c, sql, static_cast<int>(p.size()), nullptr, p.data(), nullptr, nullptr, 0);
        if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
            std::string err = PQresultErrorMessage(r);
            PQclear(r);
            throw std::runtime_error("PostgreSQL: " + err);
        }
        std::optional<std::string> v;
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) v = PQgetvalue(r, 0, 0);
        PQclear(r);
        return v;
    }
};

// COPY ... FROM STDIN in text format, buffered.
class CopyWriter {
public:
    CopyWriter(PgConn& pg, const std::string& copy_sql) : pg_(pg) {
        PGresult* r = PQexec(pg_.c, copy_sql.c_str());
        bool ok = PQresultStatus(r) == PGRES_COPY_IN;
        std::string err = PQresultErrorMessage(r);
        PQclear(r);
        if (!ok) throw std::runtime_error("PostgreSQL COPY: " + err);
    }
    void field(const std::optional<std::string>& v) { put(v ? std::string_view(*v) : std::string_view(), !v); }
    void field(const std::string& v) { put(v, false); }
    void field(const char* v) { put(v, false); }

private:
    void put(std::string_view v, bool null) {
        if (!first_) buf_ += '\t';
        first_ = false;
        if (null) {
            buf_ += "\\N";
            return;
        }
        for (char ch : v) {
            switch (ch) {
                case '\\': buf_ += "\\\\"; break;
                case '\t': buf_ += "\\t"; break;
                case '\n': buf_ += "\\n"; break;
                case '\r': buf_ += "\\r"; break;
                default: buf_ += ch;
            }
        }
    }

public:
    void end_row() {
        buf_ += '\n';
        first_ = true;
        if (buf_.size() > (1 << 20)) flush();
    }
    void finish() {
        flush();
        if (PQputCopyEnd(pg_.c, nullptr) != 1) throw std::runtime_error(std::string("COPY end: ") + PQerrorMessage(pg_.c));
        PGresult* r = PQgetResult(pg_.c);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        std::string err = PQresultErrorMessage(r);
        PQclear(r);
        while ((r = PQgetResult(pg_.c))) PQclear(r);
        if (!ok) throw std::runtime_error("PostgreSQL COPY: " + err);
    }

private:
    void flush() {
        if (!buf_.empty() && PQputCopyData(pg_.c, buf_.data(), static_cast<int>(buf_.size())) != 1)
            throw std::runtime_error(std::string("COPY data: ") + PQerrorMessage(pg_.c));
        buf_.clear();
    }
    PgConn& pg_;
    std::string buf_;
    bool first_ = true;
};

// ---- SQLite: one prepared INSERT per table -----------------------------------------------------

struct Sqlite {
    sqlite3* db = nullptr;
    explicit Sqlite(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            throw std::runtime_error("SQLite: cannot open " + path);
        sqlite3_busy_timeout(db, 10000);
        exec("PRAGMA foreign_keys = ON");
        crm::detail::register_sqlite_functions(db);  // the search index's triggers call crm_fold
        // Random-order inserts into a dozen indexes and the search index: with SQLite's default
        // 2 MB page cache, most of the time would go to evicting and re-reading pages.
        exec("PRAGMA cache_size = -524288");
    }
    ~Sqlite() { sqlite3_close(db); }
    Sqlite(const Sqlite&) = delete;
    Sqlite& operator=(const Sqlite&) = delete;
    void exec(const char* sql) {
        if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
    }
};

struct Stmt {
    sqlite3_stmt* st = nullptr;
    sqlite3* db;
    Stmt(Sqlite& s, const char* sql) : db(s.db) {
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("SQLite: ") + sqlite3_errmsg(db));
    }
    ~Stmt() { sqlite3_finalize(st); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    void text(int i, const std::optional<std::string>& v) {
        if (v) sqlite3_bind_text(st, i, v->data(), static_cast<int>(v->size()), SQLITE_TRANSIENT);
        else sqlite3_bind_null(st, i);
    }
    void run() {
        if (sqlite3_step(st) != SQLITE_DONE) throw std::runtime_error(std::string("SQLite insert: ") + sqlite3_errmsg(db));
        sqlite3_reset(st);
    }
};

// ---- the two schemas ---------------------------------------------------------------------------

constexpr const char* lead_columns = R"(id, title, description, status, source, "ownerId", metadata, "createdAt", "updatedAt")";
constexpr const char* activity_columns = R"(id, "leadId", type, body, "createdBy", "createdAt", "updatedAt")";

// Users of the libcrm schema, through the library's own store (its SQL, its validity rules).
void insert_users_libcrm(Database& db, const Options& o, const std::vector<SeedUser>& users) {
    detail::PasswordHasher hasher(o.password_cost == "min" ? crypto_pwhash_OPSLIMIT_MIN : 0,
                                  o.password_cost == "min" ? crypto_pwhash_MEMLIMIT_MIN : 0, 1);
    const std::string hash = hasher.hash(o.password);  // one salt for all: it is a benchmark
    detail::in_transaction(detail::impl_of(db), detail::Transaction::Mode::write, [&](detail::Lease& lease) {
        for (const auto& u : users) {
            if (detail::user_store::find_by_email(lease, u.email))
                throw std::runtime_error("user " + u.email + " already exists: seed an empty database");
            detail::user_store::insert(lease, User{u.id, u.name, u.email, u.role, u.created_at, u.created_at}, hash);
        }
    });
}

// Users of the Node schema: every one gets the bcrypt hash of the ADMIN Node created at start.
void insert_users_node(PgConn& pg, const Options& o, const std::vector<SeedUser>& users) {
    auto hash = pg.value(R"(SELECT password FROM "Users" WHERE email = $1)", {o.admin_email});
    if (!hash)
        throw std::runtime_error("no user " + o.admin_email +
                                 " in the Node database: start the Node backend first with CRM_ADMIN_EMAIL=" +
                                 o.admin_email + " and CRM_ADMIN_PASSWORD=<--password>");
    for (const auto& u : users) {
        if (u.email == o.admin_email) continue;  // Node's own bootstrap ADMIN stays as it is
        auto at = format_timestamp(u.created_at);
        auto inserted = pg.value(R"(INSERT INTO "Users" (id, name, email, password, role, "createdAt", "updatedAt")
                                    VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (email) DO NOTHING RETURNING id)",
                                 {u.id.to_string(), u.name, u.email, *hash, std::string(to_string(u.role)), at});
        if (!inserted) throw std::runtime_error("user " + u.email + " already exists: seed an empty database");
    }
}

struct Counts {
    long long leads = 0, activities = 0;
};

template <class Sink>
Counts generate(const Options& o, const Generator& gen, std::vector<std::string>& sample, Sink&& sink) {
    Counts n;
    LeadRow lead;
    std::vector<ActivityRow> acts;
    const long long every = std::max(1LL, o.leads / std::max(1LL, o.ids_sample));
    for (long long i = 0; i < o.leads; ++i) {
        gen.lead(i, lead, acts);
        sink(lead, acts);
        ++n.leads;
        n.activities += static_cast<long long>(acts.size());
        if (i % every == 0 && static_cast<long long>(sample.size()) < o.ids_sample) sample.push_back(lead.id.to_string());
    }
    return n;
}

Counts load_postgresql(PgConn& pg, const Options& o, const Generator& gen, std::vector<std::string>& sample) {
    // Leads first (activities reference them), each table in one COPY; one transaction in all.
    pg.exec("BEGIN");
    // Foreign-key triggers cost ~40 % of the load. A superuser may skip them for this transaction
    // (replica mode); the rows reference users and leads inserted before them, and that is
    // checked below, in one anti-join per key instead of one lookup per row.
    const bool skip_fk_triggers = pg.value("SELECT rolsuper::text FROM pg_roles WHERE rolname = current_user", {}) == "true";
    if (skip_fk_triggers) pg.exec("SET LOCAL session_replication_role = replica");
    Counts n;
    {
        CopyWriter leads(pg, std::string(R"(COPY "Leads" ()") + lead_columns + ") FROM STDIN");
        n = generate(o, gen, sample, [&](const LeadRow& l, const std::vector<ActivityRow>&) {
            leads.field(l.id.to_string());
            leads.field(l.title);
            leads.field(l.description);
            leads.field(l.status);
            leads.field(l.source);
            leads.field(l.owner->id.to_string());
            leads.field(l.metadata);
            leads.field(format_timestamp(l.created_at));
            leads.field(format_timestamp(l.updated_at));
            leads.end_row();
        });
        leads.finish();
    }
    if (o.activities > 0) {
        std::vector<std::string> ignored;
        CopyWriter acts(pg, std::string(R"(COPY "Activities" ()") + activity_columns + ") FROM STDIN");
        Options no_sample = o;
        no_sample.ids_sample = 1;
        generate(no_sample, gen, ignored, [&](const LeadRow& l, const std::vector<ActivityRow>& as) {
            for (const auto& a : as) {
                auto at = format_timestamp(a.created_at);
                acts.field(a.id.to_string());
                acts.field(l.id.to_string());
                acts.field(a.type);
                acts.field(a.body);
                acts.field(l.owner->id.to_string());
                acts.field(at);
                acts.field(at);
                acts.end_row();
            }
        });
        acts.finish();
    }
    if (skip_fk_triggers) {
        pg.exec("SET LOCAL session_replication_role = origin");
        auto orphans = pg.value(R"(SELECT (SELECT count(*) FROM "Leads" l WHERE l."ownerId" IS NOT NULL
                                     AND NOT EXISTS (SELECT 1 FROM "Users" u WHERE u.id = l."ownerId"))
                                 + (SELECT count(*) FROM "Activities" a WHERE NOT EXISTS
                                     (SELECT 1 FROM "Leads" l WHERE l.id = a."leadId"))
                                 + (SELECT count(*) FROM "Activities" a WHERE a."createdBy" IS NOT NULL
                                     AND NOT EXISTS (SELECT 1 FROM "Users" u WHERE u.id = a."createdBy")))",
                                {});
        if (orphans != "0") throw std::runtime_error("the loaded rows break a foreign key (rolled back)");
    }
    // Flushed at commit whatever the server's synchronous_commit (the benchmarks' throw-away
    // server runs with it off): VACUUM may set hint bits, and so mark pages all-visible, only
    // for a transaction whose commit record is on disk. Without this the visibility map stayed
    // empty and every count read the heap instead of an index alone.
    pg.exec("SET LOCAL synchronous_commit = on");
    pg.exec("COMMIT");
    // What autovacuum would do soon anyway: statistics and the visibility map for the planner.
    // VACUUM marks a page all-visible only when no transaction that began before the load is
    // still open anywhere in the server; an autovacuum worker's ANALYZE that started during the
    // load can hold that horizon back for a while, and VACUUM then leaves the map empty without
    // a word (every count would read the heap). So check the map and try again until it is set.
    for (const char* table : {"Users", "Leads", "Activities"}) {
        pg.exec(std::string("VACUUM ANALYZE \"") + table + "\"");
        for (int attempt = 0; attempt < 60; ++attempt) {
            auto missing = pg.value("SELECT relpages - relallvisible FROM pg_class WHERE oid = $1::regclass",
                                    {std::string("\"") + table + "\""});
            if (missing && std::stoll(*missing) <= 0) break;
            std::fprintf(stderr, "crm_seed: %s: %s pages not all-visible after VACUUM: again in 0.5 s\n", table, missing->c_str());
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            pg.exec(std::string("VACUUM \"") + table + "\"");
        }
    }
    return n;
}

Counts load_sqlite(const std::string& path, const Options& o, const Generator& gen, std::vector<std::string>& sample) {
    Sqlite db(path);
    Stmt lead_st(db, (std::string(R"(INSERT INTO "Leads" ()") + lead_columns + ") VALUES (?,?,?,?,?,?,?,?,?)").c_str());
    Stmt act_st(db, (std::string(R"(INSERT INTO "Activities" ()") + activity_columns + ") VALUES (?,?,?,?,?,?,?)").c_str());
    long long in_tx = 0;
    db.exec("BEGIN IMMEDIATE");
    Counts n = generate(o, gen, sample, [&](const LeadRow& l, const std::vector<ActivityRow>& as) {
        std::string id = l.id.to_string(), owner = l.owner->id.to_string();
        lead_st.text(1, id);
        lead_st.text(2, l.title);
        lead_st.text(3, l.description);
        lead_st.text(4, std::string(l.status));
        lead_st.text(5, l.source);
        lead_st.text(6, owner);
        lead_st.text(7, l.metadata);
        lead_st.text(8, format_timestamp(l.created_at));
        lead_st.text(9, format_timestamp(l.updated_at));
        lead_st.run();
        for (const auto& a : as) {
            auto at = format_timestamp(a.created_at);
            act_st.text(1, a.id.to_string());
            act_st.text(2, id);
            act_st.text(3, std::string(a.type));
            act_st.text(4, a.body);
            act_st.text(5, owner);
            act_st.text(6, at);
            act_st.text(7, at);
            act_st.run();
        }
        // Commit now and then: one huge transaction would grow the WAL file without bound.
        if (++in_tx == 50000) {
            db.exec("COMMIT");
            db.exec("BEGIN IMMEDIATE");
            in_tx = 0;
        }
    });
    db.exec("COMMIT");
    return n;
}

Timestamp end_time(const Options& o) {
    if (o.end_at.empty()) return std::chrono::floor<std::chrono::minutes>(now());
    auto t = parse_timestamp(o.end_at);
    if (!t) {
        std::fprintf(stderr, "crm_seed: --end-at must be an RFC 3339 time such as 2026-12-01T00:00:00.000Z\n");
        usage(2);
    }
    return *t;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
    std::ofstream out(path);
    for (const auto& l : lines) out << l << '\n';
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) try {
    Options o = parse_args(argc, argv);
    Generator gen(o, end_time(o));
    const bool sqlite = o.url.rfind("sqlite:", 0) == 0;
    if (o.schema == "node" && sqlite) {
        std::fprintf(stderr, "crm_seed: --schema node needs a postgresql:// URL\n");
        return 2;
    }
    auto started = Clock::now();
    std::vector<std::string> sample;
    Counts n;
    if (o.schema == "libcrm") {
        {
            auto db = Database::open(o.url, DatabaseOptions{1, std::chrono::milliseconds(10000), std::chrono::milliseconds(10000)});
            db.migrate();
            insert_users_libcrm(db, o, gen.users());
        }  // the pool is closed before the bulk load
        if (sqlite) {
            n = load_sqlite(o.url.substr(std::strlen("sqlite:")), o, gen, sample);
        } else {
            PgConn pg(o.url);
            n = load_postgresql(pg, o, gen, sample);
        }
    } else {
        PgConn pg(o.url);
        pg.exec("BEGIN");
        insert_users_node(pg, o, gen.users());
        pg.exec("COMMIT");
        n = load_postgresql(pg, o, gen, sample);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    long long rows = static_cast<long long>(gen.users().size()) + n.leads + n.activities;
    std::printf("crm_seed: %s schema, %zu users, %lld leads, %lld activities: %lld rows in %.2f s (%.0f rows/s)\n",
                o.schema.c_str(), gen.users().size(), n.leads, n.activities, rows, seconds, rows / seconds);
    if (!o.ids_out.empty()) write_lines(o.ids_out, sample);
    if (!o.users_out.empty()) {
        std::vector<std::string> lines;
        for (const auto& u : gen.users()) lines.push_back(u.email + " " + std::string(to_string(u.role)) + " " + u.id.to_string());
        write_lines(o.users_out, lines);
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "crm_seed: %s\n", e.what());
    return 1;
}
