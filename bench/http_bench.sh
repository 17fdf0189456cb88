#!/usr/bin/env bash
# Bets over HTTP on loopback beside the ceiling, through a third-party load
# generator (wrk, one thread), counting only accepted bets (issue 19, item 3).
#
#   bench/http_bench.sh [rounds] [seconds] [connections...]     (defaults: 3 10 32 64)
#
# Starts `inplay serve --config bench/http_bench.yaml` on a fresh data dir
# (config/example.yaml with limits this load cannot reach: journal fsync'd in
# groups, the shipped SLOs, playbooks and admission gate on) and
# build/echo_server (the ceiling: Beast alone, one thread, a fixed JSON
# answer). `inplay loadgen --prepare-only` funds 200 load accounts; then
# each round runs, for each connection count, the same wrk load
# (bench/wrk_bets.lua: POST /v1/bets, a fresh Idempotency-Key per request)
# against the echo server and against the book, alternating which goes
# first. Each run prints the status mix, accepted (201) bets/s, latency
# including the max, each server thread's CPU (utime + stime from
# /proc/PID/task/*/stat, named by comm, summed over threads of one name) per
# accepted bet or per echo answer, each thread's wait for a core (schedstat),
# and for the book its own journal-fsync and engine-queue histograms over the
# run (where a slow tail waited). The summary gives medians over the rounds
# and the ratio: median accepted bets/s / median echo req/s. wrk runs on the
# same two cores as both servers; the numbers are ratios, not promises.
# Needs wrk (apt-get install wrk), python3 and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SECS=${2:-10}
shift $(( $# > 2 ? 2 : $# )) || true
CONNS=("$@")
[ ${#CONNS[@]} -gt 0 ] || CONNS=(32 64)

command -v wrk >/dev/null || { echo "http_bench: wrk is missing (apt-get install wrk)" >&2; exit 2; }
for b in build/inplay build/echo_server; do
  [ -x "$b" ] || { echo "http_bench: $b is missing (ninja -C build inplay echo_server)" >&2; exit 2; }
done

. bench/bench_book.sh
DATA=$(mktemp -d /tmp/inplay-http-bench.XXXXXX)
ECHO=""
trap 'stop_bench_book; [ -z "$ECHO" ] || { kill "$ECHO" 2>/dev/null; wait "$ECHO" 2>/dev/null; }; rm -rf "$DATA"' EXIT
build/echo_server 0 >"$DATA/echo.out" 2>&1 &
ECHO=$!
start_bench_book build/inplay "$DATA"
for _ in $(seq 100); do grep -q "listening on" "$DATA/echo.out" 2>/dev/null && break; sleep 0.1; done
ECHO_URL="http://$(sed -n 's/^listening on //p' "$DATA/echo.out")"

echo "book $BOOK_URL (pid $BOOK_PID), echo $ECHO_URL (pid $ECHO); selections $SELECTIONS; $NACCOUNTS accounts"
echo "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"

# "name ticks wait_ns" per thread of PID: utime + stime (fields 14, 15 of
# stat, counted after the ")" that closes the command name, which may hold
# spaces) and the time it waited runnable for a core (schedstat's second field).
thread_ticks() {
  local pid=$1 t
  for t in /proc/"$pid"/task/*; do
    local stat comm wait
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    comm=$(tr ' ' '_' <"$t/comm")
    wait=$(awk '{print $2}' "$t/schedstat" 2>/dev/null || echo 0)
    awk -v c="$comm" -v w="${wait:-0}" '{ sub(/^.*\) /, ""); print c, $12 + $13, w }' <<<"$stat"
  done
}

# Runs wrk against URL for SECS with CONN connections; prints one result line
# "RESULT target conns accepted answers secs p50 p99 p999 max mix cpu" (cpu:
# name=us_per_unit,..., the unit an accepted bet on the book, an answer on
# the echo) and the human lines before it.
RESULTS="$DATA/results"
metrics() {  # the book's /metrics (nothing for the echo)
  [ "$1" = book ] && curl -s -H "Authorization: Bearer example-operator-token" "$2/metrics" || true
}
run() {
  local target=$1 url=$2 pid=$3 conn=$4 round=$5
  thread_ticks "$pid" >"$DATA/before"
  metrics "$target" "$url" >"$DATA/metrics.before"
  wrk -t1 -c"$conn" -d"${SECS}s" --latency -s bench/wrk_bets.lua "$url" -- \
    "$TOKEN" "$SELECTIONS" "$PREFIX" "$NACCOUNTS" 100 "r$round-$target-c$conn-$$" >"$DATA/wrk.out" 2>&1
  thread_ticks "$pid" >"$DATA/after"
  metrics "$target" "$url" >"$DATA/metrics.after"
  python3 - "$target" "$conn" "$round" "$(getconf CLK_TCK)" "$DATA/wrk.out" "$DATA/before" "$DATA/after" \
    "$DATA/metrics.before" "$DATA/metrics.after" <<'EOF' | tee -a "$RESULTS"
import re, sys
target, conn, rnd, hz, out, before, after, m_before, m_after = sys.argv[1:]
text = open(out).read()
def ticks(path, col=1):
    t = {}
    for line in open(path):
        f = line.split()
        t[f[0]] = t.get(f[0], 0) + int(f[col])
    return t
b, a = ticks(before), ticks(after)
wb, wa = ticks(before, 2), ticks(after, 2)
mix = dict(kv.split("=") for kv in re.search(r"^mix (.*)$", text, re.M).group(1).split())
acc = re.search(r"^accepted (\d+) in ([\d.]+) s", text, re.M)
ans = re.search(r"^answers (\d+) = .*p50 ([\d.]+) p99 ([\d.]+) p99.9 ([\d.]+) max ([\d.]+) ms; socket errors (.*)$", text, re.M)
secs = float(acc.group(2))
answers = int(ans.group(1))
# The echo's unit is an answer (all 200s); the book's, an accepted bet (201).
unit = int(acc.group(1)) if target == "book" else int(mix.get("200", 0))
cpu = {n: (a[n] - b.get(n, 0)) * 1e6 / int(hz) / max(unit, 1) for n in a}
cpu = {n: us for n, us in sorted(cpu.items(), key=lambda kv: -kv[1]) if us > 0}
print(f"RESULT {target} {conn} {rnd} {unit} {answers} {secs} {' '.join(ans.groups()[1:5])} "
      f"{','.join(f'{k}={v}' for k, v in mix.items())} "
      f"{','.join(f'{n}={us:.2f}' for n, us in cpu.items()) or '-'}")
what = "accepted bets" if target == "book" else "answers"
print(f"  round {rnd} c{conn} {target}: {what} {unit / secs:,.0f}/s; mix {' '.join(f'{k}={v}' for k, v in mix.items())}; "
      f"p50 {ans.group(2)} p99 {ans.group(3)} p99.9 {ans.group(4)} max {ans.group(5)} ms; socket errors {ans.group(6)}")
print(f"    cpu per {'accepted bet' if target == 'book' else 'answer'}, us: {sum(cpu.values()):.2f} = "
      + " + ".join(f"{n} {us:.2f}" for n, us in cpu.items()))
waits = {n: (wa[n] - wb.get(n, 0)) / 1e6 / secs for n in wa}
waits = {n: w for n, w in sorted(waits.items(), key=lambda kv: -kv[1]) if w >= 0.5}
print(f"    waiting runnable for a core (schedstat), ms per s of run: "
      + (", ".join(f"{n} {w:.0f}" for n, w in waits.items()) or "none"))
if target == "book":
    # Where the slow answers waited, from the book's own histograms over this run.
    def buckets(path):
        b = {}
        for m in re.finditer(r'^(journal_fsync_seconds|engine_queue_lag_seconds)_bucket\{le="([^"]+)"\} (\d+)', open(path).read(), re.M):
            b[(m.group(1), m.group(2))] = int(m.group(3))
        return b
    mb, ma = buckets(m_before), buckets(m_after)
    d = lambda name, le: ma.get((name, le), 0) - mb.get((name, le), 0)
    def over(name, le): return d(name, "+Inf") - d(name, le)
    f, q = "journal_fsync_seconds", "engine_queue_lag_seconds"
    print(f"    book's own histograms: {d(f, '+Inf')} journal fsyncs, {over(f, '0.025')} over 25 ms, {over(f, '0.05')} over 50 ms, "
          f"{over(f, '0.1')} over 100 ms; engine queue waits over 25 ms {over(q, '0.025')}, over 100 ms {over(q, '0.1')}")
EOF
}

# Unmeasured warm-up: first connections, first pages of the journal.
warm_up_bench "$BOOK_URL"
warm_up_bench "$ECHO_URL"

for round in $(seq "$ROUNDS"); do
  for conn in "${CONNS[@]}"; do
    if (( round % 2 )); then
      run echo "$ECHO_URL" "$ECHO" "$conn" "$round"; run book "$BOOK_URL" "$BOOK_PID" "$conn" "$round"
    else
      run book "$BOOK_URL" "$BOOK_PID" "$conn" "$round"; run echo "$ECHO_URL" "$ECHO" "$conn" "$round"
    fi
  done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"

python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("RESULT")]
med = statistics.median
print(f"\nsummary: medians over {len({r[3] for r in rows})} rounds, book and echo alternated")
for conn in sorted({int(r[2]) for r in rows}):
    book = [r for r in rows if r[1] == "book" and int(r[2]) == conn]
    echo = [r for r in rows if r[1] == "echo" and int(r[2]) == conn]
    rate = lambda r: int(r[4]) / float(r[6])
    b, e = med(rate(r) for r in book), med(rate(r) for r in echo)
    mix = {}
    for r in book:
        for kv in r[11].split(","):
            k, v = kv.split("=")
            mix[k] = mix.get(k, 0) + int(v)
    total = sum(mix.values())
    def cpu(rs):
        per = {}
        for r in rs:
            for kv in r[12].split(","):
                if kv == "-": continue
                n, us = kv.split("=")
                per.setdefault(n, []).append(float(us))
        return {n: med(v + [0.0] * (len(rs) - len(v))) for n, v in per.items()}
    bc, ec = cpu(book), cpu(echo)
    print(f"c{conn}: book accepted {b:,.0f} bets/s, echo {e:,.0f} req/s: ratio {b / e:.3f}"
          f"  (rounds: book {' / '.join(f'{rate(r):,.0f}' for r in book)}; echo {' / '.join(f'{rate(r):,.0f}' for r in echo)})")
    print(f"  book status mix over all rounds: " + ", ".join(f"{k.replace(':', ' ')} {v} ({100 * v / total:.2f} %)" for k, v in sorted(mix.items())))
    print(f"  book latency, median over rounds: p50 {med(float(r[7]) for r in book):.2f} p99 {med(float(r[8]) for r in book):.2f} "
          f"p99.9 {med(float(r[9]) for r in book):.2f} ms; max per round {' / '.join(r[10] for r in book)} ms")
    print(f"  echo latency, median over rounds: p50 {med(float(r[7]) for r in echo):.2f} p99 {med(float(r[8]) for r in echo):.2f} "
          f"p99.9 {med(float(r[9]) for r in echo):.2f} ms; max per round {' / '.join(r[10] for r in echo)} ms")
    print(f"  book CPU per accepted bet (each thread's median over rounds, summed), us: {sum(bc.values()):.2f} = "
          + " + ".join(f"{n} {us:.2f}" for n, us in sorted(bc.items(), key=lambda kv: -kv[1]) if us >= 0.005))
    print(f"  echo CPU per answer (median), us: {sum(ec.values()):.2f}")
EOF
