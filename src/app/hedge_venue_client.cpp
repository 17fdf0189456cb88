#include "app/hedge_venue_client.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <stdexcept>

#include "core/json.h"
#include "core/odds.h"
#include "http/client.h"

namespace inplay {

std::string venue_order_body(const HedgeOrder& o) {
  JsonWriter w;
  w.begin_object()
      .field("order_id", fmt::format("hedge-{}", o.hedge_id))
      .field("venue", o.venue)
      .field("market_id", o.market_id)
      .field("selection_id", o.selection_id)
      .field("side", "back")
      .field("stake_minor", o.stake_minor)
      .field("price", Odds{o.odds}.str())
      .end_object();
  return w.take();
}

HedgeAnswer parse_venue_answer(uint64_t hedge_id, int status, const std::string& body,
                               const std::string& transport_error) {
  HedgeAnswer a;
  a.hedge_id = hedge_id;
  if (status == 0) {
    a.detail = transport_error.empty() ? "no answer" : transport_error;
    return a;
  }
  const bool matched = status == 200 || status == 201;
  const bool rejected = status == 409 || status == 422;
  if (!matched && !rejected) {
    a.detail = fmt::format("venue answered {}", status);
    return a;
  }
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(body);
  simdjson::ondemand::document doc;
  std::string_view st, price, reason;
  if (parser.iterate(json).get(doc) || doc.get_object().error()) {
    a.detail = fmt::format("venue answered {} with a body that is not JSON", status);
    return a;
  }
  simdjson::ondemand::object obj = doc.get_object().value_unsafe();
  bool bad = false;
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k)) {
      bad = true;
      break;
    }
    if (k == "status") bad |= field.value().get_string().get(st) != simdjson::SUCCESS;
    else if (k == "price") bad |= field.value().get_string().get(price) != simdjson::SUCCESS;
    else if (k == "reason") bad |= field.value().get_string().get(reason) != simdjson::SUCCESS;
    else if (k == "matched_stake_minor") bad |= field.value().get_int64().get(a.matched_stake_minor) != simdjson::SUCCESS;
  }
  if (bad) {
    a.matched_stake_minor = 0;
    a.detail = fmt::format("venue answered {} with a body we cannot read", status);
    return a;
  }
  if (rejected && st == "rejected") {
    a.kind = HedgeAnswer::Kind::kRejected;
    a.detail = reason.empty() ? "rejected" : std::string(reason);
    return a;
  }
  Odds odds;
  if (matched && st == "matched" && a.matched_stake_minor > 0 && Odds::parse(price, odds)) {
    a.kind = HedgeAnswer::Kind::kFilled;
    a.matched_odds = odds.scaled;
    return a;
  }
  a.matched_stake_minor = 0;
  a.detail = fmt::format("venue answered {} without a usable status", status);
  return a;
}

HedgeVenueClient::HedgeVenueClient(const std::string& url, Nanos timeout, int threads, size_t max_queue)
    : timeout_ms_(static_cast<int>(std::max<int64_t>(1, timeout.count() / 1000000))), workers_(threads, max_queue) {
  if (!parse_http_url(url, host_, port_)) throw std::invalid_argument("hedging.venue_url: must be http://host:port");
}

HedgeVenueClient::~HedgeVenueClient() { stop(); }

void HedgeVenueClient::start() {
  stopping_ = false;
  workers_.start();
}

void HedgeVenueClient::stop() {
  stopping_ = true;
  workers_.stop();  // what is still queued is answered failed ("stopping"): sent again at the next start
}

void HedgeVenueClient::send(HedgeOrder order, std::function<void(HedgeAnswer)> answer) {
  const uint64_t id = order.hedge_id;
  auto job = [this, order = std::move(order), answer](bool cancelled) {
    if (cancelled) return answer(HedgeAnswer{order.hedge_id, HedgeAnswer::Kind::kFailed, 0, 0, "stopping", 0});
    answer(call(order));
  };
  if (!workers_.post(std::move(job)))
    answer(HedgeAnswer{id, HedgeAnswer::Kind::kFailed, 0, 0, stopping_ ? "stopping" : "hedging port queue full", 0});
}

HedgeAnswer HedgeVenueClient::call(const HedgeOrder& o) const {
  const auto start = std::chrono::steady_clock::now();
  HttpCallResult r = http_call(host_, port_, "POST", "/v1/orders",
                               {{"Idempotency-Key", fmt::format("hedge-{}", o.hedge_id)}}, venue_order_body(o),
                               timeout_ms_);
  HedgeAnswer a = parse_venue_answer(o.hedge_id, r.status, r.body, r.error);
  a.took_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
  return a;
}

}  // namespace inplay
