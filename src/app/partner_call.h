// PartnerCall: how the book calls one partner over HTTP/1.1 — a PSP route
// (app/psp_client.h), a KYC vendor (app/kyc_client.h) — the one way both
// clients make their calls:
//
//  - queue() hands a call to `threads` workers (app/call_workers.h) and
//    returns at once; when it cannot go (stopping, the queue is full) the
//    caller's never_sent(why) answers at once instead, and stop() answers
//    what is still queued never_sent("stopping").
//  - post() makes up to `attempts` calls, each bounded by `timeout`,
//    `retry` (doubling) apart, all under the same idempotency key, so the
//    partner answers a repeat with what it recorded.
//  - calls go over keep-alive connections (http/keep_alive_connection.h)
//    from a small pool per partner: a worker takes one (or opens one when
//    none is free), makes its call and gives it back if still open, so the
//    pool never holds more than `threads` and calls reuse the connections
//    across calls. A reused connection found closed is reopened and the
//    same request sent again within the same attempt and timeout, under the
//    same idempotency key.
//  - one circuit breaker per partner (core/circuit_breaker.h) counts the
//    failed calls: open, calls fail at once without calling and available()
//    is false, so the desk goes to another route or vendor.
//
// Series (the client names them, labelled by partner): breaker_open (1 from
// the moment the breaker opens until a call succeeds), breaker_opened (times
// it opened; optional), calls ok and failed. Thread-safe.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>
#include <string>

#include "app/call_workers.h"
#include "core/circuit_breaker.h"
#include "core/clock.h"
#include "http/client.h"
#include "http/keep_alive_connection.h"
#include "telemetry/metrics.h"

namespace inplay {

// What a partner's terms say of its calls (PspRouteTerms, KycVendorTerms).
struct PartnerTerms {
  std::string name;
  Nanos timeout{0};  // one call
  int attempts = 1;  // calls per post()
  Nanos retry{0};    // between attempts (doubling)
  int breaker_failures = 5;
  Nanos breaker_open{0};
  int threads = 1;
};

template <class Terms>
PartnerTerms partner_terms(const Terms& t) {
  return PartnerTerms{t.name, t.timeout, t.attempts, t.retry, t.breaker_failures, t.breaker_open, t.threads};
}

struct PartnerSeries {
  Gauge* breaker_open = nullptr;
  Counter* breaker_opened = nullptr;  // may be null
  Counter* calls_ok = nullptr;
  Counter* calls_failed = nullptr;
};

class PartnerCall {
 public:
  // url: "http://host:port"; else throws std::invalid_argument(url_error).
  // queue_full: never_sent's why when the workers' queue is full.
  // breaker_clock: where the breaker reads its time; nullptr: the steady clock.
  PartnerCall(PartnerTerms terms, const std::string& url, const std::string& url_error, PartnerSeries series,
              std::string queue_full, const Clock* breaker_clock = nullptr);
  ~PartnerCall();
  PartnerCall(const PartnerCall&) = delete;
  void start();
  void stop();

  const std::string& name() const { return terms_.name; }
  bool available() const;
  CircuitBreaker::State breaker_state() const;
  uint64_t breaker_opened_total() const { return breaker_.opened_total(); }
  uint64_t calls_failed_total() const { return failed_calls_.load(); }  // post()'s failed calls

  void queue(std::function<void()> call, std::function<void(const char* why)> never_sent);

  // What post() came to. heard: the partner gave its word (the last read()
  // said so); else detail says why not ("" when stop() came first).
  struct Tried {
    bool heard = false;
    int attempts = 0;
    std::string detail;
    int64_t took_ns = 0;
  };
  // Reads one call's result: true when the partner gave its word; false,
  // with detail, for a failed call.
  using Read = std::function<bool(const HttpCallResult& r, std::string& detail)>;
  Tried post(const std::string& target, const std::string& idempotency_key, const std::string& body,
             const Read& read);

  // For a one-off call the client counts itself (a PSP's look-up): the
  // breaker, its time, and one call bounded by `timeout`.
  CircuitBreaker& breaker() { return breaker_; }
  int64_t breaker_now() const;
  HttpCallResult get(const std::string& target) const;

  uint64_t connections_opened() const { return connects_.load(); }  // over the pool's life


 private:
  PartnerTerms terms_;
  PartnerSeries series_;
  std::string queue_full_;
  const Clock* breaker_clock_;
  std::string host_;
  uint16_t port_ = 0;
  int timeout_ms_;
  CircuitBreaker breaker_;
  // One call on a pooled connection.
  HttpCallResult call(const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body) const;

  mutable std::mutex pool_mu_;
  mutable std::vector<std::unique_ptr<KeepAliveConnection>> idle_;
  mutable std::atomic<uint64_t> connects_{0};
  CallWorkers workers_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> failed_calls_{0};
};

}  // namespace inplay
