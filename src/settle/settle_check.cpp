#include "settle/settle_check.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <optional>

#include "core/json.h"
#include "core/odds.h"
#include "settle/rules.h"

namespace inplay {

namespace so = simdjson::ondemand;

struct SettleChecker::Impl {
  so::parser parser;
  std::string buf;  // the current line, with simdjson's padding after it
};

namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

struct CheckedBet {
  std::string_view id;  // raw JSON token
  std::string_view market, selection, odds_text, line_text;
  bool has_line = false;
  int64_t stake = 0, fthg = -1, ftag = -1;
};

struct Refusal {
  const char* code;
  std::string message;
};

// A scalar that may be given as a JSON number or a string: its text.
simdjson::error_code number_text(so::value v, std::string_view& out) {
  so::json_type t;
  if (auto e = v.type().get(t)) return e;
  if (t == so::json_type::string) return v.get_string().get(out);
  if (t == so::json_type::number) {
    out = trim_right(v.raw_json_token());
    return simdjson::SUCCESS;
  }
  return simdjson::INCORRECT_TYPE;
}

std::optional<Refusal> read_bet(so::document& doc, CheckedBet& b) {
  so::object obj;
  if (doc.get_object().get(obj)) return Refusal{"invalid_json", "a line must be one JSON object"};
  unsigned seen = 0;
  auto once = [&](unsigned bit, std::string_view key) -> std::optional<Refusal> {
    if (seen & bit) return Refusal{"bad_value", fmt::format("{} given twice", key)};
    seen |= bit;
    return std::nullopt;
  };
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Refusal{"invalid_json", "unreadable key"};
    so::value v;
    if (field.value().get(v)) return Refusal{"invalid_json", fmt::format("{}: unreadable value", key)};
    auto int_field = [&](int64_t& out, int64_t lo, int64_t hi) -> std::optional<Refusal> {
      if (v.get_int64().get(out)) return Refusal{"wrong_type", fmt::format("{} must be an integer", key)};
      if (out < lo || out > hi) return Refusal{"bad_value", fmt::format("{} must be in [{}, {}]", key, lo, hi)};
      return std::nullopt;
    };
    auto str_field = [&](std::string_view& out) -> std::optional<Refusal> {
      if (v.get_string().get(out)) return Refusal{"wrong_type", fmt::format("{} must be a string", key)};
      return std::nullopt;
    };
    std::optional<Refusal> r;
    if (key == "id") {
      if ((r = once(1, key))) return r;
      so::json_type t;
      if (v.type().get(t) || (t != so::json_type::string && t != so::json_type::number))
        return Refusal{"wrong_type", "id must be a string or an integer"};
      b.id = trim_right(v.raw_json_token());
      if (t == so::json_type::number) {
        int64_t i;
        if (v.get_int64().get(i)) return Refusal{"wrong_type", "id must be a string or an integer"};
      } else {
        std::string_view s;
        if (v.get_string().get(s)) return Refusal{"invalid_json", "id: bad string"};
      }
    } else if (key == "market") {
      if ((r = once(2, key)) || (r = str_field(b.market))) return r;
    } else if (key == "line") {
      if ((r = once(4, key))) return r;
      if (number_text(v, b.line_text)) return Refusal{"wrong_type", "line must be a number or a string"};
      b.has_line = true;
    } else if (key == "selection") {
      if ((r = once(8, key)) || (r = str_field(b.selection))) return r;
    } else if (key == "stake") {
      if ((r = once(16, key)) || (r = int_field(b.stake, 1, 1'000'000'000'000))) return r;
    } else if (key == "odds") {
      if ((r = once(32, key))) return r;
      if (number_text(v, b.odds_text)) return Refusal{"wrong_type", "odds must be a decimal string like \"6.36\""};
    } else if (key == "fthg") {
      if ((r = once(64, key)) || (r = int_field(b.fthg, 0, 99))) return r;
    } else if (key == "ftag") {
      if ((r = once(128, key)) || (r = int_field(b.ftag, 0, 99))) return r;
    }  // other fields: skipped unread
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS)
    return Refusal{"invalid_json", "content after the object"};
  for (auto [bit, name] : {std::pair{2u, "market"}, std::pair{8u, "selection"}, std::pair{16u, "stake"},
                           std::pair{32u, "odds"}, std::pair{64u, "fthg"}, std::pair{128u, "ftag"}})
    if (!(seen & bit)) return Refusal{"missing_field", fmt::format("{} is required", name)};
  return std::nullopt;
}

// The bet in the rules' vocabulary.
std::optional<Refusal> to_rule(const CheckedBet& b, BetMarket& market, Line& line, std::string_view& sel) {
  const bool lined = b.market == "TOTAL" || b.market == "AH";
  if (b.market == "1X2") {
    market = BetMarket::kMatchResult;
    sel = b.selection == "H" ? "home" : b.selection == "D" ? "draw" : b.selection == "A" ? "away" : "";
  } else if (b.market == "TOTAL") {
    market = BetMarket::kTotalGoals;
    sel = b.selection == "over" || b.selection == "under" ? b.selection : "";
  } else if (b.market == "AH") {
    market = BetMarket::kAsianHandicap;
    sel = b.selection == "home" || b.selection == "away" ? b.selection : "";
  } else if (b.market == "BTTS") {
    market = BetMarket::kBothTeamsToScore;
    sel = b.selection == "yes" || b.selection == "no" ? b.selection : "";
  } else {
    return Refusal{"bad_value", "market must be 1X2, TOTAL, AH or BTTS"};
  }
  if (sel.empty()) {
    const char* allowed = market == BetMarket::kMatchResult   ? "H, D or A"
                          : market == BetMarket::kTotalGoals  ? "over or under"
                          : market == BetMarket::kAsianHandicap ? "home or away"
                                                                : "yes or no";
    return Refusal{"bad_value", fmt::format("selection of a {} bet must be {}", b.market, allowed)};
  }
  if (lined && !b.has_line) return Refusal{"missing_field", fmt::format("line is required for {}", b.market)};
  if (!lined && b.has_line) return Refusal{"bad_value", "line is for TOTAL and AH only"};
  if (lined && !Line::parse(b.line_text, line))
    return Refusal{"bad_value", "line must be a multiple of 0.25 goals within ±20 (e.g. 2.25, -0.75)"};
  if (market == BetMarket::kTotalGoals && line.quarters < 0) return Refusal{"bad_value", "a total line is not negative"};
  return std::nullopt;
}

}  // namespace

SettleChecker::SettleChecker() : impl_(std::make_unique<Impl>()) {}
SettleChecker::~SettleChecker() = default;

SettleCheckStats SettleChecker::run(std::string_view input, std::string& out, uint64_t line_offset) {
  SettleCheckStats stats;
  uint64_t line_no = line_offset;
  auto out_it = std::back_inserter(out);
  while (!input.empty()) {
    size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    ++line_no;
    line = trim_right(line);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string& buf = impl_->buf;
    buf.assign(line);
    buf.append(simdjson::SIMDJSON_PADDING, '\0');
    CheckedBet b;
    std::optional<Refusal> refused;
    so::document doc;
    if (impl_->parser.iterate(buf.data(), line.size(), buf.size()).get(doc)) {
      refused = Refusal{"invalid_json", "not JSON"};
    } else {
      refused = read_bet(doc, b);
    }
    BetMarket market{};
    Line l;
    std::string_view sel;
    Odds odds;
    if (!refused) refused = to_rule(b, market, l, sel);
    if (!refused && !Odds::parse(b.odds_text, odds))
      refused = Refusal{"bad_value", "odds must be decimal odds in [1.01, 1000] with at most 4 decimals"};
    if (refused) {
      ++stats.errors;
      // The id is echoed only when it was read whole (a valid token).
      fmt::format_to(out_it, "{{\"line\":{}", line_no);
      if (!b.id.empty()) fmt::format_to(out_it, ",\"id\":{}", b.id);
      fmt::format_to(out_it, ",\"error\":\"{}\",\"message\":", refused->code);
      json_escape_into(out, refused->message);
      out += "}\n";
      continue;
    }
    const SettleResult r = *settle_selection(market, l, sel, Score{static_cast<int>(b.fthg), static_cast<int>(b.ftag)});
    const int64_t ret = settled_return(b.stake, odds, outcome_result(r));
    fmt::format_to(out_it, "{{\"id\":{},\"outcome\":\"{}\",\"return\":{}}}\n", b.id, settle_result_name(r), ret);
    ++stats.bets;
  }
  return stats;
}

}  // namespace inplay
