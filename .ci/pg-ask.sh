#!/usr/bin/env bash
# The acceptance check against PostgreSQL: check.py passes a SQLite path as {db}; this asks the
# same question with --db set to the database of that name on the same server as WENSHU_PG_URL
# (else the .ci/postgres.sh server), answered by the engine named by the optional fifth argument
# (cube: the tables read into memory, the default; pushdown: each question's SQL run on the server).
#   python3 ../shared/acceptance/check.py --bin .build/release/wenshu \
#     --cmd ".ci/pg-ask.sh {bin} {db} {today} {q}"
#   python3 ../shared/acceptance/check.py --bin .build/release/wenshu \
#     --cmd ".ci/pg-ask.sh {bin} {db} {today} {q} pushdown"
set -euo pipefail
bin=$1 db=$2 today=$3 q=$4 engine=${5:-cube}
name=$(basename "$db" .sqlite)
if [ -n "${WENSHU_PG_URL:-}" ]; then
  url="${WENSHU_PG_URL%%\?*}"
  url="${url%/*}/$name"
else
  url=$("$(dirname "$0")/postgres.sh" url "$name")
fi
exec "$bin" ask --db "$url" --engine "$engine" --today "$today" --format json "$q"
