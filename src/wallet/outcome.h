// Outcome: what a command that moves money decided, in the domain's terms —
// ids, amounts and a stable reason code, never an HTTP status or a body.
// Desks hand one to the command's `done` once the decision is durable; the
// idempotency store keeps it, so a repeat gets the same outcome; the HTTP
// views (http/views.h) render it. One name for one thing: a request in
// flight is a command (PlaceBet, MoveMoney), its answer is an Outcome.
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "core/error.h"
#include "wallet/ledger.h"

namespace inplay {

// An accepted bet: its state (BookState::bets) holds the rest.
struct BetPlaced {
  uint64_t bet_id = 0;
};

// A deposit or withdrawal that moved money.
struct MoneyReceipt {
  std::string account;
  TransferReason reason = TransferReason::kDeposit;
  int64_t amount = 0;
  int64_t balance = 0;  // the account's balance right after the movement
  std::array<uint8_t, 16> trace_id{};
};

// A cash-out taken (CO-1): stake of the bet cashed out for amount, on the
// selection's price `odds` (scaled); remaining: the stake still riding.
struct CashedOut {
  uint64_t bet_id = 0;
  int64_t stake = 0;
  int64_t amount = 0;
  int32_t odds = 0;
  int64_t remaining = 0;
  int64_t at_ns = 0;
  std::array<uint8_t, 16> trace_id{};
};

// A deposit or withdrawal asked of a PSP route: the payment
// (payment/payment_book.h) holds where it stands, so a repeat of its key
// answers its state now (pending, then authorised or declined).
struct PaymentRef {
  uint64_t payment_id = 0;
};

// A withdrawal over the KYC threshold held for its own screening
// (kyc/screening_book.h): a repeat of its key answers the screening as it
// stands now — in review, rejected, or the payment it let go.
struct ScreeningRef {
  uint64_t screening_id = 0;
};

// Refused: Error's stable code and message.
using Outcome = std::variant<Error, BetPlaced, MoneyReceipt, CashedOut, PaymentRef, ScreeningRef>;
// Called once, on the engine thread, when the outcome is durable (or, for a
// refusal that changes nothing, after everything before it is durable).
using OutcomeFn = std::function<void(const Outcome&)>;

}  // namespace inplay
