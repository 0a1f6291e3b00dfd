#!/usr/bin/env bash
# The benchmark, from a clean checkout: builds Wenshu (release) and the floor program, makes the
# Python venv for DuckDB and Polars, generates the data files once (bench/data/, git-ignored),
# then runs every measurement (bench/bench.py) and prints a report ending in the ratio table.
# The report is also saved as bench/results/<date>-<machine>.md. See bench/README.md.
#
#   bench/run.sh                     # both sizes (1m, 10m): about 18 minutes on 2 cores
#   bench/run.sh --sizes 1m          # the 1M-order size only (a few minutes)
#   bench/run.sh --pg postgresql://… # also the push-down engine on a server holding the same data
#   bench/run.sh --help              # bench.py's options (reps, timeouts, …)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LAST_DAY=2026-11-21
SEED=20261122

# Sizes asked for (to generate only what is needed).
SIZES=1m,10m
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --sizes) SIZES=${args[$((i + 1))]:-$SIZES} ;;
    --sizes=*) SIZES=${args[$i]#--sizes=} ;;
    -h | --help) export BENCH_COMMAND="bench/run.sh${*:+ $*}"
exec python3 bench/bench.py --help ;;
  esac
done

# What the benchmark needs from the system (Debian package names).
for tool in swift cc python3 sqlite3; do
  command -v $tool >/dev/null || { echo "bench needs $tool (sqlite3: apt-get install sqlite3)" >&2; exit 1; }
done
[[ -f /usr/include/sqlite3.h ]] || { echo "bench needs the sqlite3 headers: apt-get install libsqlite3-dev" >&2; exit 1; }
python3 -c 'import venv, ensurepip' 2>/dev/null || { echo "bench needs python3-venv: apt-get install python3-venv" >&2; exit 1; }

# 1. Wenshu, release. The shared .build is used unless another build holds its lock
#    (then .build-bench, or BENCH_SCRATCH=DIR).
SCRATCH=${BENCH_SCRATCH:-}
if [[ -z $SCRATCH && -f .build/.lock ]] && kill -0 "$(cat .build/.lock 2>/dev/null)" 2>/dev/null; then
  SCRATCH=.build-bench
fi
echo "== building wenshu (release${SCRATCH:+, scratch path $SCRATCH})" >&2
build=(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"})
WENSHU=$ROOT/${SCRATCH:-.build}/release/wenshu
# A file edited by someone else during the build fails it ("modified during the build"): retry.
for try in 1 2 3; do
  if "${build[@]}" >&2; then break; fi
  if [[ $try == 3 ]]; then echo "the release build failed" >&2; exit 1; fi
  echo "== build failed, retrying in 10 s" >&2
  sleep 10
done

# The grammar files as they are now, beside the binary just built: other people's edits to
# grammars/ during the run must not change (or break) it.
mkdir -p bench/data && rm -rf bench/data/grammars
cp -R grammars bench/data/grammars

# 2. The floors: a bare sqlite3 C-API scan (load), and each question's aggregation in plain C.
mkdir -p bench/data
echo "== building bench/floor.c and bench/floor_query.c" >&2
cc -O2 -Wall -o bench/data/floor bench/floor.c -lsqlite3 -lpthread
cc -O2 -Wall -o bench/data/floor_query bench/floor_query.c -lsqlite3 -lpthread -lm

# 3. DuckDB and Polars in bench/.venv (installed once; reinstalled when requirements change).
if [[ ! -x bench/.venv/bin/python ]]; then
  echo "== creating bench/.venv" >&2
  python3 -m venv bench/.venv
fi
if ! cmp -s bench/requirements.txt bench/.venv/.requirements-installed; then
  echo "== installing bench/requirements.txt" >&2
  bench/.venv/bin/pip install --quiet -r bench/requirements.txt >&2
  cp bench/requirements.txt bench/.venv/.requirements-installed
fi

# 4. The data (seeded, fixed last day): generated only when missing.
for size in ${SIZES//,/ }; do
  case $size in
    1m) customers=100000 orders=1000000 ;;
    10m) customers=1000000 orders=10000000 ;;
    *) echo "unknown size $size (1m or 10m)" >&2; exit 1 ;;
  esac
  file=bench/data/retail-$((customers / 1000))k-$((orders / 1000000))m-seed$SEED.sqlite
  if [[ ! -f $file ]]; then
    echo "== generating $file" >&2
    "$WENSHU" demo --customers $customers --orders $orders --seed $SEED --last-day $LAST_DAY --out "$file" >&2
  fi
done

# 5. The measurements.
echo "== load average: $(cut -d' ' -f1-3 /proc/loadavg) (the machine should be otherwise idle)" >&2
export BENCH_COMMAND="bench/run.sh${*:+ $*}"
exec python3 bench/bench.py --wenshu "$WENSHU" --floor bench/data/floor --floor-query bench/data/floor_query \
  --grammars bench/data/grammars "$@"
