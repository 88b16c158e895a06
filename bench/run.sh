#!/usr/bin/env bash
# Runs the core benchmark on SQLite and on a throw-away PostgreSQL. Results are ratios of libcrm's
# time per call to the bare SQL doing the same database work, measured side by side.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
make build >/dev/null
build/bench/crm_bench
bash scripts/with-postgres.sh bash -c 'build/bench/crm_bench "$CRM_TEST_PG_URL"'
