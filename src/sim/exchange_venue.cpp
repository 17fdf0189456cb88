#include "sim/exchange_venue.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <condition_variable>
#include <queue>
#include <thread>

#include "core/json.h"
#include "core/odds.h"
#include "sim/partner_http.h"

namespace inplay {

// Sends late answers at their time, from one thread.
struct ExchangeVenue::Delayer {
  using Clock = std::chrono::steady_clock;
  struct Item {
    Clock::time_point due;
    uint64_t n;
    Responder respond;
    HttpResponse res;
    bool operator>(const Item& o) const { return due != o.due ? due > o.due : n > o.n; }
  };
  std::mutex mu;
  std::condition_variable cv;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> items;
  uint64_t next = 0;
  bool stopping = false;
  std::thread thread{[this] { run(); }};

  ~Delayer() {
    {
      std::lock_guard<std::mutex> lk(mu);
      stopping = true;
    }
    cv.notify_all();
    thread.join();
  }
  void add(Clock::duration after, Responder respond, HttpResponse res) {
    {
      std::lock_guard<std::mutex> lk(mu);
      items.push(Item{Clock::now() + after, next++, std::move(respond), std::move(res)});
    }
    cv.notify_all();
  }
  void run() {
    std::unique_lock<std::mutex> lk(mu);
    while (!stopping) {
      if (items.empty()) {
        cv.wait(lk);
        continue;
      }
      if (Clock::now() < items.top().due) {
        cv.wait_until(lk, items.top().due);
        continue;
      }
      Item it = std::move(const_cast<Item&>(items.top()));
      items.pop();
      lk.unlock();
      it.respond(std::move(it.res));
      lk.lock();
    }
    // Stopping: whatever is still waiting is answered now (the server is going).
    while (!items.empty()) {
      Item it = std::move(const_cast<Item&>(items.top()));
      items.pop();
      it.respond(std::move(it.res));
    }
  }
};

ExchangeVenue::ExchangeVenue(uint64_t seed) : rng_(seed ^ 0x6865646765ULL), delayer_(std::make_unique<Delayer>()) {}

ExchangeVenue::~ExchangeVenue() { stop(); }

uint16_t ExchangeVenue::start() {
  server_ = partner_http::start_loopback(*this, port_);
  return port_;
}

void ExchangeVenue::stop() {
  if (server_) server_->stop();
  delayer_.reset();
  server_.reset();
}

std::string ExchangeVenue::url() const { return partner_http::loopback_url(port_); }

VenueFaults ExchangeVenue::apply(const VenueFaultPatch& p) {
  std::lock_guard<std::mutex> lk(mu_);
  if (p.latency_ms) faults_.latency_ms = *p.latency_ms;
  if (p.jitter_ms) faults_.jitter_ms = *p.jitter_ms;
  if (p.error_rate) faults_.error_rate = *p.error_rate;
  if (p.reject_rate) faults_.reject_rate = *p.reject_rate;
  if (p.fill_ratio) faults_.fill_ratio = *p.fill_ratio;
  if (p.down) faults_.down = *p.down;
  return faults_;
}

VenueFaults ExchangeVenue::faults() const {
  std::lock_guard<std::mutex> lk(mu_);
  return faults_;
}

std::map<std::string, VenueOrder> ExchangeVenue::orders() const {
  std::lock_guard<std::mutex> lk(mu_);
  return orders_;
}

std::string ExchangeVenue::orders_json() const {
  JsonWriter w;
  w.begin_object().key("orders").begin_array();
  for (auto& [id, o] : orders()) {
    w.begin_object()
        .field("order_id", o.order_id)
        .field("market_id", o.market_id)
        .field("selection_id", o.selection_id)
        .field("stake_minor", o.stake_minor)
        .field("matched_minor", o.matched_minor)
        .field("price", o.price)
        .field("status", o.matched ? "matched" : "rejected")
        .field("requests", o.requests)
        .end_object();
  }
  w.end_array().end_object();
  return w.take();
}

static std::string order_answer(const VenueOrder& o) {
  JsonWriter w;
  w.begin_object().field("order_id", o.order_id);
  if (o.matched)
    w.field("status", "matched").field("matched_stake_minor", o.matched_minor).field("price", o.price);
  else
    w.field("status", "rejected").field("reason", o.reason);
  w.end_object();
  return w.take();
}

HttpResponse ExchangeVenue::take_order(const HttpRequest& req) {
  VenueOrder o;
  simdjson::ondemand::parser parser;
  simdjson::padded_string json(req.body);
  simdjson::ondemand::document doc;
  std::string_view order_id, price, side;
  bool ok = !parser.iterate(json).get(doc);
  simdjson::ondemand::object obj;
  ok = ok && !doc.get_object().get(obj);
  if (ok) {
    for (auto field : obj) {
      std::string_view k;
      if (field.unescaped_key().get(k)) {
        ok = false;
        break;
      }
      if (k == "order_id") ok = ok && !field.value().get_string().get(order_id);
      else if (k == "price") ok = ok && !field.value().get_string().get(price);
      else if (k == "side") ok = ok && !field.value().get_string().get(side);
      else if (k == "stake_minor") ok = ok && !field.value().get_int64().get(o.stake_minor);
      else if (k == "market_id") ok = ok && !field.value().get_uint64().get(o.market_id);
      else if (k == "selection_id") ok = ok && !field.value().get_uint64().get(o.selection_id);
    }
  }
  Odds odds;
  if (!ok || order_id.empty() || side != "back" || o.stake_minor <= 0 || !Odds::parse(price, odds))
    return partner_http::json_response(400, R"({"status":"invalid","reason":"order_id, side back, stake_minor > 0 and price needed"})");
  std::string key(req.header("idempotency-key"));
  if (key.empty()) key = std::string(order_id);

  std::lock_guard<std::mutex> lk(mu_);
  if (faults_.down) return partner_http::json_response(503, R"({"status":"unavailable"})");
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (faults_.error_rate > 0 && u(rng_) < faults_.error_rate) return partner_http::json_response(503, R"({"status":"error"})");
  auto it = orders_.find(key);
  if (it == orders_.end()) {
    o.order_id = std::string(order_id);
    o.price = odds.str();
    const int64_t matched = static_cast<int64_t>(static_cast<double>(o.stake_minor) * faults_.fill_ratio);
    if (faults_.reject_rate > 0 && u(rng_) < faults_.reject_rate) {
      o.reason = "rejected by the venue";
    } else if (matched <= 0) {
      o.reason = "no liquidity at the price";
    } else {
      o.matched = true;
      o.matched_minor = std::min(matched, o.stake_minor);
    }
    it = orders_.emplace(key, std::move(o)).first;
  }
  ++it->second.requests;
  return partner_http::json_response(it->second.matched ? 200 : 409, order_answer(it->second));
}

void ExchangeVenue::handle(HttpRequest&& req, Responder respond) {
  const std::string_view path = req.path();
  if (req.method == "GET" && path == "/v1/orders") return respond(partner_http::json_response(200, orders_json()));
  if (req.method != "POST" || path != "/v1/orders")
    return respond(partner_http::json_response(404, R"({"status":"not_found"})"));
  HttpResponse res = take_order(req);
  int64_t delay_ms;
  {
    std::lock_guard<std::mutex> lk(mu_);
    delay_ms = partner_http::answer_delay_ms(rng_, faults_.latency_ms, faults_.jitter_ms);
  }
  if (delay_ms <= 0) return respond(std::move(res));
  delayer_->add(std::chrono::milliseconds(delay_ms), std::move(respond), std::move(res));
}

}  // namespace inplay
