#include "payment/payment_book.h"

#include <fmt/format.h>

#include <iterator>
#include <stdexcept>

namespace inplay {

const char* payment_status_name(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kPending: return "pending";
    case PaymentStatus::kAuthorised: return "authorised";
    case PaymentStatus::kDeclined: return "declined";
    case PaymentStatus::kTimedOut: return "timed_out";
  }
  return "unknown";
}

const char* payment_source_name(PaymentSource s) {
  switch (s) {
    case PaymentSource::kNone: return "";
    case PaymentSource::kAnswer: return "answer";
    case PaymentSource::kCallback: return "callback";
    case PaymentSource::kReconciliation: return "reconciliation";
    case PaymentSource::kBook: return "book";
  }
  return "unknown";
}

const char* psp_kind_name(TransferReason kind) { return kind == TransferReason::kWithdrawal ? "payout" : "deposit"; }

std::string payment_key(uint64_t payment_id) { return fmt::format("pay-{}", payment_id); }

namespace {

bool is_payment_kind(TransferReason k) { return k == TransferReason::kDeposit || k == TransferReason::kWithdrawal; }

}  // namespace

void PaymentBook::check(const PaymentRequested& e) const {
  if (payments_.count(e.payment_id)) throw std::invalid_argument(fmt::format("payment {} already requested", e.payment_id));
  if (e.payment_id == 0) throw std::invalid_argument("payment id 0");
  if (!is_payment_kind(e.kind)) throw std::invalid_argument(fmt::format("payment {}: not a deposit or withdrawal", e.payment_id));
  if (e.amount <= 0) throw std::invalid_argument(fmt::format("payment {}: amount {}", e.payment_id, e.amount));
  if (e.route.empty()) throw std::invalid_argument(fmt::format("payment {}: no route", e.payment_id));
}

void PaymentBook::check(const PaymentAnswered& e) const {
  const Payment* p = find(e.payment_id);
  if (!p) throw std::invalid_argument(fmt::format("answer to unknown payment {}", e.payment_id));
  if (p->account != e.account || p->kind != e.kind || p->amount != e.amount)
    throw std::invalid_argument(fmt::format("answer to payment {} names another account, kind or amount", e.payment_id));
  const auto to = static_cast<PaymentStatus>(e.status);
  const bool to_final = to == PaymentStatus::kAuthorised || to == PaymentStatus::kDeclined;
  const bool ok = (p->status == PaymentStatus::kPending && (to_final || to == PaymentStatus::kTimedOut)) ||
                  (p->status == PaymentStatus::kTimedOut && to_final);
  if (!ok)
    throw std::invalid_argument(fmt::format("payment {}: {} -> {} is not a step a payment takes", e.payment_id,
                                            payment_status_name(p->status), payment_status_name(to)));
}

void PaymentBook::apply(const PaymentRequested& e) {
  check(e);
  Payment p;
  p.id = e.payment_id;
  p.account = e.account;
  p.kind = e.kind;
  p.amount = e.amount;
  p.route = e.route;
  p.requested_ns = e.at_ns;
  p.trace_id = e.trace_id;
  payments_.emplace(p.id, std::move(p));
  ++pending_;
}

void PaymentBook::apply(const PaymentAnswered& e) {
  check(e);
  Payment& p = payments_.at(e.payment_id);
  if (p.status == PaymentStatus::kPending) --pending_;
  if (p.status == PaymentStatus::kTimedOut) {
    --timed_out_;
    p.reconciled = true;
  }
  p.status = static_cast<PaymentStatus>(e.status);
  if (p.status == PaymentStatus::kTimedOut) ++timed_out_;
  p.source = static_cast<PaymentSource>(e.source);
  if (!e.psp_ref.empty()) p.psp_ref = e.psp_ref;
  p.detail = e.detail;
  p.answered_ns = e.at_ns;
}

const Payment* PaymentBook::find(uint64_t id) const {
  auto it = payments_.find(id);
  return it == payments_.end() ? nullptr : &it->second;
}

std::vector<const Payment*> PaymentBook::unresolved() const {
  std::vector<const Payment*> out;
  if (pending_ + timed_out_ == 0) return out;
  for (auto& [id, p] : payments_)
    if (!p.final()) out.push_back(&p);
  return out;
}

void PaymentBook::hash_into(std::string& canon) const {
  for (auto& [id, p] : payments_)
    fmt::format_to(std::back_inserter(canon), "P|{}|{}|{}|{}|{}|{}|{}|{}|{}\n", id, p.account, static_cast<int>(p.kind),
                   p.amount, p.route, static_cast<int>(p.status), p.reconciled ? 1 : 0, p.psp_ref, p.answered_ns);
}

}  // namespace inplay
