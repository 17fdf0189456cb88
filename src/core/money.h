// Money: an amount in integer minor units (pence, cents) with its currency.
//
// Contract: no floating point ever touches a Money. Arithmetic checks the
// currency and overflow; mixing currencies or overflowing throws
// std::logic_error (a programming error, never a user error: user amounts are
// validated before they become Money).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace inplay {

// An ISO 4217 code packed into 3 bytes ("GBP").
class Currency {
 public:
  constexpr Currency() = default;
  // Returns false for anything that is not three upper-case ASCII letters.
  static bool parse(std::string_view code, Currency& out);
  static Currency of(std::string_view code);  // throws std::invalid_argument
  std::string code() const { return std::string(code_, 3); }
  bool operator==(const Currency&) const = default;
  bool valid() const { return code_[0] != 0; }

 private:
  char code_[3] = {0, 0, 0};
};

struct Money {
  int64_t minor = 0;
  Currency currency;

  Money operator+(const Money& o) const;
  Money operator-(const Money& o) const;
  Money operator-() const { return Money{-minor, currency}; }
  bool operator==(const Money&) const = default;
};

// An amount for people: the currency's sign (£, €, $) or code, thousands
// separated, two decimals: format_money(102465600, GBP) == "£1,024,656.00",
// -500 -> "-£5.00", 123456 CHF -> "CHF 1,234.56". Every report, post-mortem
// and page shows money this way (web/app.js has the same rule), never as
// bare minor units.
std::string format_money(int64_t minor, Currency c);

// Checked int64 arithmetic shared by money and exposure code.
int64_t checked_add(int64_t a, int64_t b);
int64_t checked_mul(int64_t a, int64_t b);

}  // namespace inplay
