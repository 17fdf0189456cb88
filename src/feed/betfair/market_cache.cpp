#include "feed/betfair/market_cache.h"

#include <simdjson.h>

#include <algorithm>

#include "feed/betfair/price.h"

namespace inplay::betfair {

namespace sj = simdjson::ondemand;

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

namespace {

MarketStatus market_status_of(std::string_view s) {
  if (s == "OPEN") return MarketStatus::Open;
  if (s == "SUSPENDED") return MarketStatus::Suspended;
  if (s == "CLOSED") return MarketStatus::Closed;
  if (s == "INACTIVE") return MarketStatus::Inactive;
  return MarketStatus::Unknown;
}

RunnerStatus runner_status_of(std::string_view s) {
  if (s == "ACTIVE") return RunnerStatus::Active;
  if (s == "WINNER") return RunnerStatus::Winner;
  if (s == "LOSER") return RunnerStatus::Loser;
  if (s == "PLACED") return RunnerStatus::Placed;
  if (s == "REMOVED") return RunnerStatus::Removed;
  if (s == "REMOVED_VACANT") return RunnerStatus::RemovedVacant;
  if (s == "HIDDEN") return RunnerStatus::Hidden;
  return RunnerStatus::Unknown;
}

constexpr size_t kMaxDepth = 64;  // Betfair sends at most 10 levels

enum class Side : uint8_t { Atb, Atl, Trd, Batb, Batl, Bdatb, Bdatl };

}  // namespace

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

struct MarketCache::Parser {
  struct LevelOp {
    Side side;
    uint32_t level;
    Odds price;
    double size;
  };
  struct Rc {
    int64_t id = 0;
    double hc = 0;
    bool has_ltp = false, has_tv = false, ltp_none = false;
    Odds ltp;
    double tv = 0;
    uint32_t ops_begin = 0, ops_end = 0;
  };
  struct DefRunner {
    int64_t id = 0;
    double hc = 0;
    RunnerStatus status = RunnerStatus::Active;
    int sort_priority = 0;
  };
  struct Def {
    std::optional<MarketStatus> status;
    std::optional<bool> in_play, complete, cross_matching;
    std::optional<int64_t> bet_delay, version, number_of_winners, number_of_active_runners;
    std::optional<std::string_view> market_type, event_type_id, event_id, ladder_type;
    bool has_runners = false;
    uint32_t runners_begin = 0, runners_end = 0;
  };
  struct Mc {
    std::string_view id;
    bool has_id = false, img = false, con = false, has_tv = false, has_def = false;
    double tv = 0;
    Def def;
    uint32_t rc_begin = 0, rc_end = 0;
  };

  sj::parser parser;
  std::string buffer;  // the message, with simdjson's padding

  // The staged message.
  std::string_view op, ct, clk, initial_clk;
  bool has_op = false, has_ct = false, has_clk = false, has_initial_clk = false;
  bool has_pt = false, has_conflate = false, has_heartbeat = false, has_status = false;
  int64_t pt = 0, conflate_ms = 0, heartbeat_ms = 0, status = 0;
  std::vector<Mc> mcs;
  std::vector<Rc> rcs;
  std::vector<LevelOp> ops;
  std::vector<DefRunner> def_runners;
  uint64_t snapped = 0;
  const char* error = nullptr;

  void reset() {
    has_op = has_ct = has_clk = has_initial_clk = false;
    has_pt = has_conflate = has_heartbeat = has_status = false;
    mcs.clear(), rcs.clear(), ops.clear(), def_runners.clear();
    snapped = 0;
    error = nullptr;
  }

  bool fail(const char* why) {
    if (!error) error = why;
    return false;
  }

  bool price_of(std::string_view raw, Odds& out) {
    switch (parse_price(raw, out)) {
      case PriceParse::Exact: return true;
      case PriceParse::Snapped: ++snapped; return true;
      case PriceParse::Error: break;
    }
    return fail("bad price");
  }

  bool parse(std::string_view text);
  bool parse_mc(sj::value v);
  bool parse_def(sj::value v, Def& def);
  bool parse_rc(sj::value v);
  bool parse_pairs(sj::value v, Side side);
  bool parse_depth(sj::value v, Side side);
};

#define BF_TRY(expr, why)          \
  do {                             \
    if ((expr) != simdjson::SUCCESS) \
      return fail(why);            \
  } while (0)

bool MarketCache::Parser::parse(std::string_view text) {
  reset();
  buffer.reserve(text.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(text);
  simdjson::padded_string_view in(buffer.data(), buffer.size(), buffer.capacity());
  sj::document doc;
  BF_TRY(parser.iterate(in).get(doc), "invalid JSON");
  sj::object root;
  BF_TRY(doc.get_object().get(root), "not an object");
  for (auto field : root) {
    std::string_view key;
    BF_TRY(field.unescaped_key().get(key), "invalid JSON");
    sj::value v;
    BF_TRY(field.value().get(v), "invalid JSON");
    if (key == "op") {
      BF_TRY(v.get_string().get(op), "op not a string");
      has_op = true;
    } else if (key == "ct") {
      BF_TRY(v.get_string().get(ct), "ct not a string");
      has_ct = true;
    } else if (key == "clk") {
      // An rcm's clk is a number: clocks are only checked for mcm (below).
      if (v.get_string().get(clk) == simdjson::SUCCESS) has_clk = true;
    } else if (key == "initialClk") {
      if (v.get_string().get(initial_clk) == simdjson::SUCCESS) has_initial_clk = true;
    } else if (key == "pt") {
      BF_TRY(v.get_int64().get(pt), "pt not an integer");
      has_pt = true;
    } else if (key == "conflateMs") {
      BF_TRY(v.get_int64().get(conflate_ms), "conflateMs not an integer");
      has_conflate = true;
    } else if (key == "heartbeatMs") {
      BF_TRY(v.get_int64().get(heartbeat_ms), "heartbeatMs not an integer");
      has_heartbeat = true;
    } else if (key == "status") {
      // mcm status (503 ...); other ops send a string here.
      if (v.get_int64().get(status) == simdjson::SUCCESS) has_status = true;
    } else if (key == "mc") {
      sj::array arr;
      BF_TRY(v.get_array().get(arr), "mc not an array");
      for (auto el : arr) {
        sj::value mv;
        BF_TRY(el.get(mv), "invalid JSON");
        if (!parse_mc(mv)) return false;
      }
    }
    // Anything else (id, segmentType, _stream_id, oc, rc of an rcm...) is skipped.
  }
  if (!has_op) return fail("missing op");
  return true;
}

bool MarketCache::Parser::parse_mc(sj::value v) {
  sj::object obj;
  BF_TRY(v.get_object().get(obj), "mc entry not an object");
  Mc mc;
  mc.rc_begin = mc.rc_end = static_cast<uint32_t>(rcs.size());
  for (auto field : obj) {
    std::string_view key;
    BF_TRY(field.unescaped_key().get(key), "invalid JSON");
    sj::value fv;
    BF_TRY(field.value().get(fv), "invalid JSON");
    if (key == "id") {
      BF_TRY(fv.get_string().get(mc.id), "market id not a string");
      mc.has_id = true;
    } else if (key == "img") {
      BF_TRY(fv.get_bool().get(mc.img), "img not a bool");
    } else if (key == "con") {
      BF_TRY(fv.get_bool().get(mc.con), "con not a bool");
    } else if (key == "tv") {
      BF_TRY(fv.get_double().get(mc.tv), "tv not a number");
      mc.has_tv = true;
    } else if (key == "marketDefinition") {
      if (!parse_def(fv, mc.def)) return false;
      mc.has_def = true;
    } else if (key == "rc") {
      sj::array arr;
      BF_TRY(fv.get_array().get(arr), "rc not an array");
      for (auto el : arr) {
        sj::value rv;
        BF_TRY(el.get(rv), "invalid JSON");
        if (!parse_rc(rv)) return false;
      }
      mc.rc_end = static_cast<uint32_t>(rcs.size());
    }
  }
  if (!mc.has_id || mc.id.empty()) return fail("mc entry without market id");
  mcs.push_back(mc);
  return true;
}

bool MarketCache::Parser::parse_def(sj::value v, Def& def) {
  sj::object obj;
  BF_TRY(v.get_object().get(obj), "marketDefinition not an object");
  for (auto field : obj) {
    std::string_view key;
    BF_TRY(field.unescaped_key().get(key), "invalid JSON");
    sj::value fv;
    BF_TRY(field.value().get(fv), "invalid JSON");
    std::string_view s;
    bool b = false;
    int64_t i = 0;
    if (key == "status") {
      BF_TRY(fv.get_string().get(s), "status not a string");
      def.status = market_status_of(s);
    } else if (key == "inPlay") {
      BF_TRY(fv.get_bool().get(b), "inPlay not a bool");
      def.in_play = b;
    } else if (key == "complete") {
      BF_TRY(fv.get_bool().get(b), "complete not a bool");
      def.complete = b;
    } else if (key == "crossMatching") {
      BF_TRY(fv.get_bool().get(b), "crossMatching not a bool");
      def.cross_matching = b;
    } else if (key == "betDelay") {
      BF_TRY(fv.get_int64().get(i), "betDelay not an integer");
      def.bet_delay = i;
    } else if (key == "version") {
      BF_TRY(fv.get_int64().get(i), "version not an integer");
      def.version = i;
    } else if (key == "numberOfWinners") {
      BF_TRY(fv.get_int64().get(i), "numberOfWinners not an integer");
      def.number_of_winners = i;
    } else if (key == "numberOfActiveRunners") {
      BF_TRY(fv.get_int64().get(i), "numberOfActiveRunners not an integer");
      def.number_of_active_runners = i;
    } else if (key == "marketType") {
      BF_TRY(fv.get_string().get(s), "marketType not a string");
      def.market_type = s;
    } else if (key == "eventTypeId") {
      BF_TRY(fv.get_string().get(s), "eventTypeId not a string");
      def.event_type_id = s;
    } else if (key == "eventId") {
      BF_TRY(fv.get_string().get(s), "eventId not a string");
      def.event_id = s;
    } else if (key == "priceLadderDefinition") {
      sj::object lo;
      BF_TRY(fv.get_object().get(lo), "priceLadderDefinition not an object");
      for (auto lf : lo) {
        std::string_view lk;
        BF_TRY(lf.unescaped_key().get(lk), "invalid JSON");
        if (lk == "type") {
          BF_TRY(lf.value().get_string().get(s), "ladder type not a string");
          def.ladder_type = s;
        }
      }
    } else if (key == "runners") {
      sj::array arr;
      BF_TRY(fv.get_array().get(arr), "runners not an array");
      def.has_runners = true;
      def.runners_begin = static_cast<uint32_t>(def_runners.size());
      for (auto el : arr) {
        sj::object ro;
        BF_TRY(el.get_object().get(ro), "runner not an object");
        DefRunner r;
        bool has_id = false;
        for (auto rf : ro) {
          std::string_view rk;
          BF_TRY(rf.unescaped_key().get(rk), "invalid JSON");
          sj::value rv;
          BF_TRY(rf.value().get(rv), "invalid JSON");
          if (rk == "id") {
            BF_TRY(rv.get_int64().get(r.id), "runner id not an integer");
            has_id = true;
          } else if (rk == "hc") {
            BF_TRY(rv.get_double().get(r.hc), "hc not a number");
          } else if (rk == "status") {
            BF_TRY(rv.get_string().get(s), "runner status not a string");
            r.status = runner_status_of(s);
          } else if (rk == "sortPriority") {
            BF_TRY(rv.get_int64().get(i), "sortPriority not an integer");
            r.sort_priority = static_cast<int>(i);
          }
          // bsp, adjustmentFactor, removalDate, name ... skipped
        }
        if (!has_id) return fail("runner without id");
        def_runners.push_back(r);
      }
      def.runners_end = static_cast<uint32_t>(def_runners.size());
    }
  }
  return true;
}

bool MarketCache::Parser::parse_rc(sj::value v) {
  sj::object obj;
  BF_TRY(v.get_object().get(obj), "rc entry not an object");
  Rc rc;
  rc.ops_begin = static_cast<uint32_t>(ops.size());
  bool has_id = false;
  for (auto field : obj) {
    std::string_view key;
    BF_TRY(field.unescaped_key().get(key), "invalid JSON");
    sj::value fv;
    BF_TRY(field.value().get(fv), "invalid JSON");
    if (key == "id") {
      BF_TRY(fv.get_int64().get(rc.id), "selection id not an integer");
      has_id = true;
    } else if (key == "hc") {
      BF_TRY(fv.get_double().get(rc.hc), "hc not a number");
    } else if (key == "ltp") {
      bool null = false;
      BF_TRY(fv.is_null().get(null), "invalid JSON");
      if (!null) {
        sj::json_type t;
        BF_TRY(fv.type().get(t), "invalid JSON");
        if (t != sj::json_type::number) return fail("ltp not a number");
        std::string_view raw = fv.raw_json_token();
        double d = 0;
        BF_TRY(fv.get_double().get(d), "ltp not a number");
        rc.has_ltp = true;
        // Images send "ltp":0 for a runner that has not traded: no price.
        if (d == 0) {
          rc.ltp_none = true;
        } else if (!price_of(raw, rc.ltp)) {
          return false;
        }
      }
    } else if (key == "tv") {
      BF_TRY(fv.get_double().get(rc.tv), "tv not a number");
      rc.has_tv = true;
    } else if (key == "atb") {
      if (!parse_pairs(fv, Side::Atb)) return false;
    } else if (key == "atl") {
      if (!parse_pairs(fv, Side::Atl)) return false;
    } else if (key == "trd") {
      if (!parse_pairs(fv, Side::Trd)) return false;
    } else if (key == "batb") {
      if (!parse_depth(fv, Side::Batb)) return false;
    } else if (key == "batl") {
      if (!parse_depth(fv, Side::Batl)) return false;
    } else if (key == "bdatb") {
      if (!parse_depth(fv, Side::Bdatb)) return false;
    } else if (key == "bdatl") {
      if (!parse_depth(fv, Side::Bdatl)) return false;
    }
    // spb, spl, spn, spf (starting price) ... skipped
  }
  if (!has_id) return fail("rc entry without id");
  rc.ops_end = static_cast<uint32_t>(ops.size());
  rcs.push_back(rc);
  return true;
}

// [[price, size], ...]
bool MarketCache::Parser::parse_pairs(sj::value v, Side side) {
  sj::array arr;
  BF_TRY(v.get_array().get(arr), "ladder not an array");
  for (auto el : arr) {
    sj::array pair;
    BF_TRY(el.get_array().get(pair), "ladder level not an array");
    std::string_view price_raw;
    double size = 0;
    int n = 0;
    for (auto x : pair) {
      sj::value xv;
      BF_TRY(x.get(xv), "invalid JSON");
      if (n == 0) {
        sj::json_type t;
        BF_TRY(xv.type().get(t), "invalid JSON");
        if (t != sj::json_type::number) return fail("price not a number");
        price_raw = xv.raw_json_token();
      } else if (n == 1) {
        BF_TRY(xv.get_double().get(size), "size not a number");
      }
      ++n;
    }
    if (n != 2) return fail("ladder level not [price, size]");
    if (size < 0) return fail("negative size");
    LevelOp op{side, 0, Odds{}, size};
    if (!price_of(price_raw, op.price)) return false;
    ops.push_back(op);
  }
  return true;
}

// [[level, price, size], ...]; with size 0 the price is not looked at.
bool MarketCache::Parser::parse_depth(sj::value v, Side side) {
  sj::array arr;
  BF_TRY(v.get_array().get(arr), "ladder not an array");
  for (auto el : arr) {
    sj::array triple;
    BF_TRY(el.get_array().get(triple), "ladder level not an array");
    std::string_view price_raw;
    int64_t level = 0;
    double size = 0;
    int n = 0;
    for (auto x : triple) {
      sj::value xv;
      BF_TRY(x.get(xv), "invalid JSON");
      if (n == 0) {
        BF_TRY(xv.get_int64().get(level), "level not an integer");
      } else if (n == 1) {
        sj::json_type t;
        BF_TRY(xv.type().get(t), "invalid JSON");
        if (t != sj::json_type::number) return fail("price not a number");
        price_raw = xv.raw_json_token();
      } else if (n == 2) {
        BF_TRY(xv.get_double().get(size), "size not a number");
      }
      ++n;
    }
    if (n != 3) return fail("depth level not [level, price, size]");
    if (level < 0 || level >= static_cast<int64_t>(kMaxDepth)) return fail("depth level out of range");
    if (size < 0) return fail("negative size");
    LevelOp op{side, static_cast<uint32_t>(level), Odds{}, size};
    if (size != 0 && !price_of(price_raw, op.price)) return false;
    ops.push_back(op);
  }
  return true;
}

#undef BF_TRY

// ---------------------------------------------------------------- applying

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
