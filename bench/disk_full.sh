#!/usr/bin/env bash
# A full disk under bet load (issue 18, item 1; REL-3). The demo book's data
# dir sits on a tmpfs of its own; paced bets run for SECS seconds; FILL_AT
# seconds in, a filler takes every free byte, and FULL_FOR seconds later it
# is removed. Prints how long the book took to stop acknowledging and to
# start again (its journal_writable gauge, polled every 10 ms), the bets'
# status mix (only 201s are bets; 503 JOURNAL_UNAVAILABLE while full), and
# whether the process lived; then kills it with -9 and replays its journal:
# it must hold at least as many bets as were accepted (it also holds the
# synthetic prober's), and the ledger must sum to 0
# (tests/integration/test_disk_full.py checks each bet by its key). Needs
# root (mount).
#   bench/disk_full.sh [rate=1000] [seconds=20] [fill_at=5] [full_for=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RATE=${1:-1000}
SECS=${2:-20}
FILL_AT=${3:-5}
FULL_FOR=${4:-5}
[ "$(id -u)" = 0 ] || { echo "disk_full: mounting a tmpfs needs root" >&2; exit 1; }
DATA=$(mktemp -d /tmp/inplay-disk-full.XXXXXX)
DISK="$DATA/disk"
mkdir "$DISK"
# Room for the journal's 64 MiB reserve (journal.reserve_mb) and then some.
mount -t tmpfs -o size=160m tmpfs "$DISK"
source bench/demo_book.sh
# stop_demo_book never fails, so the tmpfs is always unmounted.
trap 'stop_demo_book; umount -l "$DISK" || true; rm -rf "$DATA"' EXIT
start_demo_book "$DISK/data" "$DATA" --metrics-max-age-ms 0

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f ms", (b - a) * 1000 }'; }
writable() { curl -s "$URL/metrics" | awk '$1 == "journal_writable" {print $2}'; }
wait_writable() {  # $1: 0 or 1; gives up after 30 s
  for _ in $(seq 3000); do [ "$(writable)" = "$1" ] && return 0; sleep 0.01; done
  echo "disk_full: journal_writable never became $1" >&2
  return 1
}

echo "== paced bets: $RATE/s for ${SECS} s; the disk fills at ${FILL_AT} s for ${FULL_FOR} s"
build/inplay loadgen --url "$URL" --token "$TOKEN" --connections 64 --duration "$SECS" --warmup 0 \
  --rate "$RATE" --json >"$DATA/load" &
LOAD=$!
sleep "$FILL_AT"
dd if=/dev/zero of="$DISK/filler" bs=1M 2>/dev/null || true  # stops at ENOSPC
FULL=$(now)
wait_writable 0
REFUSING=$(now)
DURING=$(curl -s -D - -o "$DATA/during" -X POST "$URL/v1/bets" -H "Authorization: Bearer $TOKEN" \
  -H "Content-Type: application/json" -H "Idempotency-Key: disk-full-probe" \
  -d '{"account":"load-0","selection_id":3011,"stake":100,"currency":"GBP","odds":"1.5","price_change":"any"}' |
  grep -i -E '^(HTTP|retry-after)' | tr -d '\r' | tr '\n' ' ')
READY=$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")
sleep "$FULL_FOR"
rm -f "$DISK/filler"
FREED=$(now)
wait_writable 1
WRITING=$(now)
wait $LOAD
curl -s "$URL/metrics" | grep -E '^(journal_outages_total|journal_write_failures_total|bets_total[{].*JOURNAL)' >"$DATA/metrics" || true
ALIVE=no
kill -0 "$BOOK_PID" 2>/dev/null && ALIVE=yes
kill -9 "$BOOK_PID"
wait "$BOOK_PID" 2>/dev/null || true
BOOK_PID=""  # gone: the trap has nothing to stop

echo "disk full -> journal refusing: $(since "$FULL" "$REFUSING"); a bet meanwhile: $DURING$(head -c 160 "$DATA/during")"
echo "/readyz while full: $READY"
echo "space back -> journal writing: $(since "$FREED" "$WRITING")"
echo "the book lived through it: $ALIVE"
sed 's/^/  /' "$DATA/metrics"
UNTIL=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)  # past every record
build/inplay replay --demo --data-dir "$DISK/data" --until "$UNTIL" >"$DATA/replay"
python3 - "$DATA/load" "$DATA/replay" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["result"]
state = json.load(open(sys.argv[2]))
ok = r["by_status"].get("201", 0)
print(f"status mix {r['by_status']}; transport errors {r['errors']}; accepted {ok}")
total = state["bets"]["total"]
print(f"after kill -9, the journal replayed: {total} bets (accepted {ok} + the prober's); ledger sum {state['ledger_sum']}")
if total < ok or state["ledger_sum"] != 0:
    sys.exit("disk_full: an accepted bet is missing or the ledger does not sum to zero")
PY
