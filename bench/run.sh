#!/usr/bin/env bash
# Runs the core benchmarks:
#   1. crm_bench on SQLite and on a throw-away PostgreSQL (each service call beside the bare SOCI
#      statement doing the same database work);
#   2. crm_bench_lists on a SQLite file seeded by crm_seed (lists, deep cursor pages and search
#      through the library, beside raw sqlite3 code running the same statements);
#   3. crm_bench_lists on PostgreSQL seeded with more leads (deep cursor pages, search beside an
#      unfiltered page), with the plans of the search and of a deep cursor page.
# Results are ratios measured side by side.
# Usage: bench/run.sh [SQLite leads, default 100000] [PostgreSQL leads, default 1000000]
#        (0 SQLite leads: only part 3; 0 PostgreSQL leads: only parts 1 and 2)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
leads=${1:-100000}
pg_leads=${2:-1000000}
[[ $leads =~ ^[0-9]+$ && $pg_leads =~ ^[0-9]+$ ]] || { echo "usage: bench/run.sh [sqlite-leads] [postgresql-leads]" >&2; exit 2; }
make build >/dev/null
if [ "$leads" -gt 0 ]; then
  build/bench/crm_bench
  bash scripts/with-postgres.sh bash -c 'build/bench/crm_bench "$CRM_TEST_PG_URL"'

  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  build/bench/crm_seed --url "sqlite:$work/lists.db" --leads "$leads" --owners 20 --activities 0
  build/bench/crm_bench_lists "$work/lists.db"
fi
[ "$pg_leads" -gt 0 ] || exit 0

PG_LEADS=$pg_leads bash scripts/with-postgres.sh bash -c '
  set -euo pipefail
  build/bench/crm_seed --url "$CRM_TEST_PG_URL" --leads "$PG_LEADS" --owners 50 --activities 0
  build/bench/crm_bench_lists "$CRM_TEST_PG_URL"
  echo
  echo "PostgreSQL plans (EXPLAIN ANALYZE, after the runs above):"
  psql -X -q -d "$CRM_TEST_PG_URL" <<\SQL
\pset pager off
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)
SELECT id, (SELECT count(*) FROM "Leads" WHERE "titleFolded" LIKE crm_fold($$%acme%$$) ESCAPE $$!$$
                                            OR "descriptionFolded" LIKE crm_fold($$%acme%$$) ESCAPE $$!$$)
FROM "Leads" WHERE "titleFolded" LIKE crm_fold($$%acme%$$) ESCAPE $$!$$ OR "descriptionFolded" LIKE crm_fold($$%acme%$$) ESCAPE $$!$$
ORDER BY "createdAt" DESC, id DESC LIMIT 21;
-- A cursor page 200 pages (of 20) deep, newest first: a range on the ("createdAt", id) index.
CREATE TEMP TABLE deep AS SELECT "createdAt", id FROM "Leads" ORDER BY "createdAt" DESC, id DESC OFFSET 3999 LIMIT 1;
SELECT format($f$EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM "Leads" WHERE ("createdAt", id) < (%L::timestamptz, %L::uuid) ORDER BY "createdAt" DESC, id DESC LIMIT 21$f$, "createdAt", id) FROM deep \gexec
-- The search in cursor mode (no count), from the same position.
SELECT format($f$EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM "Leads" WHERE ("titleFolded" LIKE crm_fold($q$%%acme%%$q$) ESCAPE $q$!$q$ OR "descriptionFolded" LIKE crm_fold($q$%%acme%%$q$) ESCAPE $q$!$q$) AND ("createdAt", id) < (%L::timestamptz, %L::uuid) ORDER BY "createdAt" DESC, id DESC LIMIT 21$f$, "createdAt", id) FROM deep \gexec
-- The search of a SALES user with its count: the owner and the words from one index (btree_gin).
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF)
SELECT count(*) FROM "Leads" WHERE "ownerId" = (SELECT id FROM "Users" WHERE email = $$sales01@bench.test$$)
  AND ("titleFolded" LIKE crm_fold($$%acme%$$) ESCAPE $$!$$ OR "descriptionFolded" LIKE crm_fold($$%acme%$$) ESCAPE $$!$$);
SQL
'
