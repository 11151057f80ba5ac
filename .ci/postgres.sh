#!/usr/bin/env bash
# A throwaway PostgreSQL server for the pg-adapter's tests.
#
#   eval "$(bash .ci/postgres.sh start | tail -n 1)"   # sets CONTEXTLOG_PG_URL
#   bash .ci/postgres.sh stop
#
# start: installs PostgreSQL from Debian's packages if it is missing, creates a data directory
# under /tmp, runs the server as the `postgres` user (it refuses to run as root) on 127.0.0.1 on a
# free port, creates the database `contextlog`, and prints `export CONTEXTLOG_PG_URL=...` as its
# last line of stdout. Everything else goes to stderr.
# stop: stops that server and removes its data directory.
#
# CONTEXTLOG_PG_STATE names the file that remembers the running server (default
# /tmp/contextlog-pg.state), so two independent servers can run side by side.
set -euo pipefail

STATE_FILE=${CONTEXTLOG_PG_STATE:-/tmp/contextlog-pg.state}
PG_USER=postgres
DB_NAME=contextlog

log() { printf '%s\n' "postgres.sh: $*" >&2; }

as_postgres() {
  if [ "$(id -u)" = 0 ]; then
    # From /, which the postgres user can read (the repository may not be).
    (cd / && runuser -u "$PG_USER" -- "$@")
  else
    # Not root (a user's machine): run the server as ourselves.
    "$@"
  fi
}

find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    printf '%s\n' "$dir"
  fi
}

install_postgres() {
  log "PostgreSQL is not installed: installing it from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
}

free_port() {
  node -e '
    const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });
  '
}

start() {
  if [ -f "$STATE_FILE" ]; then
    log "a server is already recorded in $STATE_FILE; stopping it first"
    stop
  fi
  local bindir
  bindir=$(find_bindir)
  if [ -z "$bindir" ]; then
    install_postgres
    bindir=$(find_bindir)
    [ -n "$bindir" ] || { log "initdb not found after installing postgresql"; exit 1; }
  fi
  if [ "$(id -u)" = 0 ] && ! id "$PG_USER" >/dev/null 2>&1; then
    log "user $PG_USER does not exist (the postgresql package creates it)"
    exit 1
  fi

  local base port
  base=$(mktemp -d "${TMPDIR:-/tmp}/contextlog-pg.XXXXXX")
  if [ "$(id -u)" = 0 ]; then chown "$PG_USER": "$base"; fi
  chmod 700 "$base"
  port=$(free_port)
  printf 'BASE=%q\nPORT=%q\nBINDIR=%q\n' "$base" "$port" "$bindir" >"$STATE_FILE"

  log "initdb in $base/data (PostgreSQL $("$bindir/postgres" --version | awk '{print $3}'))"
  # trust on 127.0.0.1 only: a throwaway server that listens on loopback and nowhere else.
  as_postgres "$bindir/initdb" -D "$base/data" -U "$PG_USER" -A trust -E UTF8 --locale=C \
    --no-sync >"$base/initdb.log" 2>&1 || { cat "$base/initdb.log" >&2; exit 1; }
  if ! as_postgres "$bindir/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $base -c max_connections=200" start >&2; then
    cat "$base/server.log" >&2 || true
    exit 1
  fi
  as_postgres "$bindir/createdb" -h 127.0.0.1 -p "$port" -U "$PG_USER" "$DB_NAME"
  log "server running on 127.0.0.1:$port (data in $base; stop with: bash .ci/postgres.sh stop)"
  printf 'export CONTEXTLOG_PG_URL=postgres://%s@127.0.0.1:%s/%s\n' "$PG_USER" "$port" "$DB_NAME"
}

stop() {
  if [ ! -f "$STATE_FILE" ]; then
    log "no server recorded in $STATE_FILE"
    return 0
  fi
  local BASE='' PORT='' BINDIR=''
  # shellcheck disable=SC1090
  . "$STATE_FILE"
  if [ -n "$BASE" ] && [ -d "$BASE/data" ]; then
    as_postgres "$BINDIR/pg_ctl" -D "$BASE/data" -m fast -w -t 60 stop >&2 || true
  fi
  case "$BASE" in
    "${TMPDIR:-/tmp}"/contextlog-pg.*) rm -rf -- "$BASE" ;;
    *) log "not removing unexpected directory '$BASE'" ;;
  esac
  rm -f -- "$STATE_FILE"
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: bash .ci/postgres.sh start|stop" >&2
    exit 2
    ;;
esac
