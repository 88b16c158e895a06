#!/usr/bin/env bash
# HTTP benchmark of crm-server, with in the same run (interleaved, scenario by scenario):
#   - the limit: bench/pg_baseline, a raw-libpq client running the SQL an ideal server needs for
#     the same request on libcrm's schema (prepared statements, one connection per thread);
#   - optionally the Node.js/Express reference backend (NODE_BACKEND_DIR or --node DIR) on its
#     own database in the same PostgreSQL, seeded with the same data (same ids, same rows).
# Then 10,000 idle keep-alive connections to crm-server: /api/health latency and RSS while held.
# Everything runs on loopback inside a throw-away PostgreSQL (scripts/with-postgres.sh).
#
# Usage: bench/http.sh [options]
#   --duration S      seconds per measured run (default 10)
#   --warmup S        seconds of warm-up before each measured run (default 3)
#   --connections N   wrk keep-alive connections and baseline threads (default 32)
#   --wrk-threads N   wrk threads (default 2)
#   --leads N         leads to seed (default 100000); --owners K (default 20); --activities A (default 3)
#   --rounds N        alternating rounds per scenario, averaged (default 1)
#   --scenarios LIST  comma separated, from: get,activities,list_sales,list_manager,create,mix
#   --node DIR        the Node backend's folder (default: $NODE_BACKEND_DIR; unset: no Node columns)
#   --no-node         skip Node even if NODE_BACKEND_DIR is set
#   --idle N          idle connections to hold (default 10000; 0: skip)
#   --out FILE        also write the Markdown table to FILE
#   --no-build        do not run `make build` first
#   --statements      also print, after each run, where PostgreSQL's time went by statement
#                     (pg_stat_statements: calls, mean and total ms, rows, heap blocks read)
#   --smoke           ~2 s per run, 1,000 leads, no Node, 200 idle connections: exits 0 when every
#                     run worked (requests answered, no non-2xx status), for CI; no network needed
#                     once wrk is installed
# Environment: CRM_SERVER (default build/examples/server/crm-server), CRM_THREADS etc. are passed to
# the server as set; BENCH_NODE_CACHE: where the Node backend is copied and `npm ci`-ed (once).
set -euo pipefail
all_args=("$@")
caller_dir=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

duration=10 warmup=3 connections=32 wrk_threads=2 leads=100000 owners=20 activities=3 rounds=1
scenarios=get,activities,list_sales,list_manager,create,mix
node_dir=${NODE_BACKEND_DIR:+$(cd "$caller_dir" && realpath -m -- "$NODE_BACKEND_DIR")} idle=10000 out="" build=1 smoke=0 statements=0
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --wrk-threads) wrk_threads=$2; shift 2 ;;
    --leads) leads=$2; shift 2 ;;
    --owners) owners=$2; shift 2 ;;
    --activities) activities=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --node) node_dir=$(cd "$caller_dir" && realpath -m -- "$2"); shift 2 ;;
    --no-node) node_dir=""; shift ;;
    --idle) idle=$2; shift 2 ;;
    --out) out=$(cd "$caller_dir" && realpath -m -- "$2"); shift 2 ;;
    --no-build) build=0; shift ;;
    --smoke) smoke=1; shift ;;
    --statements) statements=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "http.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$smoke" = 1 ]; then
  duration=2 warmup=1 leads=1000 rounds=1 node_dir="" idle=200
fi
for n in "$duration" "$warmup" "$connections" "$wrk_threads" "$leads" "$owners" "$activities" "$rounds" "$idle"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "http.sh: numeric options take non-negative integers" >&2; exit 2; }
done
[ "$duration" -ge 1 ] && [ "$connections" -ge 1 ] && [ "$rounds" -ge 1 ] && [ "$wrk_threads" -ge 1 ] ||
  { echo "http.sh: --duration, --connections, --rounds, --wrk-threads must be at least 1" >&2; exit 2; }
[ "$connections" -ge "$wrk_threads" ] || wrk_threads=$connections
for s in ${scenarios//,/ }; do
  case $s in get|activities|list_sales|list_manager|create|mix) ;;
    *) echo "http.sh: unknown scenario $s" >&2; exit 2 ;; esac
done
if [ -n "$node_dir" ]; then
  node_dir=$(cd "$node_dir" && pwd) || { echo "http.sh: no folder $node_dir" >&2; exit 2; }
  [ -f "$node_dir/package-lock.json" ] && [ -f "$node_dir/src/server.js" ] ||
    { echo "http.sh: $node_dir does not look like the Node backend (package-lock.json, src/server.js)" >&2; exit 2; }
  command -v node >/dev/null && command -v npm >/dev/null || { echo "http.sh: node and npm are needed for --node" >&2; exit 2; }
fi

# ---- outside PostgreSQL: tools, build, limits; then run the rest inside a throw-away server ----
if [ -z "${CRM_BENCH_INNER:-}" ]; then
  if ! command -v wrk >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then
      echo "http.sh: installing wrk (Debian package)" >&2
      apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
    fi
    command -v wrk >/dev/null || { echo "http.sh: wrk is missing: apt-get install wrk" >&2; exit 1; }
  fi
  command -v python3 >/dev/null && command -v curl >/dev/null || { echo "http.sh: needs python3 and curl" >&2; exit 1; }
  if [ "$build" = 1 ]; then make build >/dev/null; fi
  for b in build/bench/crm_seed build/bench/pg_baseline build/bench/idle_conns "${CRM_SERVER:-build/examples/server/crm-server}"; do
    [ -x "$b" ] || { echo "http.sh: $b is not built (make build)" >&2; exit 1; }
  done
  # 10,000 idle connections need as many descriptors in the client and in the server.
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
  export CRM_BENCH_INNER=1  # the same options are parsed again inside
  if [ "$statements" = 1 ]; then
    export PG_SERVER_OPTIONS="${PG_SERVER_OPTIONS:-} -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all"
  fi
  exec bash scripts/with-postgres.sh bash "$root/bench/http.sh" "${all_args[@]}"
fi

# ---- inside: CRM_TEST_PG_URL names an empty database ----------------------------------------
work=$(mktemp -d)
pids=()
cleanup() {
  local rc=$?
  set +e
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "== $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_healthy() {  # port pid name
  local deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    curl -sf -m 2 -o /dev/null "http://127.0.0.1:$1/api/health" && return 0
    kill -0 "$2" 2>/dev/null || { echo "http.sh: $3 exited at start; its log:" >&2; cat "$work/$3.log" >&2; return 1; }
    sleep 0.1
  done
  echo "http.sh: $3 did not answer /api/health within 60 s; its log:" >&2; cat "$work/$3.log" >&2; return 1
}
login() {  # port email -> access token
  curl -sf -m 30 -H 'Content-Type: application/json' -d "{\"email\":\"$2\",\"password\":\"$password\"}" \
    "http://127.0.0.1:$1/api/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accessToken"])'
}
peak_reset() { echo 5 > "/proc/$1/clear_refs" 2>/dev/null || true; }  # resets VmHWM (Linux >= 4.0)
# Where the CPU goes during a run, in clock ticks: the server process (0 for the baseline), every
# PostgreSQL process, and the whole machine's busy time (the rest is the load generator, wrk or
# pg_baseline, and the kernel's share of loopback). Read before and after each run.
cpu_ticks() {  # server_pid|0 -> "server postgres busy"
  python3 - "$1" <<'PY'
import os, sys
def ticks(pid):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        # utime + stime, and cutime + cstime: the time of exited children (a client's
        # PostgreSQL backends end with its connections, before the second reading)
        return sum(int(x) for x in f[11:15])
    except OSError:
        return 0
server = ticks(sys.argv[1]) if sys.argv[1] != "0" else 0
pg = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if open(f"/proc/{pid}/comm").read().strip() == "postgres": pg += ticks(pid)
    except OSError:
        pass
cpu = [int(x) for x in open("/proc/stat").readline().split()[1:]]
print(server, pg, sum(cpu) - cpu[3] - cpu[4])  # all but idle and iowait
PY
}
# CPU µs per request from two cpu_ticks readings and a request count: "server_us= pg_us= rest_us="
cpu_per_request() {  # before after requests
  python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import sys
b, a, n, hz = [list(map(int, x.split())) if " " in x else int(x) for x in sys.argv[1:]]
d = [y - x for x, y in zip(b, a)]
us = lambda t: t * 1e6 / hz / max(n, 1)
print(f"server_us={us(d[0]):.0f} pg_us={us(d[1]):.0f} rest_us={us(d[2] - d[0] - d[1]):.0f}")
PY
}
peak_mib() { awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo nan; }

password=bench-password-1
domain=bench.test
secret=bench-secret-bench-secret-bench-secret-0123
end_at=$(date -u +%Y-%m-%dT%H:%M:00.000Z)  # both databases get the same rows, ids included
seed_args=(--leads "$leads" --owners "$owners" --activities "$activities" --password "$password" --domain "$domain"
           --end-at "$end_at")
pg_url=$CRM_TEST_PG_URL

log "seeding libcrm's database: $leads leads, $owners SALES owners, $activities activities per lead"
build/bench/crm_seed --url "$pg_url" "${seed_args[@]}" --ids-out "$work/ids" --users-out "$work/users" >&2
manager_id=$(awk '$1 == "manager@'$domain'" {print $3}' "$work/users")
sales_id=$(awk '$1 == "sales01@'$domain'" {print $3}' "$work/users")

crm_port=$(free_port)
mkdir -p "$work/crm"
# The idle phase holds $idle connections from loopback addresses 127.0.0.2... (1,000 per address,
# the default CRM_MAX_CONNECTIONS_PER_CLIENT) and probes from 127.0.0.1: the total cap must admit
# the held connections plus the probe, so it is raised just above them (the default is 10,000).
(cd "$work/crm" && export CRM_MAX_CONNECTIONS=${CRM_MAX_CONNECTIONS:-$((idle > 9900 ? idle + 100 : 10000))} &&
   PORT=$crm_port CRM_HOST=127.0.0.1 CRM_DATABASE_URL=$pg_url CRM_JWT_SECRET=$secret \
   CRM_PASSWORD_COST=min CRM_ACCESS_TOKEN_TTL=86400 exec "$root/${CRM_SERVER:-build/examples/server/crm-server}") \
  >"$work/crm-server.log" 2>&1 &
crm_pid=$!
pids+=("$crm_pid")
wait_healthy "$crm_port" "$crm_pid" crm-server
declare -A token
token[crm,manager]=$(login "$crm_port" "manager@$domain")
token[crm,sales]=$(login "$crm_port" "sales01@$domain")

servers=(crm)
if [ -n "$node_dir" ]; then
  # A writable copy with its node_modules, installed once and reused while package-lock.json holds.
  cache=${BENCH_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crm-bench/node-backend}
  mkdir -p "$cache"
  if ! cmp -s "$node_dir/package-lock.json" "$cache/package-lock.json" || [ ! -d "$cache/node_modules" ]; then
    log "npm ci for the Node backend in $cache"
    rm -rf "$cache/node_modules"
    cp "$node_dir/package.json" "$node_dir/package-lock.json" "$cache/"
    (cd "$cache" && npm ci --no-audit --no-fund >&2)
  fi
  rm -rf "$cache/src" && cp -r "$node_dir/src" "$cache/src"
  node_url=${pg_url%/*}/node_bench
  psql -X -q -d "$pg_url" -c 'CREATE DATABASE node_bench' >/dev/null
  node_port=$(free_port)
  mkdir -p "$work/node"
  (cd "$work/node" && PORT=$node_port CRM_HOST=127.0.0.1 CRM_DATABASE_URL=$node_url CRM_JWT_SECRET=$secret \
     CRM_ADMIN_EMAIL=admin@$domain CRM_ADMIN_PASSWORD=$password CRM_ACCESS_TOKEN_TTL=86400 NODE_ENV=production \
     exec node "$cache/src/server.js") >"$work/node.log" 2>&1 &
  node_pid=$!
  pids+=("$node_pid")
  wait_healthy "$node_port" "$node_pid" node
  log "seeding the Node backend's database with the same rows"
  build/bench/crm_seed --schema node --url "$node_url" "${seed_args[@]}" >&2
  token[node,manager]=$(login "$node_port" "manager@$domain")
  token[node,sales]=$(login "$node_port" "sales01@$domain")
  servers+=(node)
fi

# scenario -> wrk script and whose token
script_of() { case $1 in list_sales|list_manager) echo list ;; *) echo "$1" ;; esac; }
role_of() { case $1 in list_sales) echo sales ;; *) echo manager ;; esac; }

results=$work/results
: >"$results"
failed=0
# Every run starts from the state autovacuum keeps a table in: the rows an earlier run wrote
# (creates, refresh tokens) vacuumed, so the visibility map lets counts answer from the index
# alone. Without it a run after the creates pays for its predecessors' writes (heap fetches).
db_of() { if [ "$1" = node ]; then echo "$node_url"; else echo "$pg_url"; fi; }
before_run() {  # server
  psql -X -q -d "$(db_of "$1")" -c 'VACUUM' >/dev/null
  [ "$statements" = 1 ] && psql -X -q -d "$(db_of "$1")" -c 'SELECT pg_stat_statements_reset()' >/dev/null
  return 0
}
after_run() {  # server label
  [ "$statements" = 1 ] || return 0
  echo "   PostgreSQL statements of $2 (top 6 by total time):" >&2
  psql -X -q -At -F ' | ' -d "$(db_of "$1")" >&2 <<'SQL'
SELECT calls, round(mean_exec_time::numeric, 3) AS mean_ms, round(total_exec_time::numeric) AS total_ms,
       rows, shared_blks_hit + shared_blks_read AS blocks, left(regexp_replace(query, '\s+', ' ', 'g'), 160)
FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC LIMIT 6
SQL
}
if [ "$statements" = 1 ]; then
  psql -X -q -d "$pg_url" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
  [ -z "$node_dir" ] || psql -X -q -d "$node_url" -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' >/dev/null
fi
run_wrk() {  # server scenario round
  local server=$1 s=$2 r=$3 port pid line
  if [ "$server" = crm ]; then port=$crm_port pid=$crm_pid; else port=$node_port pid=$node_pid; fi
  export BENCH_TOKEN=${token[$server,$(role_of "$s")]} BENCH_IDS=$work/ids
  local args=(-t"$wrk_threads" -c"$connections" --timeout 10s -s "bench/wrk/$(script_of "$s").lua" "http://127.0.0.1:$port")
  [ "$warmup" -gt 0 ] && wrk "${args[@]}" -d"${warmup}s" >/dev/null 2>&1 || true
  before_run "$server"
  peak_reset "$pid"
  local before requests
  before=$(cpu_ticks "$pid")
  wrk "${args[@]}" -d"${duration}s" --latency >"$work/wrk.out" 2>&1 || true
  after_run "$server" "$server $s"
  line=$(grep '^wrk_result' "$work/wrk.out" || true)
  if [ -z "$line" ]; then
    echo "http.sh: wrk failed for $server $s:" >&2; cat "$work/wrk.out" >&2; failed=1; return 0
  fi
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
  line="$line $(cpu_per_request "$before" "$(cpu_ticks "$pid")" "${requests:-0}")"
  echo "$server $s $r $line rss_mib=$(peak_mib "$pid")" >>"$results"
  echo "   $server $s: ${line#wrk_result }" >&2
}
run_baseline() {  # scenario round
  local line before requests
  before_run crm
  before=$(cpu_ticks 0)
  line=$(build/bench/pg_baseline --url "$pg_url" --scenario "$1" --ids "$work/ids" --manager "$manager_id" \
           --sales "$sales_id" --threads "$connections" --seconds "$duration") || { failed=1; echo "http.sh: pg_baseline failed for $1" >&2; return 0; }
  after_run crm "raw libpq $1"
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
  line="$line $(cpu_per_request "$before" "$(cpu_ticks 0)" "${requests:-0}")"
  echo "limit $1 $2 $line" >>"$results"
  echo "   raw libpq $1: $line" >&2
}

for s in ${scenarios//,/ }; do
  for ((r = 1; r <= rounds; r++)); do
    log "$s, round $r of $rounds (${warmup}s warm-up + ${duration}s, $connections connections)"
    run_wrk crm "$s" "$r"
    run_baseline "$s" "$r"
    [ -z "$node_dir" ] || run_wrk node "$s" "$r"
  done
done

idle_line=""
if [ "$idle" -gt 0 ]; then
  log "holding $idle idle keep-alive connections to crm-server (ulimit -n $(ulimit -n))"
  idle_line=$(build/bench/idle_conns --port "$crm_port" --connections "$idle" --pid "$crm_pid" \
                $([ "$smoke" = 1 ] && echo --wait 5 --probes 3 --probe-timeout 2 || echo --wait 20 --probes 10 --probe-timeout 5)) ||
    failed=1
  echo "   $idle_line" >&2
fi

# ---- the table --------------------------------------------------------------------------------
table=$(python3 - "$results" "$idle_line" "$connections" "$duration" "$leads" <<'PY'
import sys, statistics as st
from collections import defaultdict
path, idle, conns, dur, leads = sys.argv[1:6]
runs = defaultdict(list)
order = []
for line in open(path):
    f = line.split()
    server, scenario = f[0], f[1]
    kv = dict(x.split("=", 1) for x in f[3:] if "=" in x)
    runs[(server, scenario)].append(kv)
    if scenario not in order: order.append(scenario)
names = {"get": "GET /api/leads/:id", "activities": "GET /api/activities/lead/:id",
         "list_sales": "GET /api/leads?limit=20 as SALES", "list_manager": "GET /api/leads?limit=20 as MANAGER",
         "create": "POST /api/leads", "mix": "mix 70 % get / 20 % list / 10 % create"}
def mean(server, s, key):
    v = [float(k[key]) for k in runs.get((server, s), []) if key in k]
    return st.mean(v) if v else None
def num(x, d=0):
    return "–" if x is None else f"{x:,.{d}f}"
node = any(k[0] == "node" for k in runs)
head = "| scenario | libcrm req/s | ratio to raw libpq | p50 ms | p99 ms | raw libpq req/s | libcrm peak RSS MiB |"
if node: head += " Node req/s | Node p99 ms | libcrm / Node | Node peak RSS MiB |"
print(f"{leads} leads, {conns} connections, {dur} s per run\n")
print(head)
print("|" + "---|" * (head.count("|") - 1))
for s in order:
    rps, lim = mean("crm", s, "rps"), mean("limit", s, "rps")
    errs = sum(int(k.get("non2xx", 0)) for k in runs[("crm", s)]), sum(int(k.get("timeouts", 0)) for k in runs[("crm", s)])
    note = "" if errs == (0, 0) else f" ({errs[0]} non-2xx, {errs[1]} timeouts)"
    row = (f"| {names[s]} | {num(rps, 1 if rps is not None and rps < 100 else 0)}{note} | "
           f"{num(rps / lim if rps and lim else None, 2)} | {num(mean('crm', s, 'p50_ms'), 1)} | "
           f"{num(mean('crm', s, 'p99_ms'), 1)} | {num(lim)} | {num(mean('crm', s, 'rss_mib'), 1)} |")
    if node:
        nrps = mean("node", s, "rps")
        nerrs = sum(int(k.get("non2xx", 0)) + int(k.get("timeouts", 0)) for k in runs.get(("node", s), []))
        nnote = "" if not nerrs else f" ({nerrs} errors)"
        row += (f" {num(nrps, 1 if nrps is not None and nrps < 100 else 0)}{nnote} | {num(mean('node', s, 'p99_ms'), 1)} | "
                f"{num(rps / nrps if rps and nrps else None, 2)}{'×' if rps and nrps else ''} | "
                f"{num(mean('node', s, 'rss_mib'), 1)} |")
    print(row)
# Where the CPU went, per request (µs of CPU time: the server process, every PostgreSQL process,
# and the rest of the machine's busy time: the load generator and the kernel's loopback work).
if any("pg_us" in k for v in runs.values() for k in v):
    head = "| scenario | libcrm: server | libcrm: PostgreSQL | libcrm: rest | raw libpq: PostgreSQL | raw libpq: rest |"
    if node: head += " Node: server | Node: PostgreSQL |"
    print("\nCPU µs per request (time on all cores; this machine has " + str(__import__("os").cpu_count()) +
          "; rest: the load generator, the kernel's loopback work and anything else that ran):\n")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for s in order:
        row = (f"| {names[s]} | {num(mean('crm', s, 'server_us'))} | {num(mean('crm', s, 'pg_us'))} | "
               f"{num(mean('crm', s, 'rest_us'))} | {num(mean('limit', s, 'pg_us'))} | {num(mean('limit', s, 'rest_us'))} |")
        if node: row += f" {num(mean('node', s, 'server_us'))} | {num(mean('node', s, 'pg_us'))} |"
        print(row)
if idle:
    kv = dict(x.split("=", 1) for x in idle.split() if "=" in x)
    probes = (f"no answer within the probe timeout ({kv['probes']} of {kv['probes']} failed)"
              if kv["probe_failures"] == kv["probes"] else
              f"p50 {kv['probe_p50_ms']} ms, max {kv['probe_max_ms']} ms, {kv['probe_failures']} of {kv['probes']} failed")
    print(f"\nIdle keep-alive connections to crm-server: {kv['connected']} of {kv['connections']} connected, "
          f"{kv['answered']} answered their first request, {kv['still_open']} still open after the probes. "
          f"GET /api/health on a new connection meanwhile (target < 100 ms): {probes}. "
          f"Server RSS meanwhile: {kv['rss_mib']} MiB (target < 100 MiB).")
PY
)
echo
echo "$table"
[ -z "$out" ] || echo "$table" >"$out"

# Smoke: every run must have answered requests, all of them 2xx.
if awk '$1 != "limit" { for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["requests"] + 0 == 0 || v["non2xx"] + 0 > 0) bad = 1 }
        $1 == "limit" { for (i = 4; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["requests"] + 0 == 0 || v["errors"] + 0 > 0) bad = 1 }
        END { exit bad }' "$results"; then :; else
  echo "http.sh: some runs answered no request or answered with errors (see above)" >&2
  failed=1
fi
exit "$failed"
