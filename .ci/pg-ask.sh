#!/usr/bin/env bash
# The acceptance check against PostgreSQL: check.py passes a SQLite path as {db}; this asks the
# same question with --db set to the database of that name on the same server as WENSHU_PG_URL
# (else the .ci/postgres.sh server).
#   python3 ../shared/acceptance/check.py --bin .build/release/wenshu \
#     --cmd ".ci/pg-ask.sh {bin} {db} {today} {q}"
set -euo pipefail
bin=$1 db=$2 today=$3 q=$4
name=$(basename "$db" .sqlite)
if [ -n "${WENSHU_PG_URL:-}" ]; then
  url="${WENSHU_PG_URL%%\?*}"
  url="${url%/*}/$name"
else
  url=$("$(dirname "$0")/postgres.sh" url "$name")
fi
exec "$bin" ask --db "$url" --today "$today" --format json "$q"
