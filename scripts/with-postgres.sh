#!/usr/bin/env bash
# Usage: scripts/with-postgres.sh CMD [ARGS...]
#
# Starts a throw-away PostgreSQL 15 server (own data directory in a fresh temporary folder,
# listening on 127.0.0.1 on a free port, fsync off), creates the superuser role crm/crm and the
# database crm, exports
#   CRM_TEST_PG_URL=postgresql://crm:crm@127.0.0.1:PORT/crm
# (and PGHOST/PGPORT/PGUSER/PGPASSWORD/PGDATABASE, so a plain `psql` reaches it too), runs CMD,
# then always stops the server and removes the folder. Exits with CMD's exit status.
# If the server cannot be started it prints why (its log) and exits non-zero.
#
# Runs as root (PostgreSQL itself is run as the `postgres` user) or as any other user.
# Environment: PG_BINDIR (default /usr/lib/postgresql/15/bin), PG_START_ATTEMPTS (default 5),
# PG_SERVER_OPTIONS (more `-c name=value` settings for the server, e.g. for bench/http.sh --statements).
set -euo pipefail

me="with-postgres"
die() { echo "$me: $*" >&2; exit 1; }

[ $# -gt 0 ] || die "usage: $0 CMD [ARGS...]"

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
for b in initdb pg_ctl postgres; do
  [ -x "$PG_BINDIR/$b" ] ||
    die "$PG_BINDIR/$b not found: install PostgreSQL 15 first (bash scripts/install-deps.sh)"
done
PSQL="$PG_BINDIR/psql"
[ -x "$PSQL" ] || PSQL=$(command -v psql) || die "psql not found (bash scripts/install-deps.sh)"

# PostgreSQL refuses to run as root: run the server as `postgres` in that case.
if [ "$(id -u)" -eq 0 ]; then
  PG_OS_USER=postgres
  id -u "$PG_OS_USER" >/dev/null 2>&1 ||
    die "user '$PG_OS_USER' does not exist: install PostgreSQL 15 first (bash scripts/install-deps.sh)"
  command -v runuser >/dev/null 2>&1 || die "runuser not found (package util-linux)"
else
  PG_OS_USER=$(id -un)
fi

# as_pg CMD...: run CMD as the server's OS user, from a directory it can enter, without any
# PG* variables of the caller that could redirect it.
as_pg() {
  local envclean=(env -u PGDATA -u PGHOST -u PGHOSTADDR -u PGPORT -u PGUSER -u PGPASSWORD
                  -u PGDATABASE -u PGOPTIONS -u PGSERVICE -u PGSERVICEFILE -u PGPASSFILE)
  if [ "$(id -u)" -eq 0 ]; then
    (cd "$TMP_ROOT" && "${envclean[@]}" runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd "$TMP_ROOT" && "${envclean[@]}" "$@")
  fi
}

# A temporary folder the server's user can use. TMPDIR may be somewhere it cannot reach
# (e.g. under /root), and a unix socket path must stay short: fall back to /tmp then.
TMP_ROOT=""
DATA=""
CHILD=""
make_tmp() {
  local t
  t=$(mktemp -d "${1}/crm-pg.XXXXXXXX") || return 1
  TMP_ROOT=$t
  if [ "$(id -u)" -eq 0 ]; then
    chown "$PG_OS_USER": "$t"
  fi
  chmod 0700 "$t"
  # The socket path (DIR/sock/.s.PGSQL.PORT) must fit in sun_path (107 bytes).
  if [ ${#t} -gt 70 ] || ! (cd / && if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$PG_OS_USER" -- test -w "$t" -a -x "$t"; else test -w "$t" -a -x "$t"; fi); then
    rm -rf "$t"
    TMP_ROOT=""
    return 1
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  set +e
  # The command first (when we got here through a signal it may still run).
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill -TERM "$CHILD" 2>/dev/null
    wait "$CHILD" 2>/dev/null
  fi
  if [ -n "$DATA" ] && [ -f "$DATA/postmaster.pid" ]; then
    if ! as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1; then
      local pid
      pid=$(head -n1 "$DATA/postmaster.pid" 2>/dev/null)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "$me: pg_ctl stop failed, killing postmaster $pid" >&2
        kill -KILL "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      fi
    fi
  fi
  if [ -n "$TMP_ROOT" ]; then
    rm -rf "$TMP_ROOT"
  fi
  exit "$rc"
}
on_signal() {
  # Forward to the command and wait for it; cleanup (EXIT trap) stops the server.
  local sig=$1 code=$2
  if [ -n "$CHILD" ] && kill -0 "$CHILD" 2>/dev/null; then
    kill "-$sig" "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

make_tmp "${TMPDIR:-/tmp}" || make_tmp /tmp ||
  die "cannot create a temporary folder that user '$PG_OS_USER' can use (tried \${TMPDIR:-/tmp} and /tmp)"

DATA="$TMP_ROOT/data"
SOCK="$TMP_ROOT/sock"
LOG="$TMP_ROOT/postgres.log"
as_pg mkdir -m 0700 "$SOCK"

if ! as_pg "$PG_BINDIR/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C \
      --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$TMP_ROOT/initdb.log" 2>&1; then
  cat "$TMP_ROOT/initdb.log" >&2
  die "initdb failed (output above)"
fi

# A free port: ask the kernel for one (it may be taken again before the server binds it, so
# starting is retried with a new port).
free_port() {
  if command -v python3 >/dev/null 2>&1 &&
     python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null; then
    return 0
  fi
  echo $(( 20000 + RANDOM % 40000 ))
}

attempts=${PG_START_ATTEMPTS:-5}
PORT=""
for ((i = 1; i <= attempts; i++)); do
  port=$(free_port)
  rm -f "$LOG"  # pg_ctl creates it as the server's user
  if as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 \
       -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$SOCK -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off ${PG_SERVER_OPTIONS:-}" \
       start >"$TMP_ROOT/pg_ctl.log" 2>&1; then
    PORT=$port
    break
  fi
  # A failed pg_ctl -w may leave a postmaster behind (e.g. on timeout): stop it before retrying.
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg "$PG_BINDIR/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  if grep -qiE 'could not bind|address already in use|could not create any TCP/IP sockets' "$LOG" 2>/dev/null &&
     [ "$i" -lt "$attempts" ]; then
    echo "$me: port $port is taken, retrying with another one" >&2
    continue
  fi
  break
done
if [ -z "$PORT" ]; then
  {
    echo "$me: PostgreSQL failed to start (attempt $i of $attempts). pg_ctl said:"
    cat "$TMP_ROOT/pg_ctl.log" 2>/dev/null
    echo "$me: server log ($LOG):"
    cat "$LOG" 2>/dev/null || echo "(no log)"
  } >&2
  die "could not start PostgreSQL"
fi

if ! as_pg "$PSQL" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres -d postgres \
      -c "CREATE ROLE crm LOGIN SUPERUSER PASSWORD 'crm'" \
      -c "CREATE DATABASE crm OWNER crm" >"$TMP_ROOT/setup.log" 2>&1; then
  cat "$TMP_ROOT/setup.log" "$LOG" >&2
  die "could not create the role and database crm (output and server log above)"
fi

export CRM_TEST_PG_URL="postgresql://crm:crm@127.0.0.1:$PORT/crm"
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=crm PGPASSWORD=crm PGDATABASE=crm
unset PGHOSTADDR PGSERVICE PGOPTIONS

# The same way the tests will connect: TCP, password.
if ! "$PSQL" -X -q -At -d "$CRM_TEST_PG_URL" -c 'select 1' >"$TMP_ROOT/check.log" 2>&1; then
  cat "$TMP_ROOT/check.log" "$LOG" >&2
  die "cannot connect to $CRM_TEST_PG_URL (output and server log above)"
fi
echo "$me: PostgreSQL $("$PG_BINDIR/postgres" -V | awk '{print $3}') on 127.0.0.1:$PORT ($TMP_ROOT)" >&2

# Run the command in the background and wait, so that a signal to this script is handled at
# once (forwarded, then cleanup). Keep stdin, and SIGINT/SIGQUIT at their defaults (bash would
# ignore them in a background job).
set +e
( trap - INT QUIT; exec "$@" ) <&0 &
CHILD=$!
wait "$CHILD"
status=$?
CHILD=""
set -e
exit "$status"
