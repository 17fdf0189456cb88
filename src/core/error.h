// Error: the stable error codes of the API and the HTTP status of each.
//
// Codes are part of the public contract (docs/api.md, docs/openapi.yaml):
// never rename one, only add. Every error body is
//   {"error":{"code":"PRICE_CHANGED","message":"..."}}
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace inplay {

enum class ErrorCode : uint8_t {
  kMalformedRequest,      // 400 body is not JSON / header malformed
  kIdempotencyKeyMissing, // 400
  kUnauthorized,          // 401
  kInsufficientFunds,     // 402
  kForbidden,             // 403
  kNotFound,              // 404 route
  kMarketNotFound,        // 404
  kSelectionNotFound,     // 404
  kBetNotFound,           // 404
  kAccountNotFound,       // 404
  kMethodNotAllowed,      // 405
  kMarketSuspended,       // 409
  kMarketClosed,          // 409
  kPriceChanged,          // 409
  kPriceStale,            // 409
  kStakeAboveMax,         // 409
  kStakeBelowMin,         // 409
  kStakeCapExceeded,      // 409
  kUserMarketLimit,       // 409
  kLiabilityLimit,        // 409
  kFeedUnavailable,       // 409
  kPayloadTooLarge,       // 413
  kUnsupportedMediaType,  // 415
  kValidationFailed,      // 422
  kIdempotencyKeyReused,  // 422
  kCurrencyMismatch,      // 422
  kInternal,              // 500
  kOverloaded,            // 503
  kNotReady,              // 503
  // Appended (codes are journaled by number: never reorder).
  kIncidentNotFound,      // 404
  kActionNotFound,        // 404
  kActionStateConflict,   // 409 (approve what is not pending, revert what is not done)
  kMarketBusy,            // 503 the market's intake limit (shed load, BET-5)
  kMarketSettled,         // 409 the market has a result: no prices, no status changes
  kDeadLetterNotFound,    // 404 no open settlement dead letter with that id
  kJournalUnavailable,    // 503 the journal cannot write (disk full or failing): nothing changed
  kCashoutUnavailable,    // 409 no cash-out for this bet (not open, a synthetic check's, nothing left to cash)
  kCashoutFrozen,         // 409 cash-out is frozen on the bet's market (CO-4)
  kQuoteExpired,          // 409 the cash-out quote is unknown, expired or withdrawn: ask again
  kDeadlineExceeded,      // 503 the request's deadline passed before the engine took it: nothing changed
  kAccountExists,         // 409 an account with this id is already open (SEC-1: opened by another channel)
  kPaymentRouteUnavailable, // 503 no payment route can take a payment now (none configured, or every breaker open)
  kPaymentDeclined,       // 402 the PSP declined the payment
  kPaymentNotFound,       // 404 no such payment (or not the caller's)
  kIncidentResolved,      // 409 the incident is resolved: no status-page note for it (SUP-1)
  kKycNotCleared,         // 403 the account's KYC screening is not cleared yet: no withdrawal (KYC-1)
  kKycRejected,           // 403 the KYC screening rejected it (KYC-1)
  kScreeningNotFound,     // 404 no such screening
  kScreeningNotInReview,  // 409 the screening is not waiting for a manual review (pending, or decided)
  kKycVendorUnavailable,  // 503 no KYC vendor can take screenings (none configured, or every breaker open)
};

std::string_view error_code_name(ErrorCode c);  // "PRICE_CHANGED"
int error_http_status(ErrorCode c);

struct Error {
  ErrorCode code;
  std::string message;
};

// The JSON error body for an error.
std::string error_body(const Error& e);

// A value or an Error (g++ 12 has no std::expected).
template <class T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace inplay
