// Loadgen: a closed-loop HTTP/1.1 load generator, used by the CLI and tests to
// measure the server (the FixedHandler ceiling, the bet endpoint).
//
// Contract (closed loop, the default; `rate` paces it, see below): `connections` keep-alive connections (TCP_NODELAY), spread over
// `threads` I/O threads, each keep exactly one request in flight. The run is
// `warmup_s` of unmeasured traffic followed by `duration_s` of measured
// traffic; only requests *started* inside the measured window are counted and
// timed (monotonic clock, send of the first byte to the last byte of the
// response). `max_requests` caps the requests issued over the whole run
// (warm-up included; the run then ends early). Transport errors (connect,
// read, write, parse) are counted at any time, the connection is reopened
// after a short back-off and the run goes on. run_loadgen blocks the caller
// and owns all its threads; it is safe to call from any thread.
//
// Accepted answers: only `accepted_status` counts as done work (201 for a
// bet: a 503 MARKET_BUSY is answered, not accepted); 0 counts every 2xx.
// Every answer is also counted by its status and, for a non-2xx JSON error
// body {"error":{"code":"..."}}, by that code: the status mix.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace inplay {

// One request to send. An empty path means LoadgenOptions::path.
struct LoadRequest {
  std::string path;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct LoadgenOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  int connections = 64;
  int threads = 1;
  double duration_s = 10;
  double warmup_s = 1;
  std::string method = "GET";
  std::string path = "/";
  std::vector<std::pair<std::string, std::string>> headers;  // on every request
  // Called per request (from the loadgen threads, concurrently) with a global
  // request counter starting at 0. Unset: every request is method+path+headers.
  std::function<LoadRequest(uint64_t n)> make_request;
  int64_t max_requests = 0;  // 0: unlimited
  // > 0: paced (open loop) at this many requests per second in all, each
  // connection sending on its own schedule (connections / rate apart);
  // a request's latency counts from when it was due, so a connection still
  // waiting for its last answer is charged for the delay (wrk2's
  // coordinated-omission correction). Enough connections must be open for
  // the rate to be offered; the answers counted are those that arrive
  // inside the measured window. 0: closed loop.
  double rate = 0;
  int accepted_status = 0;  // 0: any 2xx is accepted
  // Called on run_loadgen's calling thread as the measured window opens and
  // as it closes (or once every connection has finished, if sooner): where a
  // caller reads the server's CPU for the window (cli/thread_cpu.h).
  std::function<void()> on_window_open, on_window_close;
};

// One entry of the status mix: a status and the error code its body named
// (empty for a 2xx, or when the body has no {"error":{"code":..}}).
struct StatusCode {
  int status = 0;
  std::string code;
  auto operator<=>(const StatusCode&) const = default;
};

struct LoadgenResult {
  uint64_t requests = 0;  // completed in the measured window
  uint64_t errors = 0;    // transport errors, whole run
  uint64_t non_2xx = 0;
  std::map<int, uint64_t> by_status;
  std::map<StatusCode, uint64_t> mix;  // by status and error code
  uint64_t accepted = 0;               // answers with the accepted status
  double seconds = 0;  // length of the measured window actually run
  double rps = 0;
  double accepted_per_s = 0;
  int64_t p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
  int64_t ok_p50_ns = 0, ok_p99_ns = 0;  // of the 2xx answers only
  int64_t accepted_p50_ns = 0, accepted_p99_ns = 0;
};

// The code named by a JSON error body {"error":{"code":"X",...}}: "X", or ""
// (not such a body). A byte search, not a parse: the load generator reads it
// from every refused answer and must stay cheap.
std::string error_code_of(std::string_view body);

// Runs the load and returns the totals. Throws std::invalid_argument on bad
// options (no port, connections < 1, bad host).
LoadgenResult run_loadgen(const LoadgenOptions& opts);

// "201 9990 (99.9 %), 503 MARKET_BUSY 10 (0.1 %)": the mix on one line.
std::string format_status_mix(const LoadgenResult& r);

// A few aligned lines for a terminal.
std::string format_loadgen_text(const LoadgenResult& r);
// {"requests":..,"errors":..,"non_2xx":..,"by_status":{"200":..},
//  "mix":{"201":..,"503 MARKET_BUSY":..},"accepted":..,"accepted_per_s":..,
//  "seconds":..,"rps":..,"latency_ns":{"p50":..,"p90":..,"p99":..,"p999":..,"max":..},
//  "latency_2xx_ns":{..},"latency_accepted_ns":{"p50":..,"p99":..}}
std::string format_loadgen_json(const LoadgenResult& r);

}  // namespace inplay
