#!/usr/bin/env bash
# Load test of `wenshu serve --http` from a second process on loopback: wrk with 50 connections
# for 60 s (bench/http_load.lua: mixed questions over five tokens, one of them rate-limited so
# 429s are expected), then the results (throughput, p50/p90/p99 latency, statuses) written to
# bench/results/<date>-http-load.md. Passes when every status is 200 or 429 and wrk saw no
# socket error.
#
# Usage: bench/http_load.sh [--bin PATH] [--db PATH] [--connections 50] [--seconds 60] [--threads 2]
# Needs wrk (apt-get install wrk). Not run in CI (budget); run by hand after `swift build -c release`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bin=""; db="$root/../shared/data/retail_cn.sqlite"; conns=50; secs=60; threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --db) db="$2"; shift 2 ;;
    --connections) conns="$2"; shift 2 ;;
    --seconds) secs="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$bin" ]; then
  if [ -x "$root/.build/release/wenshu" ]; then bin="$root/.build/release/wenshu"; else bin="$root/.build/debug/wenshu"; fi
fi
command -v wrk >/dev/null || { echo "http_load: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
[ -x "$bin" ] || { echo "http_load: no wenshu binary at $bin (swift build -c release)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
cat > "$tmp/tokens.yaml" <<YAML
limits: {concurrent_questions: 2, queued_questions: 256, seconds_per_question: 10}
audit: {path: $tmp/audit.jsonl, max_bytes: 10485760, keep: 50}
tokens:
  - {name: east, secret: "load-east-00000001", scope: ["region = 华东"], rate_per_minute: 0}
  - {name: analyst, secret: "load-analyst-0002", personal: masked, rate_per_minute: 0}
  - {name: admin, secret: "load-admin-000003", personal: shown, rate_per_minute: 0}
  - {name: live, secret: "load-live-0000004", scope: ["channel in (直播, 小程序)"], rate_per_minute: 0}
  - {name: limited, secret: "load-limited-00005", rate_per_minute: 600}
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --http "127.0.0.1:$port" --config "$tmp/tokens.yaml" --db "$db" --today 2026-11-22 2>"$tmp/server.log" &
server=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/v1/health" >/dev/null || { echo "http_load: the server did not start"; cat "$tmp/server.log"; exit 1; }

wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency -s "$here/http_load.lua" "http://127.0.0.1:$port" | tee "$tmp/wrk.txt"
health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/health")
audited=$(cat "$tmp"/audit.jsonl* | wc -l); rotated=$(ls "$tmp"/audit.jsonl.* 2>/dev/null | wc -l)

status=$(grep '^STATUS' "$tmp/wrk.txt" | sed 's/^STATUS //')
lat=$(grep '^LATENCY_MS' "$tmp/wrk.txt" | sed 's/^LATENCY_MS //')
tot=$(grep '^TOTAL' "$tmp/wrk.txt" | sed 's/^TOTAL //')
verdict=$(python3 - "$status" "$tot" <<'PY'
import json, sys
st = json.loads(sys.argv[1]); tot = dict(kv.split("=") for kv in sys.argv[2].split())
bad = {k: v for k, v in st.items() if k not in ("200", "429")}
errs = sum(int(tot[k]) for k in tot if k.startswith("errors_") and k != "errors_status")
print("PASS" if not bad and errs == 0 and st.get("200", 0) > 0 else f"FAIL (other statuses {bad}, socket errors {errs})")
PY
)
date_s=$(date -u +%Y-%m-%d)
out="$here/results/$date_s-http-load.md"
mkdir -p "$here/results"
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
{
  echo "# HTTP load test, $date_s"
  echo
  echo "\`bench/http_load.sh\`: wrk from a second process on loopback, $conns connections ($threads wrk threads) for $secs s,"
  echo "POST /v1/ask with the mixed questions and five tokens of \`bench/http_load.lua\` (a region scope, an order-channel"
  echo "scope, masked, shown, and one limited to 600 questions a minute, whose 429s are expected). Server: \`$(basename "$(dirname "$bin")")\` build,"
  echo "2 worker threads, audit log on, database retail_cn (8,007 customers, 38,222 orders). Machine: $cpu, $(nproc) cores shared by server and wrk."
  echo
  echo "| figure | value |"
  echo "| --- | --- |"
  echo "| verdict (only 200 and 429, no socket error) | $verdict |"
  echo "| statuses | \`$status\` |"
  echo "| requests, seconds, throughput | \`$tot\` |"
  echo "| latency (ms) | \`$lat\` |"
  echo "| health after the run | $health |"
  echo "| audit log lines (all rotated files; one per request) | $audited in $((rotated + 1)) files |"
  echo
  echo '```'
  grep -v -E '^(STATUS|LATENCY_MS|TOTAL)' "$tmp/wrk.txt"
  echo '```'
} > "$out"
echo "http_load: $verdict; results in $out"
[ "${verdict%% *}" = PASS ]
