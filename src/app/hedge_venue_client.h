// HedgeVenueClient: the hedging port (hedge/hedge_port.h) to an exchange
// venue over HTTP/1.1 — the simulated venue of demos and tests
// (sim/exchange_venue.h) or a real one behind the same three lines of
// protocol (docs/hedging.md):
//
//   POST {url}/v1/orders  Idempotency-Key: hedge-<id>
//        {"order_id":"hedge-<id>","market_id":..,"selection_id":..,
//         "side":"back","stake_minor":..,"price":"2.5"}
//   200/201 {"status":"matched","matched_stake_minor":..,"price":"2.5"}  -> filled
//   409/422 {"status":"rejected","reason":".."}                          -> rejected
//   anything else, a timeout, a refused connection                       -> failed
//
// send() queues and returns at once (a full queue answers `failed` at
// once); `threads` worker threads make the calls, each bounded by
// `timeout`, so a slow or dead venue holds only them. stop() answers what is
// still queued `failed` (sent again at the next start) and joins.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "app/call_workers.h"
#include "core/clock.h"
#include "hedge/hedge_port.h"

namespace inplay {

class HedgeVenueClient final : public HedgePort {
 public:
  // url: "http://127.0.0.1:port". Throws std::invalid_argument if malformed.
  HedgeVenueClient(const std::string& url, Nanos timeout, int threads = 2, size_t max_queue = 256);
  ~HedgeVenueClient() override;
  void start();
  void stop();
  void send(HedgeOrder order, std::function<void(HedgeAnswer)> answer) override;

 private:
  HedgeAnswer call(const HedgeOrder& o) const;

  std::string host_;
  uint16_t port_ = 0;
  int timeout_ms_;
  CallWorkers workers_;
  std::atomic<bool> stopping_{false};
};

// The venue's answer to a hedge order, from its HTTP status and body.
HedgeAnswer parse_venue_answer(uint64_t hedge_id, int status, const std::string& body, const std::string& transport_error);
// The order's JSON body.
std::string venue_order_body(const HedgeOrder& o);

}  // namespace inplay
