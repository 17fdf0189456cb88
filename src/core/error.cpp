#include "core/error.h"

#include "core/json.h"

namespace inplay {

std::string_view error_code_name(ErrorCode c) {
  switch (c) {
    case ErrorCode::kMalformedRequest: return "MALFORMED_REQUEST";
    case ErrorCode::kIdempotencyKeyMissing: return "IDEMPOTENCY_KEY_MISSING";
    case ErrorCode::kUnauthorized: return "UNAUTHORIZED";
    case ErrorCode::kInsufficientFunds: return "INSUFFICIENT_FUNDS";
    case ErrorCode::kForbidden: return "FORBIDDEN";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kMarketNotFound: return "MARKET_NOT_FOUND";
    case ErrorCode::kSelectionNotFound: return "SELECTION_NOT_FOUND";
    case ErrorCode::kBetNotFound: return "BET_NOT_FOUND";
    case ErrorCode::kAccountNotFound: return "ACCOUNT_NOT_FOUND";
    case ErrorCode::kMethodNotAllowed: return "METHOD_NOT_ALLOWED";
    case ErrorCode::kMarketSuspended: return "MARKET_SUSPENDED";
    case ErrorCode::kMarketClosed: return "MARKET_CLOSED";
    case ErrorCode::kPriceChanged: return "PRICE_CHANGED";
    case ErrorCode::kPriceStale: return "PRICE_STALE";
    case ErrorCode::kStakeAboveMax: return "STAKE_ABOVE_MAX";
    case ErrorCode::kStakeBelowMin: return "STAKE_BELOW_MIN";
    case ErrorCode::kStakeCapExceeded: return "STAKE_CAP_EXCEEDED";
    case ErrorCode::kUserMarketLimit: return "USER_MARKET_LIMIT";
    case ErrorCode::kLiabilityLimit: return "LIABILITY_LIMIT";
    case ErrorCode::kFeedUnavailable: return "FEED_UNAVAILABLE";
    case ErrorCode::kPayloadTooLarge: return "PAYLOAD_TOO_LARGE";
    case ErrorCode::kUnsupportedMediaType: return "UNSUPPORTED_MEDIA_TYPE";
    case ErrorCode::kValidationFailed: return "VALIDATION_FAILED";
    case ErrorCode::kIdempotencyKeyReused: return "IDEMPOTENCY_KEY_REUSED";
    case ErrorCode::kCurrencyMismatch: return "CURRENCY_MISMATCH";
    case ErrorCode::kInternal: return "INTERNAL";
    case ErrorCode::kOverloaded: return "OVERLOADED";
    case ErrorCode::kNotReady: return "NOT_READY";
    case ErrorCode::kIncidentNotFound: return "INCIDENT_NOT_FOUND";
    case ErrorCode::kActionNotFound: return "ACTION_NOT_FOUND";
    case ErrorCode::kActionStateConflict: return "ACTION_STATE_CONFLICT";
    case ErrorCode::kMarketBusy: return "MARKET_BUSY";
    case ErrorCode::kMarketSettled: return "MARKET_SETTLED";
    case ErrorCode::kDeadLetterNotFound: return "DEAD_LETTER_NOT_FOUND";
    case ErrorCode::kJournalUnavailable: return "JOURNAL_UNAVAILABLE";
    case ErrorCode::kCashoutUnavailable: return "CASHOUT_UNAVAILABLE";
    case ErrorCode::kCashoutFrozen: return "CASHOUT_FROZEN";
    case ErrorCode::kQuoteExpired: return "QUOTE_EXPIRED";
    case ErrorCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case ErrorCode::kAccountExists: return "ACCOUNT_EXISTS";
    case ErrorCode::kPaymentRouteUnavailable: return "PAYMENT_ROUTE_UNAVAILABLE";
    case ErrorCode::kPaymentDeclined: return "PAYMENT_DECLINED";
    case ErrorCode::kPaymentNotFound: return "PAYMENT_NOT_FOUND";
    case ErrorCode::kIncidentResolved: return "INCIDENT_RESOLVED";
    case ErrorCode::kKycNotCleared: return "KYC_NOT_CLEARED";
    case ErrorCode::kKycRejected: return "KYC_REJECTED";
    case ErrorCode::kScreeningNotFound: return "SCREENING_NOT_FOUND";
    case ErrorCode::kScreeningNotInReview: return "SCREENING_NOT_IN_REVIEW";
    case ErrorCode::kKycVendorUnavailable: return "KYC_VENDOR_UNAVAILABLE";
  }
  return "INTERNAL";
}

int error_http_status(ErrorCode c) {
  switch (c) {
    case ErrorCode::kMalformedRequest:
    case ErrorCode::kIdempotencyKeyMissing: return 400;
    case ErrorCode::kUnauthorized: return 401;
    case ErrorCode::kInsufficientFunds: return 402;
    case ErrorCode::kForbidden: return 403;
    case ErrorCode::kNotFound:
    case ErrorCode::kMarketNotFound:
    case ErrorCode::kSelectionNotFound:
    case ErrorCode::kBetNotFound:
    case ErrorCode::kAccountNotFound:
    case ErrorCode::kIncidentNotFound:
    case ErrorCode::kActionNotFound: return 404;
    case ErrorCode::kMethodNotAllowed: return 405;
    case ErrorCode::kMarketSuspended:
    case ErrorCode::kMarketClosed:
    case ErrorCode::kPriceChanged:
    case ErrorCode::kPriceStale:
    case ErrorCode::kStakeAboveMax:
    case ErrorCode::kStakeBelowMin:
    case ErrorCode::kStakeCapExceeded:
    case ErrorCode::kUserMarketLimit:
    case ErrorCode::kLiabilityLimit:
    case ErrorCode::kFeedUnavailable:
    case ErrorCode::kActionStateConflict: return 409;
    case ErrorCode::kPayloadTooLarge: return 413;
    case ErrorCode::kUnsupportedMediaType: return 415;
    case ErrorCode::kValidationFailed:
    case ErrorCode::kIdempotencyKeyReused:
    case ErrorCode::kCurrencyMismatch: return 422;
    case ErrorCode::kInternal: return 500;
    case ErrorCode::kOverloaded:
    case ErrorCode::kNotReady:
    case ErrorCode::kMarketBusy:
    case ErrorCode::kJournalUnavailable:
    case ErrorCode::kDeadlineExceeded: return 503;
    case ErrorCode::kMarketSettled:
    case ErrorCode::kCashoutUnavailable:
    case ErrorCode::kCashoutFrozen:
    case ErrorCode::kQuoteExpired:
    case ErrorCode::kAccountExists: return 409;
    case ErrorCode::kPaymentRouteUnavailable: return 503;
    case ErrorCode::kPaymentDeclined: return 402;
    case ErrorCode::kPaymentNotFound: return 404;
    case ErrorCode::kIncidentResolved: return 409;
    case ErrorCode::kKycNotCleared: return 403;
    case ErrorCode::kKycRejected: return 403;
    case ErrorCode::kScreeningNotFound: return 404;
    case ErrorCode::kScreeningNotInReview: return 409;
    case ErrorCode::kKycVendorUnavailable: return 503;
    case ErrorCode::kDeadLetterNotFound: return 404;
  }
  return 500;
}

std::string error_body(const Error& e) {
  JsonWriter w;
  w.begin_object().key("error").begin_object();
  w.field("code", error_code_name(e.code)).field("message", e.message);
  w.end_object().end_object();
  return w.take();
}

}  // namespace inplay
