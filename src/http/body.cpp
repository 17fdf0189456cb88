#include "http/body.h"

#include "http/auth.h"
#include "http/body_fields.h"

#include "feed/wire_text.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <functional>

namespace inplay {

namespace sj = simdjson::ondemand;

bool valid_account_id(std::string_view id) {
  if (id.empty() || id.size() > 64 || id.substr(0, 5) == "house") return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
      return false;
  return true;
}

bool valid_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  for (char c : key)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

namespace body_fields {

namespace {
Error malformed(std::string_view why) {
  return Error{ErrorCode::kMalformedRequest, fmt::format("body is not a JSON object: {}", why)};
}
}  // namespace

Error invalid(std::string_view field, std::string_view why) {
  return Error{ErrorCode::kValidationFailed, fmt::format("{}: {}", field, why)};
}

std::optional<Error> each_field(std::string_view body, const FieldFn& fn) {
  thread_local sj::parser parser;
  thread_local simdjson::dom::parser validator;
  simdjson::padded_string padded(body);
  // On-demand parsing only checks what it reads: it skips the values of
  // ignored fields unvalidated and stops at the object's closing brace. A
  // full parse first makes any invalid JSON (in an unknown field, or after
  // the object: "{...}{...}") MALFORMED_REQUEST, as the contract says.
  // NUMBER_ERROR is left to the field readers: the DOM refuses numbers it
  // cannot hold (1e400, 2^64), which are a field's range error (422).
  auto valid = validator.parse(padded).error();
  if (valid && valid != simdjson::NUMBER_ERROR) return malformed("invalid JSON");
  sj::document doc;
  if (parser.iterate(padded).get(doc)) return malformed("invalid JSON");
  sj::object obj;
  if (doc.get_object().get(obj)) return malformed("not an object");
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return malformed("invalid key");
    sj::value v;
    if (field.value().get(v)) return malformed("invalid value");
    if (auto e = fn(key, v)) return e;
  }
  return std::nullopt;
}

std::optional<Error> get_string(sj::value& v, std::string_view field, std::string& out) {
  std::string_view s;
  if (v.get_string().get(s)) return invalid(field, "must be a string");
  out.assign(s);
  return std::nullopt;
}

std::optional<Error> get_int(sj::value& v, std::string_view field, int64_t& out, int64_t min, int64_t max) {
  if (v.get_int64().get(out)) return invalid(field, "must be an integer");
  if (out < min || out > max) return invalid(field, fmt::format("must be between {} and {}", min, max));
  return std::nullopt;
}

}  // namespace body_fields

namespace {

using namespace body_fields;

std::optional<Error> get_odds(sj::value& v, std::string_view field, Odds& out) {
  sj::json_type t;
  if (v.type().get(t)) return invalid(field, "must be decimal odds");
  std::string_view text;
  if (t == sj::json_type::string) {
    if (v.get_string().get(text)) return invalid(field, "must be decimal odds");
  } else if (t == sj::json_type::number) {
    text = trim_ws(v.raw_json_token());
    double d;
    if (v.get_double().get(d)) return invalid(field, "must be decimal odds");
  } else {
    return invalid(field, "must be decimal odds as a string like \"2.50\"");
  }
  if (!Odds::parse(text, out))
    return invalid(field, "must be decimal odds between 1.01 and 1000 with at most 4 decimals");
  return std::nullopt;
}

std::optional<Error> get_currency(sj::value& v, std::string_view field, Currency& out) {
  std::string s;
  if (auto e = get_string(v, field, s)) return e;
  if (!Currency::parse(s, out)) return invalid(field, "must be a 3-letter ISO 4217 code");
  return std::nullopt;
}

std::optional<Error> missing(std::string_view field) { return invalid(field, "is required"); }

}  // namespace

Result<BetBody> parse_bet_body(std::string_view body) {
  BetBody b;
  bool has_account = false, has_sel = false, has_stake = false, has_ccy = false, has_odds = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "account") {
      has_account = true;
      if (auto e = get_string(v, k, b.account)) return e;
      if (!valid_account_id(b.account)) return invalid(k, "must match [A-Za-z0-9_.-]{1,64}");
    } else if (k == "selection_id") {
      has_sel = true;
      int64_t id;
      if (auto e = get_int(v, k, id, 1, INT64_MAX)) return e;
      b.selection_id = static_cast<uint64_t>(id);
    } else if (k == "stake") {
      has_stake = true;
      return get_int(v, k, b.stake, 1, kMaxAmountMinor);
    } else if (k == "currency") {
      has_ccy = true;
      return get_currency(v, k, b.currency);
    } else if (k == "odds") {
      has_odds = true;
      return get_odds(v, k, b.odds);
    } else if (k == "price_change") {
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (!parse_price_change_policy(s, b.policy)) return invalid(k, "must be none, better or any");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_account) return *missing("account");
  if (!has_sel) return *missing("selection_id");
  if (!has_stake) return *missing("stake");
  if (!has_ccy) return *missing("currency");
  if (!has_odds) return *missing("odds");
  return b;
}

Result<MoneyBody> parse_money_body(std::string_view body) {
  MoneyBody m;
  bool has_amount = false, has_ccy = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "amount") {
      has_amount = true;
      return get_int(v, k, m.amount, 1, kMaxAmountMinor);
    }
    if (k == "currency") {
      has_ccy = true;
      return get_currency(v, k, m.currency);
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_amount) return *missing("amount");
  if (!has_ccy) return *missing("currency");
  return m;
}

Result<StatusBody> parse_status_body(std::string_view body) {
  StatusBody s{MarketStatus::kOpen, ""};
  bool has_status = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "status") {
      has_status = true;
      std::string t;
      if (auto e = get_string(v, k, t)) return e;
      if (!parse_market_status(t, s.status) || s.status == MarketStatus::kSettled)
        return invalid(k, "must be open, suspended or closed");
    } else if (k == "reason") {
      if (auto e = get_string(v, k, s.reason)) return e;
      if (s.reason.size() > 200) return invalid(k, "at most 200 characters");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_status) return *missing("status");
  return s;
}

Result<int64_t> parse_integer_field(std::string_view body, std::string_view field) {
  int64_t out = 0;
  bool has = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != field) return std::nullopt;
    has = true;
    return get_int(v, k, out, 0, kMaxAmountMinor);
  });
  if (err) return *err;
  if (!has) return *missing(field);
  return out;
}

Result<Odds> parse_odds_body(std::string_view body) {
  Odds o;
  bool has = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != "odds") return std::nullopt;
    has = true;
    return get_odds(v, k, o);
  });
  if (err) return *err;
  if (!has) return *missing("odds");
  return o;
}

Result<std::optional<std::string>> parse_open_account_body(std::string_view body) {
  std::optional<std::string> account;
  if (body.empty()) return account;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != "account") return std::nullopt;
    std::string a;
    if (auto e = get_string(v, k, a)) return e;
    if (!valid_account_id(a)) return invalid(k, "must match [A-Za-z0-9_.-]{1,64} and not start \"house\"");
    account = std::move(a);
    return std::nullopt;
  });
  if (err) return *err;
  return account;
}

Result<std::optional<std::string>> parse_switch_body(std::string_view body) {
  std::optional<std::string> to;
  if (body.empty()) return to;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != "to") return std::nullopt;
    std::string t;
    if (auto e = get_string(v, k, t)) return e;
    if (t != "primary" && t != "backup") return invalid(k, "must be primary or backup");
    to = t;
    return std::nullopt;
  });
  if (err) return *err;
  return to;
}

Result<std::string> parse_route_switch_body(std::string_view body) {
  std::optional<std::string> to;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != "to") return invalid(k, "unknown field (to)");
    std::string t;
    if (auto e = get_string(v, k, t)) return e;
    if (!valid_channel_name(t)) return invalid(k, "must match [A-Za-z0-9_.-]{1,64}");
    to = t;
    return std::nullopt;
  });
  if (err) return *err;
  if (!to) return Error{ErrorCode::kValidationFailed, "to: required (the route new payments go to)"};
  return *to;
}

Result<CashoutBody> parse_cashout_body(std::string_view body) {
  CashoutBody c;
  bool have = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "frozen") {
      if (v.get_bool().get(c.frozen)) return invalid(k, "must be true or false");
      have = true;
    } else if (k == "reason") {
      if (auto e = get_string(v, k, c.reason)) return e;
      if (c.reason.size() > 200) return invalid(k, "must be at most 200 characters");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!have) return *missing("frozen");
  return c;
}

Result<CashoutAcceptBody> parse_cashout_accept_body(std::string_view body) {
  CashoutAcceptBody c;
  bool has_quote = false, has_amount = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "quote_id") {
      has_quote = true;
      std::string q;
      if (auto e = get_string(v, k, q)) return e;
      uint64_t id = 0;
      auto [p, ec] = std::from_chars(q.data(), q.data() + q.size(), id);
      if (q.empty() || q.size() > 19 || ec != std::errc() || p != q.data() + q.size() || id == 0)
        return invalid(k, "must be the quote_id of a quote, a decimal string");
      c.quote_id = id;
    } else if (k == "amount") {
      has_amount = true;
      if (auto e = get_int(v, k, c.amount, 0, 1000000000000000)) return e;
    } else if (k == "price_change") {
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (!parse_price_change_policy(s, c.policy)) return invalid(k, "must be none, better or any");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_quote) return *missing("quote_id");
  if (!has_amount) return *missing("amount");
  return c;
}

Result<ActionBody> parse_action_body(std::string_view body) {
  ActionBody a;
  bool have_value = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "action") return get_string(v, k, a.action);
    if (k == "sport") return get_string(v, k, a.sport);
    if (k == "league") return get_string(v, k, a.league);
    if (k == "value") {
      have_value = true;
      return get_int(v, k, a.value, 1, 1'000'000'000'000);
    }
    if (k == "incident") {
      int64_t n;
      if (auto e = get_int(v, k, n, 1, INT64_MAX)) return e;
      a.incident = static_cast<uint64_t>(n);
      return std::nullopt;
    }
    if (k == "markets") {
      sj::array arr;
      if (v.get_array().get(arr)) return invalid(k, "must be an array of market ids");
      for (auto el : arr) {
        int64_t id;
        if (el.get_int64().get(id) || id < 1) return invalid(k, "must be an array of market ids");
        a.markets.push_back(static_cast<uint64_t>(id));
        if (a.markets.size() > 1000) return invalid(k, "at most 1000 markets");
      }
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (a.action.empty()) return *missing("action");
  static const char* kActions[] = {"switch_feed", "suspend_market", "freeze_cashout",
                                   "lower_stake_cap", "extend_delay", "shed_load"};
  bool known = false;
  for (auto* n : kActions) known = known || a.action == n;
  if (!known)
    return invalid("action",
                   "must be switch_feed, suspend_market, freeze_cashout, lower_stake_cap, extend_delay or shed_load");
  bool needs_value = a.action == "lower_stake_cap" || a.action == "extend_delay" || a.action == "shed_load";
  if (needs_value && !have_value) return *missing("value");
  if (a.action == "extend_delay" && a.value > 60000) return invalid("value", "extend_delay: at most 60000 ms");
  if (a.action == "switch_feed" && a.sport.empty() && a.league.empty() && a.markets.empty())
    return *missing("sport");
  if (a.action != "switch_feed" && a.markets.empty() && a.league.empty() && a.sport.empty())
    return invalid("markets", "name markets, a league or a sport");
  return a;
}

Result<EventState> parse_event_state_body(std::string_view body) {
  EventState s = EventState::kPreMatch;
  bool has = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != "state") return std::nullopt;
    has = true;
    std::string t;
    if (auto e = get_string(v, k, t)) return e;
    for (auto c : {EventState::kPreMatch, EventState::kInPlay, EventState::kEnded})
      if (t == event_state_name(c)) {
        s = c;
        return std::nullopt;
      }
    return invalid(k, "must be pre_match, in_play or ended");
  });
  if (err) return *err;
  if (!has) return *missing("state");
  return s;
}

namespace {

std::optional<Error> get_reason(sj::value& v, std::string_view k, std::string& out) {
  if (auto e = get_string(v, k, out)) return e;
  if (out.empty() || out.size() > 200) return invalid(k, "must be 1 to 200 characters");
  return std::nullopt;
}

}  // namespace

Result<ResettleBody> parse_resettle_body(std::string_view body) {
  ResettleBody r;
  bool have_market = false, have_reason = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "market_id") {
      int64_t id;
      if (auto e = get_int(v, k, id, 1, INT64_MAX)) return e;
      r.market_id = static_cast<uint64_t>(id);
      have_market = true;
    } else if (k == "reason") {
      have_reason = true;
      return get_reason(v, k, r.reason);
    } else if (k == "score") {
      int64_t home = -1, away = -1;
      sj::object o;
      if (v.get_object().get(o)) return invalid(k, "must be an object like {\"home\": 2, \"away\": 1}");
      for (auto f : o) {
        std::string_view fk;
        sj::value fv;
        if (f.unescaped_key().get(fk) || f.value().get(fv)) return invalid(k, "must be an object");
        if (fk != "home" && fk != "away") return invalid(k, "has only home and away");
        if (auto e = get_int(fv, fk == "home" ? "score.home" : "score.away", fk == "home" ? home : away, 0, 99))
          return e;
      }
      if (home < 0 || away < 0) return invalid(k, "needs home and away");
      r.score = std::make_pair(static_cast<int>(home), static_cast<int>(away));
    } else {
      return invalid(k, "is not a field of a resettlement");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!have_market) return *missing("market_id");
  if (!have_reason) return *missing("reason");
  return r;
}

Result<std::string> parse_reason_body(std::string_view body) {
  std::string reason;
  bool have = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k != "reason") return invalid(k, "only reason is expected");
    have = true;
    return get_reason(v, k, reason);
  });
  if (err) return *err;
  if (!have) return *missing("reason");
  return reason;
}

Result<PspCallbackBody> parse_psp_callback_body(std::string_view body) {
  PspCallbackBody cb;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "payment_id") return get_string(v, k, cb.payment_id);
    if (k == "status") return get_string(v, k, cb.status);
    if (k == "psp_ref") return get_string(v, k, cb.psp_ref);
    if (k == "reason") return get_string(v, k, cb.reason);
    return std::nullopt;
  });
  if (err) return *err;
  return cb;
}

}  // namespace inplay
