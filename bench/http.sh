#!/usr/bin/env bash
# HTTP throughput of crm-server against what PostgreSQL alone does for the same work, on this
# machine, in one run. The request is GET /api/leads/:id with a bearer token: the server verifies
# the token, loads the user's row and reads the lead. The baseline is pgbench running those same
# two SELECTs over as many connections as wrk opens. Reported: requests/s, transactions/s and
# their ratio (noisy machines: compare the ratio, not the absolute numbers).
# Usage: bench/http.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-10}
connections=${2:-32}
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
make build >/dev/null

# httplib serves one keep-alive connection per thread: give the server a thread per connection.
export BENCH_SECONDS=$seconds BENCH_CONNECTIONS=$connections CRM_THREADS=${CRM_THREADS:-$connections}
exec bash scripts/with-postgres.sh bash -c '
set -euo pipefail
work=$(mktemp -d)
trap "kill \$server 2>/dev/null || true; wait \$server 2>/dev/null || true; rm -rf \"$work\"" EXIT
port=$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); print(s.getsockname()[1])")
(cd "$work" && PORT=$port CRM_DATABASE_URL="$CRM_TEST_PG_URL" CRM_JWT_SECRET=bench-secret-bench-secret-bench-secret \
  CRM_PASSWORD_COST=min CRM_ADMIN_EMAIL=bench@example.com CRM_ADMIN_PASSWORD=bench-password \
  exec "'"$PWD"'/build/examples/server/crm-server" 2>/dev/null) &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/health" >/dev/null && break; sleep 0.1; done
login=$(curl -sf -H "Content-Type: application/json" -d "{\"email\":\"bench@example.com\",\"password\":\"bench-password\"}" \
  "http://127.0.0.1:$port/api/auth/login")
token=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])[\"accessToken\"])" "$login")
user=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])[\"user\"][\"id\"])" "$login")
lead=$(curl -sf -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
  -d "{\"title\":\"bench lead\",\"metadata\":{\"k\":1}}" "http://127.0.0.1:$port/api/leads")
lead_id=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])[\"id\"])" "$lead")

echo "== crm-server: GET /api/leads/:id, $BENCH_CONNECTIONS connections, ${BENCH_SECONDS}s"
rps=$(wrk -t2 -c"$BENCH_CONNECTIONS" -d"${BENCH_SECONDS}s" -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$port/api/leads/$lead_id" | tee /dev/stderr | awk "/Requests\/sec/ {print \$2}")

echo "== PostgreSQL alone (pgbench): the same two SELECTs per transaction"
cat > "$work/request.sql" <<SQL
SELECT * FROM "Users" WHERE id = '"'"'$user'"'"';
SELECT * FROM "Leads" WHERE id = '"'"'$lead_id'"'"';
SQL
tps=$(/usr/lib/postgresql/15/bin/pgbench -n -M prepared -c "$BENCH_CONNECTIONS" -j 2 -T "$BENCH_SECONDS" \
  -f "$work/request.sql" "$CRM_TEST_PG_URL" 2>/dev/null | tee /dev/stderr | awk "/^tps/ {print \$3}")
python3 -c "import sys; r,t=float(sys.argv[1]),float(sys.argv[2]); print(f\"\\nresult: crm-server {r:.0f} req/s, PostgreSQL alone {t:.0f} tps, ratio {r/t:.2f}\")" "$rps" "$tps"
'
