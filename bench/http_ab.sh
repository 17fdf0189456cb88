#!/usr/bin/env bash
# Two builds of the book under the same wrk load, alternated, to tell a
# change's effect from a shared machine's drift (issue 19).
#
#   bench/http_ab.sh BIN_A BIN_B [rounds] [seconds] [connections]   (defaults: 4 10 64)
#
# Each run starts BIN_A or BIN_B (`inplay serve --config
# bench/http_bench.yaml`, as bench/http_bench.sh) on a fresh data dir, funds
# the load accounts (`inplay loadgen --prepare-only`), warms up for 2 s, and
# runs `wrk -t1 -cN -dS -s bench/wrk_bets.lua` (a fresh Idempotency-Key per
# request). The order alternates per round (A B, B A, ...). Per run it prints
# accepted (201) bets/s, the whole process's CPU (utime + stime from
# /proc/PID/stat) per accepted bet, the latency and the status mix; at the
# end the medians per build and their ratio. Only 201s count as bets. To
# make BIN_A from another commit:
#   git worktree add /tmp/base <commit> && cmake -S /tmp/base -B /tmp/base/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C /tmp/base/build inplay
# Needs wrk (apt-get install wrk) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,17p' "$0" >&2; exit 2; }
BIN_A=$(realpath "$1")
BIN_B=$(realpath "$2")
ROUNDS=${3:-4}
SECS=${4:-10}
CONN=${5:-64}
command -v wrk >/dev/null || { echo "http_ab: wrk is missing (apt-get install wrk)" >&2; exit 2; }
[ -x build/inplay ] || { echo "http_ab: build/inplay is missing (it funds the accounts)" >&2; exit 2; }

. bench/bench_book.sh
WORK=$(mktemp -d /tmp/inplay-http-ab.XXXXXX)
trap 'stop_bench_book; rm -rf "$WORK"' EXIT
echo "A $BIN_A"
echo "B $BIN_B"
echo "wrk -t1 -c$CONN -d${SECS}s, $ROUNDS rounds; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"

# Prints "RESULT name bets_per_s us_per_bet p50 p99 mix".
run() {
  local name=$1 bin=$2 data="$WORK/$1-$3" t0 t1
  start_bench_book "$bin" "$data"
  warm_up_bench "$BOOK_URL"
  t0=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$BOOK_PID/stat")
  wrk -t1 -c"$CONN" -d"${SECS}s" --latency -s bench/wrk_bets.lua "$BOOK_URL" -- \
    "$TOKEN" "$SELECTIONS" "$PREFIX" "$NACCOUNTS" 100 "run-$$-$name-$3" >"$data/wrk.out" 2>&1
  t1=$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$BOOK_PID/stat")
  stop_bench_book
  python3 - "$name" "$data/wrk.out" "$((t1 - t0))" "$(getconf CLK_TCK)" <<'PY'
import re, sys
name, out, ticks, hz = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3]), int(sys.argv[4])
acc = re.search(r"^accepted (\d+) in ([\d.]+) s", out, re.M)
lat = re.search(r"p50 ([\d.]+) p99 ([\d.]+)", out)
mix = re.search(r"^mix (.*)$", out, re.M).group(1)
bets, secs = int(acc.group(1)), float(acc.group(2))
print(f"RESULT {name} {bets / secs:.0f} {ticks * 1e6 / hz / max(bets, 1):.2f} {lat.group(1)} {lat.group(2)} {mix.replace(' ', ',')}")
PY
}

for r in $(seq "$ROUNDS"); do
  if (( r % 2 )); then order=(A B); else order=(B A); fi
  for name in "${order[@]}"; do
    bin=$BIN_A; [ "$name" = B ] && bin=$BIN_B
    run "$name" "$bin" "$r" >"$WORK/last"  # not in a pipe: the book's PID stays in this shell, for the trap
    cat "$WORK/last" >>"$WORK/results"
    awk '{printf "  round '"$r"' %s: %s bets/s, %s us CPU per accepted bet, p50 %s p99 %s ms, mix %s\n", $2, $3, $4, $5, $6, $7}' "$WORK/last"
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
python3 - "$WORK/results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {n: (statistics.median(float(r[2]) for r in rows if r[1] == n),
           statistics.median(float(r[3]) for r in rows if r[1] == n)) for n in ("A", "B")}
for n, (rate, cpu) in med.items():
    print(f"{n}: median {rate:,.0f} accepted bets/s, {cpu:.2f} us CPU per accepted bet")
print(f"B / A: bets/s {med['B'][0] / med['A'][0]:.3f}, CPU per bet {med['B'][1] / med['A'][1]:.3f}")
PY
