#!/usr/bin/env bash
# Soak test: mixed HTTP load against crm-server on 127.0.0.1, with the server's RSS sampled every
# SAMPLE seconds. Passes when the RSS at the end is at most 10 % above the RSS after the first
# minute (the baseline: caches and pools are warm by then), and no request got a 5xx or a
# transport error.
#
#   scripts/soak.sh [--server PATH] [--seconds N] [--workers N] [--sample N] [--database URL]
#
# Defaults: build/examples/server/crm-server, 600 s, 4 client threads, 10 s, a fresh SQLite file
# in a scratch folder. For runs shorter than 4 minutes the baseline is taken at a quarter of the
# run instead of at 60 s (a CI smoke run: `make soak SOAK_SECONDS=120`).
# The load comes from scripts/soak_client.py (Python standard library, no install needed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
server="$here/../build/examples/server/crm-server"
seconds=600
workers=4
sample=10
database=""
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
server=$(realpath "$server")
[ -x "$server" ] || { echo "soak.sh: $server is not built (make build)" >&2; exit 2; }

work=$(mktemp -d -t crm-soak.XXXXXX)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(
  cd "$work"
  export PORT=$port CRM_HOST=127.0.0.1 CRM_DATABASE_URL="${database:-sqlite:$work/soak.db}" \
    CRM_JWT_SECRET="soak-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" CRM_PASSWORD_COST=min
  exec "$server" >"$work/server.log" 2>&1
) &
server_pid=$!

for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { echo "soak.sh: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }

baseline_at=60
[ "$seconds" -lt 240 ] && baseline_at=$((seconds / 4))
echo "soak: crm-server pid $server_pid on 127.0.0.1:$port, ${seconds}s, $workers client threads; baseline at ${baseline_at}s"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "t(s)  RSS(KiB)"
echo "0     $(rss_kb)"

python3 "$here/soak_client.py" --port "$port" --seconds "$seconds" --workers "$workers" >"$work/client.json" &
client_pid=$!

start=$(date +%s)
baseline=""
samples=()
while kill -0 "$client_pid" 2>/dev/null; do
  sleep "$sample"
  kill -0 "$server_pid" 2>/dev/null || { echo "soak.sh: the server died:" >&2; tail -n 30 "$work/server.log" >&2; exit 1; }
  t=$(( $(date +%s) - start ))
  rss=$(rss_kb)
  samples+=("$rss")
  echo "$t     $rss"
  if [ -z "$baseline" ] && [ "$t" -ge "$baseline_at" ]; then baseline=$rss; fi
done
client_status=0
wait "$client_pid" || client_status=$?
final=$(rss_kb)
[ -n "$baseline" ] || baseline=${samples[0]:-$final}

echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "client: $(cat "$work/client.json")"
limit=$(( baseline + baseline / 10 ))
growth=$(awk -v b="$baseline" -v f="$final" 'BEGIN { printf "%+.1f", (f - b) * 100 / b }')
echo "RSS: baseline ${baseline} KiB, end ${final} KiB (${growth} %), limit ${limit} KiB"
status=0
if [ "$final" -gt "$limit" ]; then
  echo "soak: FAILED: the RSS grew more than 10 % after the first minute" >&2
  status=1
fi
if [ "$client_status" -ne 0 ]; then
  echo "soak: FAILED: the client saw 5xx responses or transport errors (see errors above)" >&2
  status=1
fi
[ $status -eq 0 ] && echo "soak: PASSED"
exit $status
