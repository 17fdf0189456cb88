#include "core/money.h"

namespace inplay {

bool Currency::parse(std::string_view code, Currency& out) {
  if (code.size() != 3) return false;
  for (char c : code)
    if (c < 'A' || c > 'Z') return false;
  for (int i = 0; i < 3; ++i) out.code_[i] = code[i];
  return true;
}

Currency Currency::of(std::string_view code) {
  Currency c;
  if (!parse(code, c)) throw std::invalid_argument("bad currency code");
  return c;
}

std::string format_money(int64_t minor, Currency c) {
  const std::string code = c.code();
  const char* sign = code == "GBP" ? "\u00a3" : code == "EUR" ? "\u20ac" : code == "USD" ? "$" : nullptr;
  // Work on the magnitude as unsigned: INT64_MIN has no positive twin.
  const uint64_t abs = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string whole = std::to_string(abs / 100);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(static_cast<size_t>(i), ",");
  const unsigned cents = static_cast<unsigned>(abs % 100);
  std::string out = minor < 0 ? "-" : "";
  out += sign ? std::string(sign) : code + " ";
  out += whole + "." + static_cast<char>('0' + cents / 10) + static_cast<char>('0' + cents % 10);
  return out;
}

int64_t checked_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) throw std::logic_error("money overflow");
  return r;
}

int64_t checked_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) throw std::logic_error("money overflow");
  return r;
}

static void same_currency(const Money& a, const Money& b) {
  if (!(a.currency == b.currency)) throw std::logic_error("currency mismatch");
}

Money Money::operator+(const Money& o) const {
  same_currency(*this, o);
  return Money{checked_add(minor, o.minor), currency};
}

Money Money::operator-(const Money& o) const {
  same_currency(*this, o);
  return Money{checked_add(minor, -o.minor), currency};
}

}  // namespace inplay
