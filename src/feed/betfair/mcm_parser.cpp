#include "feed/betfair/mcm_parser.h"

namespace inplay::betfair {

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

}  // namespace


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

}  // namespace inplay::betfair
