// Deposits and withdrawals inside the engine (WAL-1, WAL-5): idempotent,
// double-entry, journaled before the reply. PSP routes come later; for now
// house/funding stands for the outside world.
#include <fmt/format.h>

#include "core/json.h"
#include "engine/engine.h"
#include "telemetry/attributes.h"

namespace inplay {

void Engine::on_move_money(MoneyRequest& r) {
  if (idempotent_repeat(r.idem_key, r.fingerprint, r.reply)) return;
  int64_t now = to_ns(clock_.now());
  if (!r.gateway.valid()) r.gateway = TraceContext{tracer_.new_trace_id(), {}, 1};
  Span span = tracer_.start("wallet", r.gateway, now);
  span.attr(attr::kUser, r.user_mask);

  Error err{ErrorCode::kInternal, ""};
  bool ok = false;
  int64_t acct = state_.ledger.find(r.account);
  if (!(r.currency == cfg_.currency)) {
    err = Error{ErrorCode::kCurrencyMismatch, fmt::format("the book is in {}", cfg_.currency.code())};
  } else if (acct >= 0 && state_.ledger.account(acct).kind != AccountKind::kUserCash) {
    err = Error{ErrorCode::kForbidden, "not a user account"};
  } else if (r.reason == TransferReason::kWithdrawal && acct < 0) {
    err = Error{ErrorCode::kAccountNotFound, "unknown account"};
  } else if (r.reason == TransferReason::kWithdrawal && state_.ledger.account(acct).balance < r.amount) {
    err = Error{ErrorCode::kInsufficientFunds, "balance is below the amount"};
  } else {
    ok = true;
  }

  Reply reply;
  IdemRecord idem{r.idem_key, r.fingerprint, 0, {}};
  BookEvent event;
  if (ok) {
    int64_t before = acct >= 0 ? state_.ledger.account(acct).balance : 0;
    int64_t after = r.reason == TransferReason::kDeposit ? before + r.amount : before - r.amount;
    JsonWriter w;
    w.begin_object();
    w.field("account", r.account).field("movement", transfer_reason_name(r.reason));
    w.field("amount", r.amount).field("currency", cfg_.currency.code());
    w.field("balance", after).field("trace_id", to_hex(r.gateway.trace_id));
    w.end_object();
    reply = Reply{201, w.take()};
    idem.status = 201;
    idem.body = reply.body;
    event = MoneyMoved{r.account, r.amount, r.reason, now, std::move(idem)};
    metrics_.wallet->with({transfer_reason_name(r.reason)}).inc();
  } else {
    reply = Reply{error_http_status(err.code), error_body(err)};
    idem.status = reply.status;
    idem.body = reply.body;
    event = Rejected{static_cast<uint16_t>(err.code), now, std::move(idem)};
    span.error = true;
    span.attr(attr::kRejectCode, std::string(error_code_name(err.code)));
  }
  std::vector<ReplyFn> waiters;
  finish_waiters(r.idem_key, reply, waiters);
  commit(std::move(event), [client = std::move(r.reply), waiters = std::move(waiters),
                            reply]() mutable {
    for (auto& w : waiters) w(reply);
    client(std::move(reply));
  });
  span.end_ns = to_ns(clock_.now());
  tracer_.record(std::move(span));
}

}  // namespace inplay
