#!/usr/bin/env bash
# Bets over HTTP against the demo book while other connections scrape
# /metrics as fast as they can (issue 18, item 4), beside the same bets with
# no scrapers. Prints both loadgen results (count the 201s, not the answers).
#   bench/metrics_flood.sh [metrics_max_age_ms] [bet_conns] [scrape_conns] [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
AGE=${1:-1000}
CONNS=${2:-16}
SCRAPERS=${3:-8}
SECS=${4:-10}
source bench/demo_book.sh
DATA=$(mktemp -d /tmp/inplay-metrics-flood.XXXXXX)
trap 'stop_demo_book; rm -rf "$DATA"' EXIT
start_demo_book "$DATA" "$DATA" --metrics-max-age-ms "$AGE"
echo "== bets alone (metrics_max_age_ms=$AGE)"
build/inplay loadgen --url "$URL" --token "$TOKEN" --connections "$CONNS" --duration "$SECS" --warmup 2
echo "== bets with $SCRAPERS connections scraping /metrics"
build/inplay loadgen --url "$URL" --mode get --path /metrics --connections "$SCRAPERS" \
  --duration "$((SECS + 4))" --warmup 0 >"$DATA/scrape" &
SCRAPE=$!
build/inplay loadgen --url "$URL" --token "$TOKEN" --connections "$CONNS" --duration "$SECS" --warmup 2
wait $SCRAPE
echo "== the scrapers"
cat "$DATA/scrape"
curl -s "$URL/metrics" | grep -E '^metrics_renders_total'
