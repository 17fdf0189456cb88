#include "feed/wire_text.h"

#include <charconv>
#include <cmath>

namespace inplay {

bool valid_name_chars(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '.' || c == '-'))
      return false;
  return true;
}
bool valid_producer(std::string_view s) { return valid_name_chars(s, 64); }
bool valid_schema_label(std::string_view s) { return valid_name_chars(s, 32); }
bool valid_league(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

std::string_view trim_ws(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' || t.back() == '\t'))
    t.remove_suffix(1);
  return t;
}

// RFC 8259 number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view t) {
  size_t i = 0, n = t.size();
  auto digits = [&] {
    size_t s = i;
    while (i < n && t[i] >= '0' && t[i] <= '9') ++i;
    return i - s;
  };
  if (i < n && t[i] == '-') ++i;
  if (i < n && t[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < n && t[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// Why text is not acceptable odds (Odds::parse already said no): a number
// that is not finite or lies outside [1.01, 1000] is out of range; anything
// else (too many decimals, an exponent, a sign, not a number) is a bad value.
FeedParseReason classify_bad_odds(std::string_view t) {
  std::string_view u = t;
  if (!u.empty() && (u[0] == '+' || u[0] == '-')) u.remove_prefix(1);
  for (std::string_view nf : {"nan", "inf", "infinity"})
    if (iequals(u, nf)) return FeedParseReason::kOddsOutOfRange;
  if (!t.empty() && t[0] == '-') {
    if (is_json_number(t)) return FeedParseReason::kOddsOutOfRange;  // negative
    return FeedParseReason::kBadValue;
  }
  if (!is_json_number(u)) return FeedParseReason::kBadValue;
  double d = 0;
  auto [p, ec] = std::from_chars(u.data(), u.data() + u.size(), d);
  if (ec == std::errc::result_out_of_range) return FeedParseReason::kOddsOutOfRange;  // 1e400, 1e-400
  if (ec != std::errc() || p != u.data() + u.size()) return FeedParseReason::kBadValue;
  if (!std::isfinite(d) || d < 1.01 || d > 1000.0) return FeedParseReason::kOddsOutOfRange;
  return FeedParseReason::kBadValue;
}

}  // namespace inplay
