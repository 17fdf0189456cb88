#!/usr/bin/env bash
# Bets over HTTP on loopback against the demo book (journal fsync'd in
# groups on the data dir's disk), beside the ceiling: the same load
# generator, in the same run, against a fixed-response server.
#   bench/http_bench.sh [connections] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
CONNS=${1:-16}
SECS=${2:-10}
DATA=$(mktemp -d /tmp/inplay-http-bench.XXXXXX)
PORT=$((20000 + RANDOM % 10000))
build/inplay demo --port "$PORT" --data-dir "$DATA" >"$DATA/out" 2>"$DATA/err" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 50); do grep -q "operator token" "$DATA/out" 2>/dev/null && break; sleep 0.1; done
TOKEN=$(awk '/channel token/ {print $3}' "$DATA/out")
build/inplay loadgen --url "http://127.0.0.1:$PORT" --token "$TOKEN" --connections "$CONNS" \
  --duration "$SECS" --warmup 2 --ceiling
