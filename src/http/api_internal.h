// Internals shared by the API's route files (api.cpp, api_incidents.cpp):
// the exchange of one request, the send helpers and Api::Impl. Not part of
// the public interface; include only from src/http/api*.cpp.
#pragma once
#include <fmt/format.h>
#include <openssl/evp.h>

#include <atomic>
#include <charconv>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "http/api.h"
#include "http/reply.h"
#include "http/views.h"
#include "telemetry/attributes.h"

namespace inplay::api_detail {

// One request in flight: its gateway span and where the answer goes.
struct Exchange {
  Responder respond;
  Span span;
  std::string route;
  Tracer* tracer;
  Clock* clock;
  Family<Counter>* requests;
  // Set for POST /v1/bets: counts the answer for the bet_errors SLI.
  std::atomic<uint64_t>* bets_total = nullptr;
  std::atomic<uint64_t>* bets_5xx = nullptr;
};

// Ends the exchange: closes and records the gateway span, counts the answer
// (by route and status, and for the bet_errors SLI) and hands it over.
inline void finish(const std::shared_ptr<Exchange>& x, HttpResponse r) {
  x->span.end_ns = to_ns(x->clock->now());
  x->span.error = r.status >= 500;
  x->span.attr(attr::kStatus, static_cast<int64_t>(r.status));
  x->tracer->record(std::move(x->span));
  x->requests->with({x->route, std::to_string(r.status)}).inc();
  if (x->bets_total) {
    x->bets_total->fetch_add(1, std::memory_order_relaxed);
    if (r.status >= 500) x->bets_5xx->fetch_add(1, std::memory_order_relaxed);
  }
  x->respond(std::move(r));
}

inline void send(const std::shared_ptr<Exchange>& x, int status, std::string body,
          std::vector<std::pair<std::string, std::string>> extra = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(extra);
  r.headers.emplace_back("traceparent", format_traceparent(x->span.context()));
  finish(x, std::move(r));
}

inline void send_error(const std::shared_ptr<Exchange>& x, const Error& e) {
  std::vector<std::pair<std::string, std::string>> extra;
  if (e.code == ErrorCode::kOverloaded || e.code == ErrorCode::kNotReady)
    extra.emplace_back("Retry-After", "1");
  send(x, error_http_status(e.code), error_body(e), std::move(extra));
}


inline bool parse_id(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out > 0;
}

inline std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

inline Fingerprint fingerprint(const HttpRequest& req) {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha256(), nullptr);
  EVP_DigestUpdate(c, req.method.data(), req.method.size());
  EVP_DigestUpdate(c, " ", 1);
  auto path = req.path();
  EVP_DigestUpdate(c, path.data(), path.size());
  EVP_DigestUpdate(c, "\n", 1);
  EVP_DigestUpdate(c, req.body.data(), req.body.size());
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(c, d, &len);
  EVP_MD_CTX_free(c);
  Fingerprint f;
  std::copy(d, d + f.size(), f.begin());
  return f;
}

inline const Error kOverloaded{ErrorCode::kOverloaded, "the engine queue is full; retry shortly"};

}  // namespace inplay::api_detail

namespace inplay {

class WarRoom;
constexpr size_t kMaxWarroomStreams = 8;  // one per open war-room page

using namespace api_detail;  // the route files share these helpers

struct Api::Impl {
  ApiDeps d;
  Family<Counter>* requests;
  std::atomic<uint64_t> bets_total{0}, bets_5xx{0};
  std::shared_ptr<WarRoom> warroom;  // api_warroom.cpp

  explicit Impl(ApiDeps deps) : d(deps) {
    requests = &d.metrics.counter("http_requests_total", "HTTP requests by route and status code",
                                  {"route", "code"});
    start_warroom();
  }

  // Where a desk's outcome goes: rendered (http/views.h) on the engine
  // thread, sent from the I/O thread.
  OutcomeFn answer(std::shared_ptr<Exchange> x) {
    Engine* e = &d.engine;
    return [x, e](const Outcome& o) {
      Reply r = render(o, e->state());
      send(x, r.status, std::move(r.body));
    };
  }

  // Runs fn(state) on the engine thread and replies with its result in
  // journal order.
  template <class Fn>
  void read(const std::shared_ptr<Exchange>& x, Fn fn) {
    Engine* e = &d.engine;
    if (!e->submit([e, x, fn]() mutable {
          e->after_durable([x, r = fn(*e)]() mutable { send(x, r.status, std::move(r.body)); });
        }))
      send_error(x, kOverloaded);
  }

  // Runs a market desk operation that returns Result<bool>, answering with
  // `ok_body(engine)` on success. An operator control names itself in
  // `action` ("suspended market 101 (operator:trader)"): on success the war
  // room's charts mark it.
  template <class Op, class Body>
  void operate(const std::shared_ptr<Exchange>& x, Op op, Body ok_body, std::string action = {}) {
    std::shared_ptr<WarRoom> room = action.empty() ? nullptr : warroom;
    MarketDesk* markets = &d.markets;
    read(x, [markets, op, ok_body, room, action = std::move(action)](Engine& e) mutable -> Reply {
      Result<bool> r = op(*markets);
      if (!r.ok()) return Reply{error_http_status(r.error().code), error_body(r.error())};
      if (room) mark_action(*room, e, std::move(action));
      return Reply{200, ok_body(e)};
    });
  }
  // api_warroom.cpp: engine thread.
  static void mark_action(WarRoom& room, Engine& e, std::string what);

  void handle(HttpRequest& req, Responder respond);
  void dispatch(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                const std::vector<std::string_view>& parts);
  void place_bet(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who);
  void move_money(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                  std::string_view account, TransferReason reason);
  // api_incidents.cpp: /v1/slos, /v1/alerts[/webhook], /v1/incidents...,
  // /v1/actions..., /v1/deploy-guard, /v1/markets/{id}/cashout. True when
  // the path is one of them (answered).
  bool dispatch_incidents(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                          const std::vector<std::string_view>& parts);
  // api_warroom.cpp: the war-room page (static files at "/") and
  // /v1/warroom/{snapshot,stream}. True when answered.
  void start_warroom();
  bool serve_page(HttpRequest& req, const std::shared_ptr<Exchange>& x);
  bool dispatch_warroom(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who,
                        const std::vector<std::string_view>& parts);
  bool idempotency_key(const HttpRequest& req, const std::shared_ptr<Exchange>& x,
                       const Principal& who, std::string& out);
};

}  // namespace inplay
