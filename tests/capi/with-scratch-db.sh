#!/usr/bin/env bash
# Usage: with-scratch-db.sh CMD [ARGS...]
#
# Test-only helper: runs CMD with CRM_TEST_DB_URL pointing at a new, empty database on the
# backend named by CRM_TEST_BACKEND (sqlite, the default, or postgresql), and removes that
# database afterwards. Exits with CMD's status.
#   sqlite:     a file in a new temporary folder.
#   postgresql: CREATE DATABASE on the server at CRM_TEST_PG_URL (a role that may create
#               databases; scripts/with-postgres.sh provides one). Without CRM_TEST_PG_URL this
#               FAILS: a PostgreSQL run never silently skips.
set -euo pipefail

me="with-scratch-db"
die() { echo "$me: $*" >&2; exit 1; }
[ $# -gt 0 ] || die "usage: $0 CMD [ARGS...]"

backend=${CRM_TEST_BACKEND:-sqlite}
cleanup=()
finish() {
  local rc=$?
  trap - EXIT
  set +e
  if [ ${#cleanup[@]} -gt 0 ]; then "${cleanup[@]}"; fi
  exit "$rc"
}
trap finish EXIT

case "$backend" in
  sqlite)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/crm-capi.XXXXXXXX")
    cleanup=(rm -rf "$dir")
    export CRM_TEST_DB_URL="sqlite:$dir/crm.db"
    ;;
  postgresql)
    [ -n "${CRM_TEST_PG_URL:-}" ] ||
      die "CRM_TEST_PG_URL is not set: run the PostgreSQL tests through scripts/with-postgres.sh"
    command -v psql >/dev/null 2>&1 || die "psql not found (bash scripts/install-deps.sh)"
    name="crm_capi_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
    psql -X -q -v ON_ERROR_STOP=1 -d "$CRM_TEST_PG_URL" -c "CREATE DATABASE $name" >/dev/null ||
      die "could not create database $name on CRM_TEST_PG_URL"
    drop_db() { psql -X -q -d "$CRM_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null; }
    cleanup=(drop_db)
    # The same URL with the last path segment (the database name) replaced.
    base=${CRM_TEST_PG_URL%%\?*}
    query=${CRM_TEST_PG_URL#"$base"}
    export CRM_TEST_DB_URL="${base%/*}/$name$query"
    ;;
  *)
    die "CRM_TEST_BACKEND must be sqlite or postgresql, not '$backend'"
    ;;
esac

set +e
"$@"
status=$?
set -e
exit "$status"
