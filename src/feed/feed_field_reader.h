// FeedFieldReader: the feed parser's JSON field readers (feed/feed_parser.h
// uses them for every message type): each checks a value's JSON type, then
// its range, and on failure records the FeedParseReason and a detail naming
// the field (invalid_json, wrong_type, bad_value, missing_field, the odds
// reasons) and returns false, so a reader chain stops at the first problem.
// Unknown members are validated (on-demand parsing would skip them
// unchecked) and known keys may not repeat. No allocation on the success
// path. One parse at a time (the parser's own state).
#pragma once
#include <fmt/format.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/odds.h"
#include "feed/feed_parser.h"
#include "feed/wire_text.h"

namespace inplay {

namespace sj = simdjson::ondemand;

struct FeedFieldReader {
  // Unknown fields deeper than this are refused (a bounded validation).
  static constexpr int kMaxUnknownDepth = 64;

  // Failure of the current parse (valid when a step returned false).
  FeedParseReason reason = FeedParseReason::kInvalidJson;
  std::string detail;

  bool fail(FeedParseReason r, std::string d) {
    reason = r;
    detail = std::move(d);
    return false;
  }
  bool invalid(std::string_view what) {
    return fail(FeedParseReason::kInvalidJson, fmt::format("invalid JSON: {}", what));
  }
  bool wrong_type(std::string_view field, std::string_view want) {
    return fail(FeedParseReason::kWrongType, fmt::format("{}: must be {}", field, want));
  }
  bool bad(std::string_view field, std::string_view why) {
    return fail(FeedParseReason::kBadValue, fmt::format("{}: {}", field, why));
  }
  bool missing(std::string_view field) {
    return fail(FeedParseReason::kMissingField, fmt::format("{}: is required", field));
  }

  // ---- scalar readers: each checks the JSON type, then the value ----

  bool json_type(sj::value& v, sj::json_type& t) {
    if (v.type().get(t)) return invalid("bad value");
    return true;
  }

  bool read_string(sj::value& v, std::string_view field, std::string_view& out) {
    if (!v.get_string().get(out)) return true;
    sj::json_type t;
    if (!json_type(v, t)) return false;
    if (t != sj::json_type::string) return wrong_type(field, "a string");
    if (v.get_string().get(out)) return invalid(fmt::format("{}: bad string", field));
    return true;
  }

  // A JSON integer in [min, max].
  bool read_uint(sj::value& v, std::string_view field, uint64_t& out, uint64_t min = 0,
                 uint64_t max = UINT64_MAX) {
    if (!v.get_uint64().get(out)) {
      if (out < min || out > max)
        return bad(field, fmt::format("must be between {} and {}", min, max));
      return true;
    }
    sj::json_type t;
    if (!json_type(v, t)) return false;
    if (t != sj::json_type::number) return wrong_type(field, "an integer");
    std::string_view tok = trim_ws(v.raw_json_token());
    if (!is_json_number(tok)) return invalid(fmt::format("{}: bad number", field));
    if (tok.find_first_of(".eE") != std::string_view::npos) return wrong_type(field, "an integer");
    return bad(field, fmt::format("must be between {} and {}", min, max));  // negative or > 2^64-1
  }

  bool read_bool(sj::value& v, std::string_view field, bool& out) {
    sj::json_type t;
    if (!json_type(v, t)) return false;
    if (t != sj::json_type::boolean) return wrong_type(field, "true or false");
    if (v.get_bool().get(out)) return invalid(fmt::format("{}: bad literal", field));
    return true;
  }

  bool read_odds(sj::value& v, Odds& out) {
    std::string_view text;
    if (v.get_string().get(text)) {  // not a string: a number is accepted too
      sj::json_type t;
      if (!json_type(v, t)) return false;
      if (t == sj::json_type::string) return invalid("odds: bad string");
      if (t != sj::json_type::number)
        return wrong_type("odds", "decimal odds as a string like \"2.10\"");
      text = trim_ws(v.raw_json_token());
      if (!is_json_number(text)) return invalid("odds: bad number");
    }
    if (Odds::parse(text, out)) return true;
    FeedParseReason r = classify_bad_odds(text);
    std::string shown(text.substr(0, 32));
    if (r == FeedParseReason::kOddsOutOfRange)
      return fail(r, fmt::format("odds: {} is not finite or outside [1.01, 1000]", shown));
    return fail(r, fmt::format("odds: {} is not decimal odds with at most 4 decimals", shown));
  }

  bool read_array(sj::value& v, std::string_view field, sj::array& out) {
    sj::json_type t;
    if (!json_type(v, t)) return false;
    if (t != sj::json_type::array) return wrong_type(field, "an array");
    if (v.get_array().get(out)) return invalid(fmt::format("{}: bad array", field));
    return true;
  }

  bool read_object(sj::value& v, std::string_view field, sj::object& out) {
    sj::json_type t;
    if (!json_type(v, t)) return false;
    if (t != sj::json_type::object) return wrong_type(field, "an object");
    if (v.get_object().get(out)) return invalid(fmt::format("{}: bad object", field));
    return true;
  }

  bool read_ids(sj::value& v, std::string_view field, std::vector<uint64_t>& out) {
    sj::array a;
    if (!read_array(v, field, a)) return false;
    for (auto er : a) {
      sj::value e;
      if (er.get(e)) return invalid(fmt::format("{}: bad element", field));
      uint64_t id;
      if (!read_uint(e, field, id, 1)) return false;
      out.push_back(id);
    }
    return true;
  }

  // Unknown fields are ignored but must still be valid JSON: on-demand
  // parsing would otherwise skip them unchecked.
  bool validate(sj::value& v, int depth) {
    if (depth > kMaxUnknownDepth) return bad("unknown field", "nested too deeply");
    sj::json_type t;
    if (!json_type(v, t)) return false;
    switch (t) {
      case sj::json_type::object: {
        sj::object o;
        if (v.get_object().get(o)) return invalid("bad object");
        for (auto fr : o) {
          sj::field f;
          std::string_view k;
          if (std::move(fr).get(f) || f.unescaped_key().get(k)) return invalid("bad object member");
          if (!validate(f.value(), depth + 1)) return false;
        }
        return true;
      }
      case sj::json_type::array: {
        sj::array a;
        if (v.get_array().get(a)) return invalid("bad array");
        for (auto er : a) {
          sj::value e;
          if (er.get(e)) return invalid("bad array element");
          if (!validate(e, depth + 1)) return false;
        }
        return true;
      }
      case sj::json_type::string: {
        std::string_view s;
        if (v.get_string().get(s)) return invalid("bad string");
        return true;
      }
      case sj::json_type::number:
        if (!is_json_number(trim_ws(v.raw_json_token()))) return invalid("bad number");
        return true;
      case sj::json_type::boolean: {
        bool b;
        if (v.get_bool().get(b)) return invalid("bad literal");
        return true;
      }
      case sj::json_type::null:
        if (trim_ws(v.raw_json_token()) != "null") return invalid("bad literal");
        return true;
    }
    return invalid("bad value");
  }
  bool validate(sj::value&& v, int depth) { return validate(v, depth); }

  // Iterates an object's members once: fn(key, value) returns false to
  // stop with the failure it recorded. Rejects duplicate known keys.
  template <class Fn>
  bool each_member(sj::object& o, std::string_view what, Fn&& fn) {
    for (auto fr : o) {
      sj::field f;
      std::string_view k;
      if (std::move(fr).get(f) || !key_of_field(f, k)) return invalid(fmt::format("{}: bad member", what));
      if (!fn(k, f.value())) return false;
    }
    return true;
  }

  // The key's text. Keys without a backslash (all of ours) are read in
  // place: stage one found the closing quote, so the scan ends there.
  // Only an escaped key is unescaped (into the parser's string buffer).
  static bool key_of_field(sj::field& f, std::string_view& k) {
    const char* p = f.key().raw();
    const char* q = p;
    while (*q != '"' && *q != '\\') ++q;
    if (*q == '"') {
      k = std::string_view(p, static_cast<size_t>(q - p));
      return true;
    }
    return !f.unescaped_key().get(k);
  }
};

}  // namespace inplay
