// FeedDesk, its reference side (ODDS-6): drift against a live, fresh
// reference, and what is wrong with a reference feed. See feed/feed_desk.h.
#include "feed/feed_desk.h"
#include "core/clock.h"

namespace inplay {

namespace {
// A reference feed that refused a line within this is "refusing lines".
constexpr int64_t kRefusedWindowNs = 10 * kNsPerSecond;
}  // namespace

std::optional<double> FeedDesk::drift(uint64_t market_id) const {
  auto it = drift_.find(market_id);
  if (it == drift_.end()) return std::nullopt;
  return it->second;
}

void FeedDesk::set_reference_prices(uint64_t market_id, const std::vector<std::pair<uint64_t, Odds>>& prices) {
  auto& ref = exchange_ref_[market_id];
  ref.clear();
  for (auto& [sid, odds] : prices) ref[sid] = odds;
  update_drift(market_id, to_ns(engine_.clock().now()));
}

const std::unordered_map<uint64_t, Odds>* FeedDesk::live_reference(const Sport& s, const Market& m,
                                                                    int64_t now_ns) const {
  // The exchange's prices if it has any for the market (its adapter empties
  // them when the exchange suspends), else the reference feed's — only when
  // the feed is up and on time and its price is no older than the market's
  // own limit: drift against a frozen reference is not drift (a reference
  // refusing one league's lines leaves that league's drift unknown only).
  auto x = exchange_ref_.find(m.id);
  if (x != exchange_ref_.end() && !x->second.empty()) return &x->second;
  if (s.reference == SIZE_MAX) return nullptr;
  const Feed& ref = feeds_[s.reference];
  if (ref.state != FeedState::kUp || !reference_on_time(ref, now_ns)) return nullptr;
  auto r = ref.cache.find(m.id);
  if (r == ref.cache.end()) return nullptr;
  if (now_ns - r->second.provider_ts_ms * 1'000'000 > m.staleness_limit.count()) return nullptr;
  return &r->second.fair;
}

void FeedDesk::update_drift(uint64_t market_id, int64_t now_ns) {
  const Market* mk = engine_.state().book.market(market_id);
  if (!mk) return;
  auto s = sports_.find(engine_.state().book.event(mk->event_id)->sport);
  if (s == sports_.end() || s->second.active == SIZE_MAX) return;
  const Feed& act = feeds_[s->second.active];
  auto a = act.cache.find(market_id);
  if (a == act.cache.end()) return;
  const std::unordered_map<uint64_t, Odds>* ref = live_reference(s->second, *mk, now_ns);
  std::vector<std::pair<Odds, Odds>> pairs;
  for (uint64_t sid : mk->selections) {
    if (!ref) break;
    auto pa = a->second.fair.find(sid);
    auto pr = ref->find(sid);
    if (pa != a->second.fair.end() && pr != ref->end()) pairs.emplace_back(pa->second, pr->second);
  }
  if (pairs.empty()) {  // no live reference now: unknown, and the band forgets it
    drift_.erase(market_id);
    drift_band_.reset(market_id);
    return;
  }
  double score = drift_score(pairs);
  drift_[market_id] = score;
  drift_band_.update(market_id, score, now_ns);
}

void FeedDesk::refresh_drift(int64_t now_ns) {
  for (Feed& f : feeds_) {
    if (f.parse_errors != f.errors_seen) f.last_refused_ns = now_ns;
    f.errors_seen = f.parse_errors;
  }
  std::vector<uint64_t> scored;
  scored.reserve(drift_.size());
  for (auto& [mid, score] : drift_) scored.push_back(mid);
  for (uint64_t mid : scored) update_drift(mid, now_ns);
}

bool FeedDesk::reference_on_time(const Feed& f, int64_t now_ns) const {
  // Late as feed_late reads a pricing feed: even its most punctual recent
  // line was over the bound (one jittery line does not blank the drift).
  std::optional<int64_t> least = f.timeliness.least_delay_ns(now_ns);
  return least && *least <= opts_.fresh_within_ns;
}

std::string FeedDesk::reference_problem(size_t i) const {
  const Feed& f = feeds_[i];
  const int64_t now_ns = to_ns(engine_.clock().now());
  if (f.state != FeedState::kUp) return "down";
  if (!reference_on_time(f, now_ns)) return "late";
  if (f.last_refused_ns && now_ns - f.last_refused_ns < kRefusedWindowNs)
    return "refusing lines";
  return "";
}

}  // namespace inplay
