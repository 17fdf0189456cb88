#include "feed/betfair/market_cache.h"

#include <algorithm>

#include "feed/betfair/mcm_parser.h"

namespace inplay::betfair {

std::string_view to_string(MarketStatus s) {
  switch (s) {
    case MarketStatus::Inactive: return "INACTIVE";
    case MarketStatus::Open: return "OPEN";
    case MarketStatus::Suspended: return "SUSPENDED";
    case MarketStatus::Closed: return "CLOSED";
    case MarketStatus::Unknown: break;
  }
  return "UNKNOWN";
}

std::string_view to_string(RunnerStatus s) {
  switch (s) {
    case RunnerStatus::Active: return "ACTIVE";
    case RunnerStatus::Winner: return "WINNER";
    case RunnerStatus::Loser: return "LOSER";
    case RunnerStatus::Placed: return "PLACED";
    case RunnerStatus::Removed: return "REMOVED";
    case RunnerStatus::RemovedVacant: return "REMOVED_VACANT";
    case RunnerStatus::Hidden: return "HIDDEN";
    case RunnerStatus::Unknown: break;
  }
  return "UNKNOWN";
}


// ---------------------------------------------------------------- ladders

std::optional<PriceSize> DepthLadder::at(size_t level) const {
  if (level >= levels_.size() || levels_[level].size == 0) return std::nullopt;
  return levels_[level];
}

void DepthLadder::set(size_t level, Odds price, double size) {
  if (size == 0) {
    if (level < levels_.size()) levels_[level] = PriceSize{};
    while (!levels_.empty() && levels_.back().size == 0) levels_.pop_back();
    return;
  }
  if (level >= levels_.size()) levels_.resize(level + 1);
  levels_[level] = PriceSize{price, size};
}

size_t DepthLadder::depth() const {
  return static_cast<size_t>(
      std::count_if(levels_.begin(), levels_.end(), [](const PriceSize& p) { return p.size != 0; }));
}

std::optional<PriceSize> RunnerBook::best_back() const {
  if (!atb.empty()) return PriceSize{atb.begin()->first, atb.begin()->second};
  if (auto p = bdatb.at(0)) return p;
  return batb.at(0);
}

std::optional<PriceSize> RunnerBook::best_lay() const {
  if (!atl.empty()) return PriceSize{atl.begin()->first, atl.begin()->second};
  if (auto p = bdatl.at(0)) return p;
  return batl.at(0);
}

const RunnerBook* MarketBook::runner(int64_t selection_id, double handicap) const {
  for (const auto& r : runners)
    if (r.selection_id == selection_id && r.handicap == handicap) return &r;
  return nullptr;
}

std::vector<int64_t> MarketBook::winners() const {
  std::vector<int64_t> w;
  for (const auto& r : runners)
    if (r.status == RunnerStatus::Winner) w.push_back(r.selection_id);
  return w;
}

// ---------------------------------------------------------------- parsing
//
// Staging: flat vectors reused across messages (no allocation once warm).
// String views point into the padded input or the simdjson string buffer and
// stay valid until the next parse.

MarketCache::MarketCache() : parser_(std::make_unique<Parser>()) {}
MarketCache::~MarketCache() = default;

const MarketBook* MarketCache::market(std::string_view id) const {
  auto it = markets_.find(id);
  return it == markets_.end() ? nullptr : &it->second;
}

ApplyResult MarketCache::apply(std::string_view message) {
  ++stats_.messages;
  Parser& p = *parser_;
  if (!p.parse(message)) {
    ++stats_.errors;
    return ApplyResult{ApplyResult::Kind::Error, p.error ? p.error : "invalid message"};
  }
  if (p.op != "mcm") {
    ++stats_.ignored;
    return ApplyResult{ApplyResult::Kind::Ignored, {}};
  }
  if (!p.has_clk && !p.has_status) {
    // Every market change message carries its clock (a 503 status may not).
    ++stats_.errors;
    return ApplyResult{ApplyResult::Kind::Error, "mcm without clk"};
  }
  commit();
  if (p.has_ct && p.ct == "HEARTBEAT") {
    ++stats_.heartbeats;
    return ApplyResult{ApplyResult::Kind::Heartbeat, {}};
  }
  return ApplyResult{ApplyResult::Kind::Applied, {}};
}

namespace {

RunnerBook& find_or_add(MarketBook& m, int64_t id, double hc) {
  for (auto& r : m.runners)
    if (r.selection_id == id && r.handicap == hc) return r;
  RunnerBook& r = m.runners.emplace_back();
  r.selection_id = id;
  r.handicap = hc;
  return r;
}

}  // namespace

void MarketCache::commit() {
  Parser& p = *parser_;
  ++stats_.mcm;
  stats_.snapped_prices += p.snapped;
  if (p.has_clk) stream_.clk.assign(p.clk);
  if (p.has_initial_clk) stream_.initial_clk.assign(p.initial_clk);
  stream_.last_ct.assign(p.has_ct ? p.ct : std::string_view{});
  if (p.has_pt) stream_.pt = p.pt;
  if (p.has_conflate) stream_.conflate_ms = p.conflate_ms;
  if (p.has_heartbeat) stream_.heartbeat_ms = p.heartbeat_ms;
  if (p.has_status) {
    stream_.last_status = static_cast<int>(p.status);
    ++stats_.stream_status;
  }
  const uint64_t msg = stats_.messages;

  for (const auto& mc : p.mcs) {
    ++stats_.market_changes;
    auto it = markets_.find(mc.id);
    bool created = it == markets_.end();
    MarketStatus old_status = MarketStatus::Unknown;
    bool old_in_play = false;
    int old_delay = 0;
    if (created) {
      it = markets_.emplace(std::string(mc.id), MarketBook{}).first;
      it->second.id.assign(mc.id);
    } else {
      old_status = it->second.status;
      old_in_play = it->second.in_play;
      old_delay = it->second.bet_delay;
    }
    MarketBook& m = it->second;
    if (mc.img) {
      ++stats_.images;
      m = MarketBook{};
      m.id.assign(mc.id);
    }
    MarketEvent base{};
    base.market = &m;
    base.message = msg;
    base.pt = p.pt;
    if (created || mc.img) {
      MarketEvent e = base;
      e.kind = created ? MarketEvent::Kind::Created : MarketEvent::Kind::Image;
      emit(e);
    }

    m.conflated = mc.con;
    if (mc.con) ++stats_.conflated;
    if (mc.has_tv) m.tv = mc.tv;
    if (p.has_pt) m.last_pt = p.pt;
    ++m.changes;

    if (mc.has_def) {
      ++stats_.definitions;
      const auto& d = mc.def;
      m.has_definition = true;
      if (d.status) m.status = *d.status;
      if (d.in_play) m.in_play = *d.in_play;
      if (d.bet_delay) m.bet_delay = static_cast<int>(*d.bet_delay);
      if (d.version) m.version = *d.version;
      if (d.complete) m.complete = *d.complete;
      if (d.cross_matching) m.cross_matching = *d.cross_matching;
      if (d.number_of_winners) m.number_of_winners = static_cast<int>(*d.number_of_winners);
      if (d.number_of_active_runners)
        m.number_of_active_runners = static_cast<int>(*d.number_of_active_runners);
      if (d.market_type) m.market_type.assign(*d.market_type);
      if (d.event_type_id) m.event_type_id.assign(*d.event_type_id);
      if (d.event_id) m.event_id.assign(*d.event_id);
      if (d.ladder_type) m.price_ladder_type.assign(*d.ladder_type);
      if (d.has_runners) {
        for (uint32_t i = d.runners_begin; i < d.runners_end; ++i) {
          const auto& dr = p.def_runners[i];
          bool existed = m.runner(dr.id, dr.hc) != nullptr;
          RunnerBook& r = find_or_add(m, dr.id, dr.hc);
          RunnerStatus before = existed ? r.status : RunnerStatus::Unknown;
          r.status = dr.status;
          r.sort_priority = dr.sort_priority;
          if (before != dr.status) {
            MarketEvent e = base;
            e.kind = MarketEvent::Kind::RunnerStatus;
            e.selection_id = dr.id;
            e.handicap = dr.hc;
            e.runner_from = before;
            e.runner_to = dr.status;
            // Emitted after the whole definition is in place (below).
            pending_.push_back(e);
          }
        }
        // Definition order = sortPriority order (stable for unseen runners).
        std::stable_sort(m.runners.begin(), m.runners.end(),
                         [](const RunnerBook& a, const RunnerBook& b) {
                           auto ka = a.sort_priority == 0 ? INT32_MAX : a.sort_priority;
                           auto kb = b.sort_priority == 0 ? INT32_MAX : b.sort_priority;
                           return ka < kb;
                         });
      }
    }

    for (uint32_t i = mc.rc_begin; i < mc.rc_end; ++i) {
      const auto& rc = p.rcs[i];
      ++stats_.runner_changes;
      RunnerBook& r = find_or_add(m, rc.id, rc.hc);
      if (rc.has_ltp) {
        if (rc.ltp_none) r.ltp.reset(); else r.ltp = rc.ltp;
      }
      if (rc.has_tv) r.tv = rc.tv;
      for (uint32_t k = rc.ops_begin; k < rc.ops_end; ++k) {
        const auto& op = p.ops[k];
        switch (op.side) {
          case Side::Atb:
            if (op.size == 0) r.atb.erase(op.price); else r.atb[op.price] = op.size;
            break;
          case Side::Atl:
            if (op.size == 0) r.atl.erase(op.price); else r.atl[op.price] = op.size;
            break;
          case Side::Trd:
            if (op.size == 0) r.trd.erase(op.price); else r.trd[op.price] = op.size;
            break;
          case Side::Batb: r.batb.set(op.level, op.price, op.size); break;
          case Side::Batl: r.batl.set(op.level, op.price, op.size); break;
          case Side::Bdatb: r.bdatb.set(op.level, op.price, op.size); break;
          case Side::Bdatl: r.bdatl.set(op.level, op.price, op.size); break;
        }
      }
    }

    if (m.status != old_status) {
      MarketEvent e = base;
      e.kind = MarketEvent::Kind::Status;
      e.from = old_status;
      e.to = m.status;
      emit(e);
    }
    if (m.in_play != old_in_play) {
      MarketEvent e = base;
      e.kind = MarketEvent::Kind::InPlay;
      e.in_play = m.in_play;
      emit(e);
    }
    if (m.bet_delay != old_delay) {
      MarketEvent e = base;
      e.kind = MarketEvent::Kind::BetDelay;
      e.bet_delay = m.bet_delay;
      emit(e);
    }
    for (const auto& e : pending_) emit(e);
    pending_.clear();
  }
}

}  // namespace inplay::betfair
