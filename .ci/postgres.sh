#!/usr/bin/env bash
# A throw-away PostgreSQL for CI and local checks (issue 16): start | stop | url [DB] | status.
#
#   start   installs postgresql (Debian package) if missing; creates a cluster in a temp dir
#           owned by the unprivileged `postgres` user (created if missing; when not run as
#           root, the caller's own); starts it with pg_ctl on 127.0.0.1:$WENSHU_PG_PORT
#           (default 55432 + 0…499 from the checkout's path; loopback only, trust auth for the
#           throw-away superuser `wenshu`); creates one database per shared SQLite file
#           (retail_cn, cdnow_sample, cdnow) filled with `wenshu export`, and an empty
#           wenshu_scratch for the export tests; prints the retail_cn URL.
#   url DB  prints the URL of database DB (default retail_cn).
#   stop    stops the server and removes its directory.
#
# Environment: WENSHU_PG_PORT, WENSHU_BIN (the wenshu binary; default .build/release or
# .build/debug, built when neither exists), SHARED (default ../shared beside the package).
set -euo pipefail
cd "$(dirname "$0")/.."

# The default port is 55432 plus a number from the package's path, so that several checkouts
# on one machine (worktrees) can each run their own server.
port=${WENSHU_PG_PORT:-$(( 55432 + $(pwd -P | cksum | cut -d' ' -f1) % 500 ))}
state=/tmp/wenshu-pg-$port.dir
user=wenshu
run_as=postgres
shared=${SHARED:-../shared}

url() { echo "postgresql://$user@127.0.0.1:$port/${1:-retail_cn}"; }

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/initdb" ] || return 1
  echo "$d"
}

# As root (CI) the server runs as the unprivileged `postgres` user; otherwise as oneself.
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$run_as" -- "$@"; else "$@"; fi; }

wenshu_bin() {
  if [ -n "${WENSHU_BIN:-}" ] && [ -x "$WENSHU_BIN" ]; then echo "$WENSHU_BIN"; return; fi
  for b in .build/release/wenshu .build/debug/wenshu; do
    [ -x "$b" ] && { echo "$b"; return; }
  done
  swift build >&2 || return 1
  echo .build/debug/wenshu
}

start() {
  if [ -f "$state" ] && [ -d "$(cat "$state")" ]; then
    echo "postgres.sh: a cluster for port $port is already running in $(cat "$state"); run stop first" >&2
    exit 1
  fi
  if ! bindir >/dev/null || ! dpkg -s libpq-dev >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { echo "postgres.sh: install postgresql and libpq-dev first (apt-get install postgresql libpq-dev)" >&2; exit 1; }
    echo "postgres.sh: installing postgresql and libpq-dev" >&2
    apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql libpq-dev >&2
  fi
  local bin; bin=$(bindir) || { echo "postgres.sh: no PostgreSQL binaries after installing" >&2; exit 1; }
  if [ "$(id -u)" -eq 0 ]; then
    id "$run_as" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$run_as"
  fi

  local dir; dir=$(mktemp -d /tmp/wenshu-pg.XXXXXX)
  [ "$(id -u)" -ne 0 ] || chown "$run_as" "$dir"
  chmod 700 "$dir"
  echo "$dir" > "$state"
  # A start that fails half-way leaves nothing running.
  trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "postgres.sh: start failed; stopping" >&2; stop; fi' EXIT
  as_pg "$bin/initdb" -D "$dir/data" -U "$user" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >&2 \
    || { cat "$dir/server.log" >&2; exit 1; }

  local wenshu; wenshu=$(wenshu_bin)
  for db in retail_cn cdnow_sample cdnow; do
    [ -f "$shared/data/$db.sqlite" ] || { echo "postgres.sh: $shared/data/$db.sqlite missing" >&2; exit 1; }
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" "$db"
    "$wenshu" export --db "$shared/data/$db.sqlite" --to "$(url "$db")" | tail -n 1 >&2
  done
  # An empty database the tests may write to (export round trips).
  as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$user" wenshu_scratch
  url retail_cn
}

stop() {
  [ -f "$state" ] || { echo "postgres.sh: nothing running for port $port" >&2; return 0; }
  local dir; dir=$(cat "$state")
  local bin; bin=$(bindir) || true
  if [ -n "$bin" ] && [ -d "$dir/data" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  case "$dir" in /tmp/wenshu-pg.*) rm -rf "$dir" ;; esac
  rm -f "$state"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) url "${2:-retail_cn}" ;;
  status) [ -f "$state" ] && echo "running in $(cat "$state"): $(url)" || echo "not running" ;;
  *) echo "usage: $0 start|stop|url [DB]|status" >&2; exit 2 ;;
esac
