// BookActionPort: the playbooks' hands on the book (INC-2). Each action
// calls the same Engine / FeedDesk function the operator API calls, with the
// playbook (or operator) as actor, so every change is journaled, audited and
// replayed like any other. Reverts undo exactly what the action changed and
// leave alone what someone else changed since (a market another actor
// re-suspended stays suspended). A feed switch goes only to a feed that is
// up and fresh (its lines on time, ODDS-2), and its revert waits (NOT_READY)
// until the feed switched away from has been up and fresh for the hold
// period: a late feed that is merely "up" is not taken back. shed_load on
// the book (a target naming nothing) sets the book-wide intake limit
// (bet/book_intake.h), a share of what the book decides per second now
// when the spec asks for one. switch_psp_route sends new payments from the
// blamed PSP route (the active one when none is named) to the next route
// whose breaker is closed; its revert waits (NOT_READY) until the route
// switched away from is available again. switch_kyc_vendor does the same
// for new KYC screenings (the blamed vendor, else the active one; back once
// that vendor's breaker lets calls go again); pause_kyc_rule pauses the
// screening of big withdrawals and its revert resumes it (unless someone
// resumed it since). Engine thread only.
#pragma once
#include <functional>

#include "engine/engine.h"
#include "market/market_desk.h"
#include "feed/feed_desk.h"
#include "kyc/kyc_desk.h"
#include "payment/payment_desk.h"
#include "playbook/action_port.h"

namespace inplay {

class BookActionPort final : public ActionPort {
 public:
  BookActionPort(MarketDesk& markets, FeedDesk* desk, int64_t feed_revert_hold_ns)
      : engine_(markets.engine()), markets_(markets), desk_(desk), feed_revert_hold_ns_(feed_revert_hold_ns) {}
  std::vector<uint64_t> markets_of(const ActionTarget& t) override;
  Result<ActionOutcome> apply(const ActionSpec& a, const ActionTarget& t, const std::string& actor,
                              const std::string& reason) override;
  Result<std::string> revert(const ActionSpec& a, const ActionOutcome& done, const std::string& actor) override;
  void audit(const std::string& action, const std::string& target, const std::string& actor,
             const std::string& detail) override;
  // Bets the book decided per second lately (the app wires the accept
  // window): what a share_of_decided book-wide shed is a share of.
  void set_decided_per_second(std::function<double()> fn) { decided_per_second_ = std::move(fn); }
  // The payment desk a switch_psp_route acts on (nullptr: none).
  void set_payments(PaymentDesk* payments) { payments_ = payments; }
  // The KYC desk switch_kyc_vendor and pause_kyc_rule act on (nullptr: none).
  void set_kyc(KycDesk* kyc) { kyc_ = kyc; }

 private:
  std::string sport_of(const ActionTarget& t);
  Result<ActionOutcome> switch_feed(const ActionTarget& t, const std::string& actor);
  Result<ActionOutcome> shed_book(const ActionSpec& a, const std::string& actor, const std::string& reason);
  Result<std::string> unshed_book(const ActionOutcome& done, const std::string& actor);
  Result<ActionOutcome> switch_psp_route(const ActionTarget& t, const std::string& actor, const std::string& reason);
  Result<std::string> switch_psp_route_back(const ActionOutcome& done, const std::string& actor);
  Result<ActionOutcome> switch_kyc_vendor(const ActionTarget& t, const std::string& actor);
  Result<std::string> switch_kyc_vendor_back(const ActionOutcome& done, const std::string& actor);
  Result<ActionOutcome> pause_kyc_rule(const std::string& actor, const std::string& reason);
  Result<std::string> resume_kyc_rule(const ActionOutcome& done, const std::string& actor);
  std::function<double()> decided_per_second_;
  PaymentDesk* payments_ = nullptr;
  KycDesk* kyc_ = nullptr;
  Engine& engine_;
  MarketDesk& markets_;
  FeedDesk* desk_;
  int64_t feed_revert_hold_ns_;
};

}  // namespace inplay
