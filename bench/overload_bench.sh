#!/usr/bin/env bash
# Overload (issue 18, item 2; REL-4): the demo book's capacity, then a paced
# (open-loop) bet load at FACTOR times it. Only 201s are bets: prints the
# status mix, goodput (201/s) against capacity and the latency of accepted
# bets (from when each request was due: a lagging server is charged for it).
#   bench/overload_bench.sh [factor] [seconds] [connections] [deadline_ms] [demo flags...]
# e.g. bench/overload_bench.sh 3 10 512 250            # admission on (shipped)
#      bench/overload_bench.sh 3 10 512 0 --no-admission  # before issue 18
set -euo pipefail
cd "$(dirname "$0")/.."
FACTOR=${1:-3}
SECS=${2:-10}
CONNS=${3:-512}
DEADLINE=${4:-250}
shift $(( $# < 4 ? $# : 4 ))
source bench/demo_book.sh
DATA=$(mktemp -d /tmp/inplay-overload-bench.XXXXXX)
trap 'stop_demo_book; rm -rf "$DATA"' EXIT
start_demo_book "$DATA" "$DATA" "$@"
# The overload run's requests carry X-Request-Deadline-Ms: DEADLINE (0: none,
# the book's admission.deadline_ms applies).
DL=()
[ "$DEADLINE" -gt 0 ] && DL=(--deadline-ms "$DEADLINE")
echo "== capacity: closed loop, $CONNS connections, ${SECS} s"
CAP_JSON=$(build/inplay loadgen --url "$URL" --token "$TOKEN" --connections "$CONNS" --duration "$SECS" --warmup 2 --json)
CAP=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1])["result"]; print(int(r["by_status"].get("201",0)/r["seconds"]))' "$CAP_JSON")
echo "$CAP_JSON"
echo "capacity: $CAP accepted bets/s"
RATE=$((CAP * FACTOR))
echo "== overload: paced at ${FACTOR}x = $RATE req/s, $CONNS connections, ${SECS} s"
OUT=$(build/inplay loadgen --url "$URL" --token "$TOKEN" --connections "$CONNS" --duration "$SECS" --warmup 2 \
  --rate "$RATE" --json "${DL[@]}")
echo "$OUT"
python3 - "$OUT" "$CAP" "$RATE" <<'PY'
import json, sys
r, cap, rate = json.loads(sys.argv[1])["result"], int(sys.argv[2]), int(sys.argv[3])
ok = r["by_status"].get("201", 0) / r["seconds"]
print(f"offered {rate}/s; answered {r['rps']:.0f}/s; status mix {r['by_status']}; transport errors {r['errors']}")
print(f"goodput {ok:.0f} bets/s = {ok / cap:.2f} of capacity; accepted p50 {r['latency_2xx_ns']['p50']/1e6:.1f} ms,"
      f" p99 {r['latency_2xx_ns']['p99']/1e6:.1f} ms; all answers p99 {r['latency_ns']['p99']/1e6:.1f} ms")
PY
grep -o 'admission_refusals_total{[^}]*} [0-9]*' <(curl -s "$URL/metrics") || true
