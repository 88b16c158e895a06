#!/usr/bin/env bash
# Runs the core benchmarks: crm_bench on SQLite and on a throw-away PostgreSQL (each service call
# beside the bare SOCI statement doing the same database work), then crm_bench_lists on a SQLite
# file seeded by crm_seed (lists and get through the library beside raw sqlite3 code).
# Results are ratios measured side by side. Usage: bench/run.sh [leads for the SQLite lists, default 100000]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
leads=${1:-100000}
[[ $leads =~ ^[0-9]+$ ]] || { echo "usage: bench/run.sh [leads]" >&2; exit 2; }
make build >/dev/null
build/bench/crm_bench
bash scripts/with-postgres.sh bash -c 'build/bench/crm_bench "$CRM_TEST_PG_URL"'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/bench/crm_seed --url "sqlite:$work/lists.db" --leads "$leads" --owners 20 --activities 0
build/bench/crm_bench_lists "$work/lists.db"
