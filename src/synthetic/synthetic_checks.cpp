#include "synthetic/synthetic_checks.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <limits>

#include "http/client.h"
#include "telemetry/log.h"
#include "warroom/snapshot.h"

namespace inplay {

namespace {

// The fields of GET /v1/markets/{id} a check reads.
struct MarketView {
  bool ok = false;
  std::string status;
  int64_t staleness_ms = -1, limit_ms = 0;
  uint64_t selection_id = 0;
  std::string odds;
};

MarketView parse_market(const std::string& body) {
  MarketView v;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return v;
  std::string_view status;
  if (doc["status"].get(status) || doc["staleness_ms"].get(v.staleness_ms) ||
      doc["staleness_limit_ms"].get(v.limit_ms))
    return v;
  v.status = std::string(status);
  simdjson::dom::array sels;
  if (doc["selections"].get(sels)) return v;
  for (simdjson::dom::element s : sels) {
    std::string_view odds;
    uint64_t id = 0;
    if (s["selection_id"].get(id) || s["odds"].get(odds) || odds.empty()) continue;
    v.selection_id = id;
    v.odds = std::string(odds);
    break;
  }
  v.ok = true;
  return v;
}

}  // namespace

SyntheticChecks::SyntheticChecks(Engine& engine, MetricsRegistry& metrics, SyntheticOptions opts, std::string token)
    : engine_(engine), opts_(std::move(opts)), auth_("Bearer " + std::move(token)) {
  checks_ = &metrics.counter("synthetic_checks_total", "Synthetic checks by check (odds_fresh, bet_accepted) and result",
                             {"check", "result"});
  rounds_total_ = &metrics.counter("synthetic_rounds_total", "Synthetic check rounds run").with({});
  failed_rounds_gauge_ =
      &metrics.gauge("synthetic_failed_rounds", "Consecutive synthetic rounds with a failed check (0: the last passed)")
           .with({});
}

SyntheticChecks::~SyntheticChecks() { stop(); }

void SyntheticChecks::schedule() {
  timer_ = engine_.every(opts_.every, [this] { on_timer(); });
}

void SyntheticChecks::start(uint16_t port) {
  port_ = port;
  thread_ = std::thread([this] { run(); });
}

void SyntheticChecks::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    stopping_ = true;
    queue_.clear();
  }
  stopped_.store(true);
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SyntheticChecks::on_timer() {
  const BookState& s = engine_.state();
  std::vector<uint64_t> markets;
  // Ranked by liability among all markets; probe the in-play, open, priced ones.
  for (uint64_t mid : top_markets_by_liability(s, std::numeric_limits<size_t>::max())) {
    const Market* m = s.book.market(mid);
    const Event* e = s.book.event(m->event_id);
    if (e->state != EventState::kInPlay || m->status != MarketStatus::kOpen || !m->last_update_ns) continue;
    markets.push_back(mid);
    if (markets.size() == opts_.markets) break;
  }
  if (markets.empty()) return;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stopping_ || queue_.size() >= 2) return;  // a slow book: skip a round rather than pile up
    queue_.emplace_back(next_round_++, std::move(markets));
  }
  cv_.notify_one();
}

void SyntheticChecks::run() {
  for (;;) {
    std::pair<uint64_t, std::vector<uint64_t>> job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    probe_round(job.first, job.second);
  }
}

bool SyntheticChecks::ensure_funds(uint64_t round) {
  auto r = http_call("127.0.0.1", port_, "GET", "/v1/accounts/" + opts_.account, {{"Authorization", auth_}}, "",
                     opts_.timeout_ms);
  int64_t balance = 0;
  if (r.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(r.body).get(doc) || doc["balance"].get(balance)) return false;
  } else if (r.status == 404) {
    // Not open yet (a new data dir): the checks' channel opens it, as any
    // channel opens its accounts (SEC-1); a deposit never opens one.
    auto o = http_call("127.0.0.1", port_, "POST", "/v1/accounts",
                       {{"Authorization", auth_}, {"Content-Type", "application/json"}},
                       fmt::format(R"({{"account":"{}"}})", opts_.account), opts_.timeout_ms);
    if (o.status != 201 && o.status != 200) return false;
  } else {
    return false;
  }
  if (balance >= opts_.stake_minor * static_cast<int64_t>(opts_.markets)) return true;
  auto d = http_call("127.0.0.1", port_, "POST", fmt::format("/v1/accounts/{}/deposits", opts_.account),
                     {{"Authorization", auth_},
                      {"Idempotency-Key", fmt::format("synthetic-fund-{}", round)},
                      {"Content-Type", "application/json"}},
                     fmt::format(R"({{"amount":{},"currency":"{}"}})", opts_.top_up_minor,
                                 engine_.config().currency.code()),
                     opts_.timeout_ms);
  return d.status == 201;
}

void SyntheticChecks::probe_round(uint64_t round, const std::vector<uint64_t>& markets) {
  bool failed = !ensure_funds(round);
  if (stopped_.load()) return;
  if (failed) log::warn("synthetic", "cannot fund the synthetic account", {{"round", round}});
  for (uint64_t mid : markets) {
    if (failed) break;
    auto g = http_call("127.0.0.1", port_, "GET", fmt::format("/v1/markets/{}", mid), {{"Authorization", auth_}}, "",
                       opts_.timeout_ms);
    if (stopped_.load()) return;  // the server went away under the call: not a result
    MarketView m = g.status == 200 ? parse_market(g.body) : MarketView{};
    const bool fresh = m.ok && m.status == "open" && m.staleness_ms >= 0 && m.staleness_ms <= m.limit_ms &&
                       m.selection_id != 0;
    checks_->with({"odds_fresh", fresh ? "pass" : "fail"}).inc();
    if (!fresh) {
      failed = true;
      log::warn("synthetic", "check failed", {{"check", "odds_fresh"}, {"market_id", mid}, {"status", g.status}});
      continue;
    }
    auto b = http_call("127.0.0.1", port_, "POST", "/v1/bets",
                       {{"Authorization", auth_},
                        {"Idempotency-Key", fmt::format("synthetic-{}-{}", round, mid)},
                        {"Content-Type", "application/json"}},
                       fmt::format(R"({{"account":"{}","selection_id":{},"stake":{},"currency":"{}","odds":"{}",)"
                                   R"("price_change":"any"}})",
                                   opts_.account, m.selection_id, opts_.stake_minor,
                                   engine_.config().currency.code(), m.odds),
                       opts_.timeout_ms);
    if (stopped_.load()) return;
    const bool accepted = b.status == 201;
    checks_->with({"bet_accepted", accepted ? "pass" : "fail"}).inc();
    if (!accepted) {
      failed = true;
      log::warn("synthetic", "check failed",
                {{"check", "bet_accepted"}, {"market_id", mid}, {"status", b.status}, {"error", b.error}});
      continue;
    }
    // 3. A cash-out quote on the bet just placed (never taken): an offer, or
    //    a deliberate freeze (CASHOUT_FROZEN is the book working, not failing).
    std::string_view bet_id;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(b.body).get(doc) || doc["bet_id"].get(bet_id)) continue;
    auto q = http_call("127.0.0.1", port_, "GET", fmt::format("/v1/bets/{}/cashout", bet_id),
                       {{"Authorization", auth_}}, "", opts_.timeout_ms);
    if (stopped_.load()) return;
    const bool frozen = q.status == 409 && q.body.find("\"CASHOUT_FROZEN\"") != std::string::npos;
    checks_->with({"cashout_quoted", q.status == 200 ? "pass" : frozen ? "frozen" : "fail"}).inc();
    if (q.status != 200 && !frozen) {
      failed = true;
      log::warn("synthetic", "check failed",
                {{"check", "cashout_quoted"}, {"market_id", mid}, {"status", q.status}, {"error", q.error}});
    }
  }
  if (stopped_.load()) return;  // cut short by stop(): not a result
  const int64_t f = failed ? failed_rounds_.load() + 1 : 0;
  failed_rounds_.store(f);
  failed_rounds_gauge_->set(f);
  rounds_.fetch_add(1);
  rounds_total_->inc();
}

}  // namespace inplay
