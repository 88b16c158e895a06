// The schema, as numbered migrations embedded in the library. Each migration has its SQLite and
// its PostgreSQL form side by side; migrate() applies the missing ones, each in a transaction,
// and records them in "SchemaMigrations". Append new migrations; never edit an applied one.
#include "db.hpp"

#include <array>
#include <string_view>

namespace crm {
inline namespace v1 {

namespace {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sqlite;
    std::string_view postgresql;
};

// Names follow the Sequelize seed: quoted camelCase columns, plural table names.
constexpr std::array<Migration, 5> migrations{{
    {1, "initial schema",
     // ---- SQLite --------------------------------------------------------------------------
     R"sql(
CREATE TABLE "Users" (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  name TEXT NOT NULL CHECK (length(name) <= 255),
  email TEXT NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  password TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'SALES' CHECK (role IN ('ADMIN', 'MANAGER', 'SALES')),
  "createdAt" TEXT NOT NULL,
  "updatedAt" TEXT NOT NULL
);
CREATE UNIQUE INDEX "Users_email_ci" ON "Users" (lower(email));
CREATE INDEX "Users_createdAt" ON "Users" ("createdAt", id);
CREATE INDEX "Users_role" ON "Users" (role);

CREATE TABLE "Leads" (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  title TEXT NOT NULL CHECK (length(trim(title)) > 0 AND length(title) <= 255),
  description TEXT,
  status TEXT NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'CONTACTED', 'QUALIFIED', 'CLOSED')),
  source TEXT CHECK (length(source) <= 255),
  "ownerId" TEXT REFERENCES "Users" (id) ON DELETE SET NULL,
  metadata TEXT CHECK (metadata IS NULL OR (json_valid(metadata) AND json_type(metadata) = 'object')),
  "createdAt" TEXT NOT NULL,
  "updatedAt" TEXT NOT NULL
);
CREATE INDEX "Leads_ownerId_createdAt" ON "Leads" ("ownerId", "createdAt", id);
CREATE INDEX "Leads_createdAt" ON "Leads" ("createdAt", id);

CREATE TABLE "Activities" (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  "leadId" TEXT NOT NULL REFERENCES "Leads" (id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('NOTE', 'CALL', 'EMAIL')),
  body TEXT,
  "createdBy" TEXT REFERENCES "Users" (id) ON DELETE SET NULL,
  "createdAt" TEXT NOT NULL,
  "updatedAt" TEXT NOT NULL
);
CREATE INDEX "Activities_leadId_createdAt" ON "Activities" ("leadId", "createdAt", id);
CREATE INDEX "Activities_createdBy" ON "Activities" ("createdBy");

CREATE TABLE "RefreshTokens" (
  id TEXT PRIMARY KEY NOT NULL CHECK (length(id) = 36),
  "userId" TEXT NOT NULL REFERENCES "Users" (id) ON DELETE CASCADE,
  token TEXT NOT NULL UNIQUE,
  "expiresAt" TEXT NOT NULL,
  "revokedAt" TEXT,
  "replacedBy" TEXT REFERENCES "RefreshTokens" (id) ON DELETE SET NULL,
  "createdAt" TEXT NOT NULL,
  "updatedAt" TEXT NOT NULL
);
CREATE INDEX "RefreshTokens_userId" ON "RefreshTokens" ("userId");
)sql",
     // ---- PostgreSQL ----------------------------------------------------------------------
     R"sql(
CREATE TABLE "Users" (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) <= 255),
  email text NOT NULL CHECK (char_length(email) BETWEEN 3 AND 254),
  password text NOT NULL,
  role text NOT NULL DEFAULT 'SALES' CHECK (role IN ('ADMIN', 'MANAGER', 'SALES')),
  "createdAt" timestamptz NOT NULL,
  "updatedAt" timestamptz NOT NULL
);
CREATE UNIQUE INDEX "Users_email_ci" ON "Users" (lower(email));
CREATE INDEX "Users_createdAt" ON "Users" ("createdAt", id);
CREATE INDEX "Users_role" ON "Users" (role);

CREATE TABLE "Leads" (
  id uuid PRIMARY KEY,
  title text NOT NULL CHECK (char_length(btrim(title)) > 0 AND char_length(title) <= 255),
  description text,
  status text NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'CONTACTED', 'QUALIFIED', 'CLOSED')),
  source text CHECK (char_length(source) <= 255),
  "ownerId" uuid REFERENCES "Users" (id) ON DELETE SET NULL,
  metadata jsonb CHECK (metadata IS NULL OR jsonb_typeof(metadata) = 'object'),
  "createdAt" timestamptz NOT NULL,
  "updatedAt" timestamptz NOT NULL
);
CREATE INDEX "Leads_ownerId_createdAt" ON "Leads" ("ownerId", "createdAt", id);
CREATE INDEX "Leads_createdAt" ON "Leads" ("createdAt", id);

CREATE TABLE "Activities" (
  id uuid PRIMARY KEY,
  "leadId" uuid NOT NULL REFERENCES "Leads" (id) ON DELETE CASCADE,
  type text NOT NULL CHECK (type IN ('NOTE', 'CALL', 'EMAIL')),
  body text,
  "createdBy" uuid REFERENCES "Users" (id) ON DELETE SET NULL,
  "createdAt" timestamptz NOT NULL,
  "updatedAt" timestamptz NOT NULL
);
CREATE INDEX "Activities_leadId_createdAt" ON "Activities" ("leadId", "createdAt", id);
CREATE INDEX "Activities_createdBy" ON "Activities" ("createdBy");

CREATE TABLE "RefreshTokens" (
  id uuid PRIMARY KEY,
  "userId" uuid NOT NULL REFERENCES "Users" (id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE,
  "expiresAt" timestamptz NOT NULL,
  "revokedAt" timestamptz,
  "replacedBy" uuid REFERENCES "RefreshTokens" (id) ON DELETE SET NULL,
  "createdAt" timestamptz NOT NULL,
  "updatedAt" timestamptz NOT NULL
);
CREATE INDEX "RefreshTokens_userId" ON "RefreshTokens" ("userId");
)sql"},
    {2, "list indexes and case folding",
     // ---- SQLite --------------------------------------------------------------------------
     // Every lead sort (key, id) has an index for the ordered scan that stops after a page, with
     // and without the owner first (the SALES scope, the ownerId filter); the status sort uses the
     // same CASE text as lead_store.cpp. ("status", "ownerId") answers counts by status, for
     // everyone and for one owner, from the index alone. crm_fold() is registered on each
     // connection (database.cpp), not stored in the schema.
     R"sql(
CREATE INDEX "Leads_updatedAt" ON "Leads" ("updatedAt", id);
CREATE INDEX "Leads_title" ON "Leads" (title, id);
CREATE INDEX "Leads_statusRank" ON "Leads" ((CASE status WHEN 'NEW' THEN 0 WHEN 'CONTACTED' THEN 1 WHEN 'QUALIFIED' THEN 2 ELSE 3 END), id);
CREATE INDEX "Leads_ownerId_updatedAt" ON "Leads" ("ownerId", "updatedAt", id);
CREATE INDEX "Leads_ownerId_title" ON "Leads" ("ownerId", title, id);
CREATE INDEX "Leads_ownerId_statusRank" ON "Leads" ("ownerId", (CASE status WHEN 'NEW' THEN 0 WHEN 'CONTACTED' THEN 1 WHEN 'QUALIFIED' THEN 2 ELSE 3 END), id);
CREATE INDEX "Leads_status_ownerId" ON "Leads" (status, "ownerId");
CREATE INDEX "Leads_source" ON "Leads" (source);
)sql",
     // ---- PostgreSQL ----------------------------------------------------------------------
     // As on SQLite, titles in the "C" collation (code point order, as the list sorts them).
     // crm_fold(): Unicode lower-casing by ICU's root locale whatever the database's locale, then
     // the characters whose simple case folding differs from their lower case (final sigma, long
     // s, ...; scripts/gen_casefold.py lists them). The pg_trgm indexes on it are made by
     // search_indexes() below when the extension is available.
     R"sql(
CREATE INDEX "Leads_updatedAt" ON "Leads" ("updatedAt", id);
CREATE INDEX "Leads_title" ON "Leads" (title COLLATE "C", id);
CREATE INDEX "Leads_statusRank" ON "Leads" ((CASE status WHEN 'NEW' THEN 0 WHEN 'CONTACTED' THEN 1 WHEN 'QUALIFIED' THEN 2 ELSE 3 END), id);
CREATE INDEX "Leads_ownerId_updatedAt" ON "Leads" ("ownerId", "updatedAt", id);
CREATE INDEX "Leads_ownerId_title" ON "Leads" ("ownerId", title COLLATE "C", id);
CREATE INDEX "Leads_ownerId_statusRank" ON "Leads" ("ownerId", (CASE status WHEN 'NEW' THEN 0 WHEN 'CONTACTED' THEN 1 WHEN 'QUALIFIED' THEN 2 ELSE 3 END), id);
CREATE INDEX "Leads_status_ownerId" ON "Leads" (status, "ownerId");
CREATE INDEX "Leads_source" ON "Leads" (source);
)sql"},
    {3, "login throttling",
     // One row per throttled key: the BLAKE2b-256 (hex) of an email or of a client address, never
     // the text itself; failures in the current window; when that window ends, in milliseconds
     // since the Unix epoch (an integer on both engines, compared with the servers' clock). Rows
     // whose window has ended mean nothing and are deleted as logins go (see login_throttle_store).
     // ---- SQLite --------------------------------------------------------------------------
     R"sql(
CREATE TABLE "LoginThrottles" (
  key TEXT PRIMARY KEY NOT NULL CHECK (length(key) = 64),
  failures INTEGER NOT NULL CHECK (failures > 0),
  "windowEnd" INTEGER NOT NULL
);
CREATE INDEX "LoginThrottles_windowEnd" ON "LoginThrottles" ("windowEnd");
)sql",
     // ---- PostgreSQL ----------------------------------------------------------------------
     R"sql(
CREATE TABLE "LoginThrottles" (
  key text PRIMARY KEY CHECK (char_length(key) = 64),
  failures integer NOT NULL CHECK (failures > 0),
  "windowEnd" bigint NOT NULL
);
CREATE INDEX "LoginThrottles_windowEnd" ON "LoginThrottles" ("windowEnd");
)sql"},
    {4, "search index on SQLite",
     // ---- SQLite --------------------------------------------------------------------------
     // The q search (a case-insensitive substring of title or description) from an FTS5 trigram
     // index instead of a scan of every lead. FTS5 keys its rows by an integer rowid and "Leads"
     // is keyed by a text id whose implicit rowid VACUUM may renumber, so "LeadSearchRows" gives
     // each lead a stable integer (an INTEGER PRIMARY KEY), and the index is contentless: it
     // holds the trigrams of crm_fold(title) and crm_fold(description) and no copy of the text.
     // Searching the folded text with a folded phrase, case-sensitively, is exactly
     // `crm_fold(column) LIKE '%' || crm_fold(q) || '%'` (lead_store.cpp); the triggers keep the
     // index in step with every write, whoever makes it. Deleting from a contentless index needs
     // the values that were indexed: crm_fold must stay deterministic, and a change to its table
     // needs a migration that rebuilds this index.
     R"sql(
CREATE TABLE "LeadSearchRows" (
  rowid INTEGER PRIMARY KEY,
  "leadId" TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE "LeadSearch" USING fts5(title, description, content='', tokenize='trigram case_sensitive 1');
INSERT INTO "LeadSearchRows" ("leadId") SELECT id FROM "Leads";
INSERT INTO "LeadSearch" (rowid, title, description)
  SELECT r.rowid, crm_fold(l.title), crm_fold(l.description) FROM "LeadSearchRows" r JOIN "Leads" l ON l.id = r."leadId";
CREATE TRIGGER "Leads_search_insert" AFTER INSERT ON "Leads" BEGIN
  INSERT INTO "LeadSearchRows" ("leadId") VALUES (NEW.id);
  INSERT INTO "LeadSearch" (rowid, title, description)
    VALUES ((SELECT rowid FROM "LeadSearchRows" WHERE "leadId" = NEW.id), crm_fold(NEW.title), crm_fold(NEW.description));
END;
CREATE TRIGGER "Leads_search_update" AFTER UPDATE OF title, description ON "Leads" BEGIN
  INSERT INTO "LeadSearch" ("LeadSearch", rowid, title, description)
    VALUES ('delete', (SELECT rowid FROM "LeadSearchRows" WHERE "leadId" = OLD.id), crm_fold(OLD.title), crm_fold(OLD.description));
  INSERT INTO "LeadSearch" (rowid, title, description)
    VALUES ((SELECT rowid FROM "LeadSearchRows" WHERE "leadId" = NEW.id), crm_fold(NEW.title), crm_fold(NEW.description));
END;
CREATE TRIGGER "Leads_search_delete" AFTER DELETE ON "Leads" BEGIN
  INSERT INTO "LeadSearch" ("LeadSearch", rowid, title, description)
    VALUES ('delete', (SELECT rowid FROM "LeadSearchRows" WHERE "leadId" = OLD.id), crm_fold(OLD.title), crm_fold(OLD.description));
  DELETE FROM "LeadSearchRows" WHERE "leadId" = OLD.id;
END;
)sql",
     // ---- PostgreSQL ----------------------------------------------------------------------
     // Nothing: PostgreSQL searches with the pg_trgm indexes of migration 2.
     ""},
    {5, "stored folded search text on PostgreSQL",
     // ---- SQLite --------------------------------------------------------------------------
     // Nothing: SQLite searches its FTS5 index of migration 4.
     "",
     // ---- PostgreSQL ----------------------------------------------------------------------
     // The folded title and description, stored: a search compares each candidate row's folded
     // text with the pattern, and folding it there (crm_fold: ICU lower() and translate()) cost
     // about 6 µs a row: a page of a common word in cursor mode, which walks the sort index and
     // filters, took 12–17× an unfiltered page at 1,000,000 leads, and a search's count rechecked
     // every match the same way. Generated columns follow every write, whoever makes it. The
     // trigram indexes move onto them (search_indexes() below).
     R"sql(
DROP INDEX IF EXISTS "Leads_title_trgm";
DROP INDEX IF EXISTS "Leads_description_trgm";
ALTER TABLE "Leads"
  ADD COLUMN "titleFolded" text GENERATED ALWAYS AS (crm_fold(title)) STORED,
  ADD COLUMN "descriptionFolded" text GENERATED ALWAYS AS (crm_fold(description)) STORED;
)sql"},
}};

constexpr std::string_view create_ledger = R"sql(
CREATE TABLE IF NOT EXISTS "SchemaMigrations" (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  "appliedAt" TEXT NOT NULL
))sql";

// Runs a script of several statements one at a time (SOCI executes one statement per call).
// Statements end at ';', except that a CREATE TRIGGER runs to the ';' after its END (its body
// holds statements of its own). The scripts are ours: no ';' inside a string literal.
void run_script(soci::session& sql, std::string_view script) {
    std::size_t start = 0;
    while (start < script.size()) {
        std::size_t begin = script.find_first_not_of(" \n\t\r", start);
        if (begin == std::string_view::npos) break;
        std::size_t end = script.substr(begin).starts_with("CREATE TRIGGER") ? script.find("\nEND;", begin)
                                                                              : script.find(';', begin);
        if (end != std::string_view::npos && script[end] == '\n') end += 4;  // past "\nEND" to its ';'
        if (end == std::string_view::npos) end = script.size();
        sql << std::string(script.substr(begin, end - begin));
        start = end + 1;
    }
}

bool is_applied(soci::session& sql, int version) {
    int count = 0;
    sql << R"(SELECT count(*) FROM "SchemaMigrations" WHERE version = :v)", soci::use(version), soci::into(count);
    return count > 0;
}

// Migration 2 on PostgreSQL, the part that depends on the server: crm_fold() uses ICU's root
// locale where the server has ICU, else the database's own lower().
void fold_function(soci::session& sql) {
    int icu = 0;
    sql << "SELECT count(*) FROM pg_collation WHERE collname = 'und-x-icu' AND collprovider = 'i'", soci::into(icu);
    const std::string lowered = icu ? R"(lower(t COLLATE "und-x-icu"))" : "lower(t)";
    sql << "CREATE FUNCTION crm_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN translate(" +
               lowered + ", 'µſͅςϐϑϕϖϰϱϵᲀᲁᲂᲃᲄᲅᲆᲇᲈẛι', 'μsισβθφπκρεвдосттъѣꙋṡι')";
}

// Creates `extension` unless it exists, when this role may (pg_trgm and btree_gin are trusted from
// PostgreSQL 13: a database owner may); true when it is there afterwards. Never fails the
// migration: without it the search stays correct, only slower.
bool try_extension(soci::session& sql, const std::string& extension) {
    sql << "SAVEPOINT crm_extension";
    try {
        sql << "CREATE EXTENSION IF NOT EXISTS " + extension;
        sql << "RELEASE SAVEPOINT crm_extension";
    } catch (const soci::soci_error&) {
        sql << "ROLLBACK TO SAVEPOINT crm_extension";  // not allowed or not installed: go on without
    }
    int present = 0;
    sql << "SELECT count(*) FROM pg_extension WHERE extname = :name", soci::use(extension), soci::into(present);
    return present > 0;
}

// q searches get pg_trgm GIN indexes where the extension can be had; without it the search stays
// a sequential scan, correct but slow (docs/performance.md says how to add the indexes later).
// Migration 2 indexed crm_fold(title) and crm_fold(description). Migration 5 indexes the stored
// folded columns and, where btree_gin can be had too, puts "ownerId" in the same index: a SALES
// user's search (owner = me AND text LIKE ...) then finds its rows in one index instead of
// intersecting the owner's whole bitmap with the word's (at 1,000,000 leads a common word's count
// for one owner went from about 55 to 22 ms); a search without an owner uses the text column of
// the same index, as a GIN index serves any subset of its columns.
void search_indexes(soci::session& sql, const std::string& title, const std::string& description, bool with_owner) {
    if (!try_extension(sql, "pg_trgm")) return;
    const std::string owner = with_owner && try_extension(sql, "btree_gin") ? R"("ownerId", )" : "";
    sql << R"(CREATE INDEX "Leads_title_trgm" ON "Leads" USING gin ()" + owner + title + " gin_trgm_ops)";
    sql << R"(CREATE INDEX "Leads_description_trgm" ON "Leads" USING gin ()" + owner + description + " gin_trgm_ops)";
}

// What a migration runs on PostgreSQL besides its script.
void postgresql_steps(soci::session& sql, int version) {
    if (version == 2) {
        fold_function(sql);
        search_indexes(sql, "crm_fold(title)", "crm_fold(description)", false);
    } else if (version == 5) {
        search_indexes(sql, R"("titleFolded")", R"("descriptionFolded")", true);
    }
}

int applied_version(soci::session& sql) {
    int version = 0;
    soci::indicator ind = soci::i_null;
    sql << R"(SELECT max(version) FROM "SchemaMigrations")", soci::into(version, ind);
    return ind == soci::i_ok ? version : 0;
}

}  // namespace

int Database::latest_schema_version() noexcept { return migrations.back().version; }

void Database::migrate() {
    detail::with_lease(*impl_, [](detail::Lease& lease) {
        auto& sql = lease.sql();
        // Serialise concurrent migrators: on PostgreSQL a session advisory lock around the whole
        // run; on SQLite each BEGIN IMMEDIATE holds the write lock.
        bool pg = detail::is_postgresql(lease);
        if (pg) sql << "SELECT pg_advisory_lock(7243501)";
        struct Unlock {
            soci::session& sql;
            bool pg;
            ~Unlock() {
                try {
                    if (pg) sql << "SELECT pg_advisory_unlock(7243501)";
                } catch (...) {  // the session is discarded as broken by the caller's translation
                }
            }
        } unlock{sql, pg};
        sql << std::string(create_ledger);
        for (const auto& m : migrations) {
            detail::Transaction tx(lease, detail::Transaction::Mode::write);
            // Each migration is applied unless recorded (not "unless a later one is"): versions
            // developed on parallel branches may land in a database in either order.
            if (is_applied(sql, m.version)) continue;  // tx rolls back: nothing to do
            run_script(sql, pg ? m.postgresql : m.sqlite);
            if (pg) postgresql_steps(sql, m.version);
            std::string name(m.name), applied = format_timestamp(now());
            int version = m.version;
            sql << R"(INSERT INTO "SchemaMigrations" (version, name, "appliedAt") VALUES (:v, :n, :a))",
                soci::use(version), soci::use(name), soci::use(applied);
            tx.commit();
        }
    });
}

int Database::schema_version() {
    return detail::with_lease(*impl_, [](detail::Lease& lease) { return detail::applied_schema_version(lease); });
}

}  // namespace v1

namespace detail {

int applied_schema_version(Lease& lease) {
    auto& sql = lease.sql();
    // An empty database has no ledger yet: that is version 0, not an error.
    int tables = 0;
    if (is_postgresql(lease))
        sql << "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
               "AND table_name = 'SchemaMigrations'",
            soci::into(tables);
    else
        sql << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'SchemaMigrations'", soci::into(tables);
    return tables ? applied_version(sql) : 0;
}

}  // namespace detail
}  // namespace crm
