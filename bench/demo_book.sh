# Sourced by the bench scripts that drive `inplay demo` (disk_full.sh,
# metrics_flood.sh, overload_bench.sh); run from the checkout's root.
#   start_demo_book DATA_DIR LOG_DIR [demo flags...]
#     starts the demo book on a random loopback port with its data in
#     DATA_DIR (stdout and stderr in LOG_DIR/out and LOG_DIR/err), waits
#     until it has printed its tokens and /readyz answers 200 (10 s each at
#     most), and sets BOOK_PID, URL and TOKEN (the channel token).
#   stop_demo_book
#     stops it (SIGTERM) and reaps it; safe in an EXIT trap, before the book
#     started and after it is gone: it never fails.
start_demo_book() {
  local data="$1" logs="$2" port=$((20000 + RANDOM % 10000))
  shift 2
  build/inplay demo --port "$port" --data-dir "$data" "$@" >"$logs/out" 2>"$logs/err" &
  BOOK_PID=$!
  URL="http://127.0.0.1:$port"
  for _ in $(seq 100); do grep -q "operator token" "$logs/out" 2>/dev/null && break; sleep 0.1; done
  for _ in $(seq 100); do curl -sf "$URL/readyz" >/dev/null && break; sleep 0.1; done
  TOKEN=$(awk '/channel token/ {print $3}' "$logs/out")
}

stop_demo_book() {
  [ -n "${BOOK_PID:-}" ] || return 0
  kill "$BOOK_PID" 2>/dev/null || true
  wait "$BOOK_PID" 2>/dev/null || true
}
