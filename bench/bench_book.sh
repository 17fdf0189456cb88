# Sourced by the bench scripts that measure bets through wrk
# (http_bench.sh, http_ab.sh); run from the checkout's root.
#   start_bench_book BIN DIR
#     starts `BIN serve --config bench/http_bench.yaml` with its data in
#     DIR/book (config, stdout, stderr in DIR), waits until it listens (10 s
#     at most), funds 200 load accounts through the simulated PSP (`inplay
#     loadgen --prepare-only`) and sets BOOK_PID, BOOK_URL, TOKEN and, for
#     bench/wrk_bets.lua, SELECTIONS, PREFIX and NACCOUNTS.
#   warm_up_bench URL
#     2 s of unmeasured bets (first connections, first journal pages).
#   stop_bench_book
#     stops the book and reaps it; safe in an EXIT trap: it never fails.
TOKEN=example-channel-token  # bench/http_bench.yaml keeps config/example.yaml's token hashes
BOOK_PID=""

start_bench_book() {
  local bin="$1" dir="$2" plan
  mkdir -p "$dir"
  sed "s|DATA_DIR|$dir/book|" bench/http_bench.yaml >"$dir/book.yaml"
  "$bin" serve --config "$dir/book.yaml" >"$dir/book.out" 2>"$dir/book.err" &
  BOOK_PID=$!
  for _ in $(seq 100); do grep -q "listening on" "$dir/book.out" 2>/dev/null && break; sleep 0.1; done
  BOOK_URL=$(sed -n 's/^inplay listening on \(http:[^ ]*\)$/\1/p' "$dir/book.out")
  [ -n "$BOOK_URL" ] || { echo "bench: $bin did not start:" >&2; cat "$dir/book.err" >&2; return 1; }
  plan=$(build/inplay loadgen --url "$BOOK_URL" --token "$TOKEN" --accounts 200 --prepare-only)
  SELECTIONS=$(awk '$1 == "selections" {print $2}' <<<"$plan")
  read -r PREFIX NACCOUNTS < <(awk '$1 == "accounts" {print $2, $3}' <<<"$plan")
}

warm_up_bench() {
  wrk -t1 -c32 -d2s -s bench/wrk_bets.lua "$1" -- "$TOKEN" "$SELECTIONS" "$PREFIX" "$NACCOUNTS" 100 "warm-$$-$RANDOM" >/dev/null
}

stop_bench_book() {
  if [ -n "$BOOK_PID" ]; then
    kill "$BOOK_PID" 2>/dev/null || true
    wait "$BOOK_PID" 2>/dev/null || true
  fi
  BOOK_PID=""
}
