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
