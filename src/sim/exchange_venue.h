// ExchangeVenue: a simulated betting exchange that takes the book's hedge
// orders (CO-4), beside the simulated feeds: a real HTTP server on loopback
// speaking the protocol of app/hedge_venue_client.h, with fault hooks.
//
//   POST /v1/orders   an order, idempotent by its Idempotency-Key (else its
//                     order_id): the first time it is matched (stake ×
//                     fill_ratio at the asked price) or rejected (no
//                     liquidity, or by reject_rate); every repeat gets the
//                     first answer and matches nothing more.
//   GET  /v1/orders   the venue's own record: each order with its stake,
//                     matched stake and how often it was sent — what a
//                     reconciliation of the venue's side reads.
//
// Faults (set(), or POST /v1/sim/venue/faults on a simulated book's API):
// latency_ms (+ jitter_ms) before the answer — the order is recorded at
// once, so an answer that comes after the client gave up still stands at
// the venue, as on a real exchange; error_rate answers 503 before looking
// at the order (nothing recorded); reject_rate rejects; fill_ratio matches
// part of the stake; down answers every request 503. Thread-safe; answers
// never block the venue's I/O thread (a delay thread sends the late ones).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>

#include "http/server.h"

namespace inplay {

struct VenueFaults {
  int64_t latency_ms = 5;
  int64_t jitter_ms = 0;
  double error_rate = 0.0;
  double reject_rate = 0.0;
  double fill_ratio = 1.0;
  bool down = false;
};

struct VenueFaultPatch {
  std::optional<int64_t> latency_ms = {};
  std::optional<int64_t> jitter_ms = {};
  std::optional<double> error_rate = {};
  std::optional<double> reject_rate = {};
  std::optional<double> fill_ratio = {};
  std::optional<bool> down = {};
};

struct VenueOrder {
  std::string order_id;
  uint64_t market_id = 0, selection_id = 0;
  int64_t stake_minor = 0, matched_minor = 0;
  std::string price;   // as asked and matched
  bool matched = false;
  std::string reason;  // when rejected
  int requests = 0;    // times it was sent
};

class ExchangeVenue final : public HttpHandler {
 public:
  explicit ExchangeVenue(uint64_t seed);
  ~ExchangeVenue() override;
  uint16_t start();  // binds 127.0.0.1 on an ephemeral port
  void stop();
  uint16_t port() const { return port_; }
  std::string url() const;

  VenueFaults apply(const VenueFaultPatch& p);
  VenueFaults faults() const;
  std::map<std::string, VenueOrder> orders() const;
  std::string orders_json() const;

  void handle(HttpRequest&& req, Responder respond) override;

 private:
  HttpResponse take_order(const HttpRequest& req);
  struct Delayer;
  mutable std::mutex mu_;
  VenueFaults faults_;
  std::map<std::string, VenueOrder> orders_;
  std::mt19937_64 rng_;
  std::unique_ptr<Delayer> delayer_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace inplay
