// KycDesk: KYC/AML screening of new accounts and big withdrawals, run on the
// engine (KYC-1). A screening is journaled (ScreeningRequested) before it is
// sent, handed once durable to a vendor's port (kyc/kyc_vendor_port.h,
// which never blocks), and the vendor's answer is journaled
// (ScreeningDecided): clear, refer (manual review) or reject.
//
//  - on_account_opened(): every account a channel opens is screened (when
//    screen_new_accounts); it is open at once, but withdraws only once
//    cleared (KYC_NOT_CLEARED until then, KYC_REJECTED after a rejection).
//  - holds() (payment/screening_gate.h): a withdrawal over the threshold is
//    held — its own screening journaled under the client's key, answered
//    202 in_review — and nothing moves; once cleared, it goes to the payment
//    desk under screening_payment_key(id) (its checks run again then); a
//    rejected one never goes. While the withdrawal rule is paused (a
//    playbook or an operator, journaled with its actor) such withdrawals go
//    unscreened.
//  - a failed vendor (no answer after its attempts, breaker open) hands the
//    screening to the next vendor; when none answers it is referred to
//    manual review by the book (fail closed: nothing is cleared unasked).
//  - review(): an operator decides a referred screening (journaled, with
//    the actor and note).
//  - resume() at start: pending screenings are sent again under their keys
//    (the vendor answers its record: never screened twice); cleared
//    withdrawals that never reached the payment desk go now.
// Seen: kyc_screenings_total{vendor,result}, kyc_vendor_seconds{vendor},
// kyc_backlog, kyc_reviews_open, and the observers (the kyc_screening SLO).
// Engine thread only, except where noted.
#pragma once
#include <atomic>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/engine.h"
#include "kyc/kyc_terms.h"
#include "kyc/kyc_vendor_port.h"
#include "payment/payment_desk.h"
#include "payment/screening_gate.h"
#include "telemetry/metrics.h"
#include "wallet/wallet_desk.h"

namespace inplay {

class KycDesk final : public ScreeningGate {
 public:
  KycDesk(Engine& engine, WalletDesk& wallet, PaymentDesk& payments);
  ~KycDesk() override;
  KycDesk(const KycDesk&) = delete;

  // Before start(), after the replay (a journaled vendor switch or rule pause
  // stands): the vendors in order of preference after the active one;
  // `mask` turns an account id into the pseudonym the vendor sees.
  void set_vendors(const KycTerms& terms, std::vector<KycVendorPort*> ports,
                   std::function<std::string(std::string_view)> mask);
  bool enabled() const { return !ports_.empty(); }
  // Before start(): called with each vendor answer's latency (steady ns from
  // the first call to the decision), for the kyc_screening SLO.
  void add_latency_observer(std::function<void(int64_t took_ns)> fn) { observers_.push_back(std::move(fn)); }

  // Engine thread.
  void on_account_opened(const std::string& account, const std::string& channel);
  bool holds(RequestPayment& r, std::optional<Error>& refusal) override;
  Result<bool> review(uint64_t screening_id, bool clear, const std::string& note, const std::string& actor);
  // The active vendor (a vendor switch: by an operator or a playbook).
  Result<bool> switch_vendor(const std::string& vendor, const std::string& actor);
  // Pauses (or resumes) the withdrawal rule; journaled as an action.
  void pause_withdrawal_rule(bool paused, const std::string& actor, const std::string& reason);
  bool withdrawal_rule_paused() const { return paused_; }
  void resume();

  const std::string& active() const { return active_; }
  struct VendorSeen {
    std::string name;
    bool available = false;
    uint64_t sent = 0, clear = 0, refer = 0, reject = 0, failed = 0;
    std::string last_error;
  };
  std::vector<VendorSeen> vendors_seen() const;
  // Screenings sent and not yet answered (the kyc_backlog alert's signal).
  size_t backlog() const { return engine_.state().screenings.pending_count(); }
  // Share of failed answers among a vendor's last kErrorWindow answers of
  // the last kErrorAgeNs of book time (the kyc_vendor_errors alert's signal,
  // labelled kyc_vendor); 0 with none. A vendor no longer asked (switched
  // away from, breaker open) ages out, and its alert resolves.
  double recent_error_ratio(const std::string& vendor) const;
  static constexpr size_t kErrorWindow = 20;
  static constexpr int64_t kErrorAgeNs = 60'000'000'000;
  // Vendor calls that failed (for the vendor-error alert): all vendors.
  uint64_t failed_total() const;
  uint64_t answered_total() const;
  const KycTerms& terms() const { return terms_; }

 private:
  struct Waiting {
    std::set<std::string> tried;  // vendors that failed it this time round
    int64_t first_sent_ns = 0;    // steady clock
    bool in_flight = false;
  };
  uint64_t start(uint8_t subject, const std::string& account, const std::string& channel, int64_t amount,
                 IdemTag idem, std::function<void(uint64_t)> after);
  void send(uint64_t screening_id);
  void answered(const VendorAnswer& a);
  void decide(uint64_t screening_id, ScreeningStatus to, ScreeningSource source, const std::string& vendor,
              const std::string& vendor_ref, const std::string& actor, const std::string& note);
  void release(uint64_t screening_id);
  KycVendorPort* next_vendor(const Waiting& w) const;
  void update_gauges();

  Engine& engine_;
  WalletDesk& wallet_;
  PaymentDesk& payments_;
  KycTerms terms_;
  std::vector<KycVendorPort*> ports_;
  std::string active_;
  bool paused_ = false;
  std::function<std::string(std::string_view)> mask_;
  std::unordered_map<uint64_t, Waiting> waiting_;
  std::unordered_map<std::string, VendorSeen> seen_;
  std::vector<std::function<void(int64_t)>> observers_;
  struct Recent {
    int64_t at_ns;  // book clock
    bool failed;
  };
  std::unordered_map<std::string, std::deque<Recent>> recent_;  // vendor -> its last answers
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);

  Family<Counter>* screenings_;       // kyc_screenings_total{vendor,result}
  Family<Histogram>* vendor_seconds_; // kyc_vendor_seconds{vendor}
  Gauge* backlog_;                    // kyc_backlog
  Gauge* reviews_open_;               // kyc_reviews_open
  Gauge* paused_gauge_;               // kyc_withdrawal_rule_paused
};

}  // namespace inplay
