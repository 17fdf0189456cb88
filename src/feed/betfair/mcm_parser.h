// McmParser: the first half of MarketCache::apply — reading one Exchange
// Stream API message (op=mcm, ...) with simdjson on-demand into a staged,
// validated form (markets, runner changes, ladder operations, definitions)
// without touching the cache, so a malformed message changes nothing. The
// cache (market_cache.cpp) then commits the staged message. Private to the
// Betfair adapter; one instance per MarketCache (not thread-safe).
#pragma once
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feed/betfair/market_cache.h"
#include "feed/betfair/price.h"

namespace inplay::betfair {

namespace sj = simdjson::ondemand;

constexpr size_t kMaxDepth = 64;  // Betfair sends at most 10 levels

enum class Side : uint8_t { Atb, Atl, Trd, Batb, Batl, Bdatb, Bdatl };

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

}  // namespace inplay::betfair
