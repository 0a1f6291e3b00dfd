#!/usr/bin/env bash
# The acceptance check against PostgreSQL: check.py passes a SQLite path as {db}; this asks the
# same question with --db set to the database of that name on the .ci/postgres.sh server.
#   python3 ../shared/acceptance/check.py --bin .build/release/wenshu \
#     --cmd ".ci/pg-ask.sh {bin} {db} {today} {q}"
set -euo pipefail
bin=$1 db=$2 today=$3 q=$4
name=$(basename "$db" .sqlite)
url=$("$(dirname "$0")/postgres.sh" url "$name")
exec "$bin" ask --db "$url" --today "$today" --format json "$q"
