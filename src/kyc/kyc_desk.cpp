// KycDesk (contract in kyc/kyc_desk.h).
#include "kyc/kyc_desk.h"

#include <fmt/format.h>

#include <chrono>

#include "core/clock.h"
#include "engine/hand_to_engine.h"
#include "telemetry/log.h"
#include "wallet/answer_once.h"

namespace inplay {

const char* vendor_answer_name(VendorAnswer::Kind k) {
  switch (k) {
    case VendorAnswer::Kind::kClear: return "clear";
    case VendorAnswer::Kind::kRefer: return "refer";
    case VendorAnswer::Kind::kReject: return "reject";
    case VendorAnswer::Kind::kFailed: return "failed";
  }
  return "failed";
}

KycDesk::KycDesk(Engine& engine, WalletDesk& wallet, PaymentDesk& payments)
    : engine_(engine), wallet_(wallet), payments_(payments) {
  MetricsRegistry& m = engine_.registry();
  screenings_ = &m.counter("kyc_screenings_total",
                           "Answers of KYC/AML vendors to the book's screenings, by result: clear, refer (manual "
                           "review), reject, failed (no answer after every attempt: the next vendor is asked)",
                           {"vendor", "result"});
  vendor_seconds_ = &m.histogram("kyc_vendor_seconds", "From handing a screening to a vendor to the vendor's answer",
                                 {"vendor"},
                                 {5000000, 10000000, 25000000, 50000000, 100000000, 250000000, 500000000, 1000000000,
                                  2500000000, 5000000000},
                                 Unit::kSeconds);
  backlog_ = &m.gauge("kyc_backlog", "Screenings sent to a vendor and not yet answered").with({});
  reviews_open_ = &m.gauge("kyc_reviews_open", "Screenings referred to manual review and not yet decided").with({});
  paused_gauge_ = &m.gauge("kyc_withdrawal_rule_paused",
                           "1 while the screening of withdrawals over the threshold is paused (playbook or operator)")
                       .with({});
}

KycDesk::~KycDesk() { alive_->store(false); }

void KycDesk::set_vendors(const KycTerms& terms, std::vector<KycVendorPort*> ports,
                          std::function<std::string(std::string_view)> mask) {
  terms_ = terms;
  ports_ = std::move(ports);
  active_ = terms.active.empty() && !ports_.empty() ? ports_.front()->vendor() : terms.active;
  // A switch or pause journaled before a restart stands (a vendor since
  // taken out of the config does not).
  const BookState& st = engine_.state();
  for (KycVendorPort* p : ports_)
    if (p->vendor() == st.kyc_vendor) active_ = st.kyc_vendor;
  paused_ = st.kyc_withdrawal_rule_paused;
  paused_gauge_->set(paused_ ? 1 : 0);
  mask_ = std::move(mask);
  for (KycVendorPort* p : ports_) seen_[p->vendor()].name = p->vendor();
}

void KycDesk::update_gauges() {
  const ScreeningBook& b = engine_.state().screenings;
  backlog_->set(static_cast<double>(b.pending_count()));
  reviews_open_->set(static_cast<double>(b.referred_count()));
}

// The first vendor from the active one on, in order, that is available and
// has not failed this screening.
KycVendorPort* KycDesk::next_vendor(const Waiting& w) const {
  if (ports_.empty()) return nullptr;
  size_t start = 0;
  for (size_t i = 0; i < ports_.size(); ++i)
    if (ports_[i]->vendor() == active_) start = i;
  for (size_t k = 0; k < ports_.size(); ++k) {
    KycVendorPort* p = ports_[(start + k) % ports_.size()];
    if (!w.tried.count(p->vendor()) && p->available()) return p;
  }
  return nullptr;
}

uint64_t KycDesk::start(uint8_t subject, const std::string& account, const std::string& channel, int64_t amount,
                        IdemTag idem, std::function<void(uint64_t)> after) {
  BookState& s = engine_.state();
  ScreeningRequested e;
  e.screening_id = s.screenings.next_id();
  e.subject = subject;
  e.account = account;
  e.channel = channel;
  e.amount = amount;
  Waiting probe;
  KycVendorPort* first = next_vendor(probe);
  e.vendor = first ? first->vendor() : active_;
  e.at_ns = to_ns(engine_.clock().now());
  e.idem = std::move(idem);
  const uint64_t id = e.screening_id;
  engine_.commit(std::move(e), [this, id, after = std::move(after)] {
    send(id);
    if (after) after(id);
  });
  log::info("kyc", "screening requested",
            {{"screening_id", id}, {"subject", screening_subject_name(static_cast<ScreeningSubject>(subject))}});
  update_gauges();
  return id;
}

void KycDesk::on_account_opened(const std::string& account, const std::string& channel) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!enabled() || !terms_.screen_new_accounts || is_synthetic_account(account)) return;
  try {
    start(static_cast<uint8_t>(ScreeningSubject::kAccount), account, channel, 0, IdemTag{}, {});
  } catch (const std::exception& ex) {
    engine_.failed("commit", ex);
  }
}

bool KycDesk::holds(RequestPayment& r, std::optional<Error>& refusal) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!enabled()) return false;
  const BookState& s = engine_.state();
  // The withdrawal a cleared screening lets go.
  if (r.idem_key.rfind("kyc:", 0) == 0) return false;
  if (const Screening* own = s.screenings.of_account(r.account)) {
    if (own->status == ScreeningStatus::kRejected) {
      refusal = Error{ErrorCode::kKycRejected, "the account's KYC/AML screening rejected it: no withdrawal"};
      return false;
    }
    if (own->status != ScreeningStatus::kCleared) {
      refusal = Error{ErrorCode::kKycNotCleared,
                      fmt::format("the account's KYC/AML screening is {}: no withdrawal until it is cleared",
                                  screening_status_name(own->status))};
      return false;
    }
  }
  if (r.amount <= terms_.withdrawal_threshold || paused_) return false;
  const int64_t idx = s.ledger.find(r.account);
  const std::string* owner = idx >= 0 ? s.owners.owner(static_cast<uint32_t>(idx)) : nullptr;
  std::vector<OutcomeFn> replies = wallet_.take_waiters(r.idem_key);
  replies.push_back(std::move(r.done));
  try {
    start(static_cast<uint8_t>(ScreeningSubject::kWithdrawal), r.account, owner ? *owner : std::string(), r.amount,
          IdemTag{r.idem_key, r.fingerprint}, [replies = std::move(replies)](uint64_t id) {
            for (auto& f : replies) f(ScreeningRef{id});
          });
  } catch (const std::exception& ex) {
    engine_.failed("commit", ex);
    // Nothing journaled: the same request may be sent again.
    OutcomeFn done = [replies](const Outcome& o) {
      for (auto& f : replies) f(o);
    };
    wallet_.refuse_failed(r.idem_key, ex, std::move(done));
  }
  return true;
}

// Engine thread, once the screening is durable or a vendor failed it:
// hands it to the next vendor, or refers it when none is left.
void KycDesk::send(uint64_t screening_id) {
  const Screening* k = engine_.state().screenings.find(screening_id);
  if (!k || k->status != ScreeningStatus::kPending) return;
  Waiting& w = waiting_[screening_id];
  if (w.in_flight) return;
  KycVendorPort* p = next_vendor(w);
  if (!p) {
    waiting_.erase(screening_id);
    log::warn("kyc", "no vendor could screen it; referred to manual review", {{"screening_id", screening_id}});
    try {
      decide(screening_id, ScreeningStatus::kReferred, ScreeningSource::kBook, "", "",
             "", "no vendor answered: referred to manual review");
    } catch (const std::exception& ex) {
      engine_.failed("commit", ex);
    }
    return;
  }
  w.in_flight = true;
  if (!w.first_sent_ns) w.first_sent_ns = monotonic_ns();
  ++seen_[p->vendor()].sent;
  ScreeningCall call;
  call.screening_id = k->id;
  call.subject = screening_subject_name(k->subject);
  call.subject_ref = mask_ ? mask_(k->account) : std::string();
  call.amount = k->amount;
  call.currency = std::string(engine_.config().currency.code());
  p->screen(std::move(call), [this, alive = alive_](VendorAnswer answer) {
    if (!alive->load()) return;
    if (hand_to_engine(engine_, [this, alive, answer] {
          if (alive->load()) answered(answer);
        }))
      return;
    log::error("kyc", "a vendor answer could not reach the engine (inbox full for 5 s); the screening stays pending",
               {{"screening_id", answer.screening_id}});
  });
}

void KycDesk::answered(const VendorAnswer& a) {
  screenings_->with({a.vendor, vendor_answer_name(a.kind)}).inc();
  if (a.took_ns > 0) MetricsRegistry::series(*vendor_seconds_, {a.vendor}).observe(a.took_ns);
  VendorSeen& seen = seen_[a.vendor];
  auto& recent = recent_[a.vendor];
  recent.push_back(Recent{to_ns(engine_.clock().now()), a.kind == VendorAnswer::Kind::kFailed});
  if (recent.size() > kErrorWindow) recent.pop_front();
  auto wit = waiting_.find(a.screening_id);
  if (wit != waiting_.end()) wit->second.in_flight = false;
  const Screening* k = engine_.state().screenings.find(a.screening_id);
  if (!k || k->status != ScreeningStatus::kPending) return;
  if (a.kind == VendorAnswer::Kind::kFailed) {
    ++seen.failed;
    seen.last_error = a.detail;
    log::warn("kyc", "vendor failed a screening; trying the next vendor",
              {{"screening_id", a.screening_id}, {"vendor", a.vendor}, {"error", a.detail}});
    waiting_[a.screening_id].tried.insert(a.vendor);
    return send(a.screening_id);
  }
  ScreeningStatus to = ScreeningStatus::kCleared;
  if (a.kind == VendorAnswer::Kind::kClear) ++seen.clear;
  if (a.kind == VendorAnswer::Kind::kRefer) ++seen.refer, to = ScreeningStatus::kReferred;
  if (a.kind == VendorAnswer::Kind::kReject) ++seen.reject, to = ScreeningStatus::kRejected;
  if (wit != waiting_.end()) {
    const int64_t took = monotonic_ns() - wit->second.first_sent_ns;
    for (auto& f : observers_) f(took);
    waiting_.erase(wit);
  }
  try {
    decide(a.screening_id, to, ScreeningSource::kVendor, a.vendor, a.vendor_ref, "", a.detail);
  } catch (const std::exception& ex) {
    engine_.failed("commit", ex);
  }
}

void KycDesk::decide(uint64_t screening_id, ScreeningStatus to, ScreeningSource source, const std::string& vendor,
                     const std::string& vendor_ref, const std::string& actor, const std::string& note) {
  ScreeningDecided e;
  e.screening_id = screening_id;
  e.status = static_cast<uint8_t>(to);
  e.source = static_cast<uint8_t>(source);
  e.vendor = vendor;
  e.vendor_ref = vendor_ref;
  e.actor = actor;
  e.note = note;
  e.at_ns = to_ns(engine_.clock().now());
  const Screening* k = engine_.state().screenings.find(screening_id);
  const bool withdrawal = k && k->subject == ScreeningSubject::kWithdrawal;
  engine_.commit(std::move(e));
  log::info("kyc", "screening decided",
            {{"screening_id", screening_id}, {"status", screening_status_name(to)},
             {"source", screening_source_name(source)}, {"vendor", vendor}});
  update_gauges();
  if (withdrawal && to == ScreeningStatus::kCleared)
    engine_.after_durable([this, screening_id] { engine_.submit([this, screening_id] { release(screening_id); }); });
}

// A cleared withdrawal goes to the payment desk under its internal key: the
// desk's checks run again now (the balance may have moved meanwhile), and a
// repeat (a restart) is answered by that key, never paid twice.
void KycDesk::release(uint64_t screening_id) {
  const BookState& s = engine_.state();
  const Screening* k = s.screenings.find(screening_id);
  if (!k || k->status != ScreeningStatus::kCleared || k->payment_id) return;
  RequestPayment r;
  r.idem_key = screening_payment_key(screening_id);
  r.account = k->account;
  r.scope = k->channel.empty() ? AccountScope::operator_view() : AccountScope::of_channel(k->channel);
  r.user_mask = mask_ ? mask_(k->account) : std::string();
  r.amount = k->amount;
  r.currency = engine_.config().currency;
  r.kind = TransferReason::kWithdrawal;
  r.done = [screening_id](const Outcome& o) {
    if (const Error* e = std::get_if<Error>(&o))
      log::warn("kyc", "a cleared withdrawal was refused by the payment desk",
                {{"screening_id", screening_id}, {"code", std::string(error_code_name(e->code))}});
  };
  payments_.request(r);
}

Result<bool> KycDesk::review(uint64_t screening_id, bool clear, const std::string& note, const std::string& actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const Screening* k = engine_.state().screenings.find(screening_id);
  if (!k) return Error{ErrorCode::kScreeningNotFound, "unknown screening"};
  if (k->status != ScreeningStatus::kReferred)
    return Error{ErrorCode::kScreeningNotInReview,
                 fmt::format("the screening is {}: only a referred one is reviewed", screening_status_name(k->status))};
  try {
    decide(screening_id, clear ? ScreeningStatus::kCleared : ScreeningStatus::kRejected, ScreeningSource::kOperator,
           "", "", actor, note);
  } catch (const std::exception& ex) {
    engine_.failed("commit", ex);
    return Error{ErrorCode::kInternal, std::string("the review could not be journaled; nothing changed: ") + ex.what()};
  }
  return true;
}

Result<bool> KycDesk::switch_vendor(const std::string& vendor, const std::string& actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  bool known = false;
  for (KycVendorPort* p : ports_) known |= p->vendor() == vendor;
  if (!known) return Error{ErrorCode::kValidationFailed, "vendor: not one of kyc.vendors"};
  if (vendor == active_) return false;
  engine_.commit(ActionRecorded{"kyc_switch_vendor", "kyc:" + vendor, actor, "from " + active_,
                                to_ns(engine_.clock().now())});
  log::warn("kyc", "KYC vendor switched", {{"from", active_}, {"to", vendor}, {"actor", actor}});
  active_ = vendor;
  return true;
}

void KycDesk::pause_withdrawal_rule(bool paused, const std::string& actor, const std::string& reason) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (paused == paused_) return;
  engine_.commit(ActionRecorded{paused ? "kyc_rule_paused" : "kyc_rule_resumed", "kyc:withdrawal_threshold", actor,
                                reason, to_ns(engine_.clock().now())});
  log::warn("kyc", paused ? "KYC withdrawal rule paused" : "KYC withdrawal rule resumed", {{"actor", actor}});
  paused_ = paused;
  paused_gauge_->set(paused ? 1 : 0);
}

void KycDesk::resume() {
  const ScreeningBook& b = engine_.state().screenings;
  size_t n = 0;
  for (const Screening* k : b.pending()) {
    send(k->id);
    ++n;
  }
  for (auto& [id, k] : b.all())
    if (k.subject == ScreeningSubject::kWithdrawal && k.status == ScreeningStatus::kCleared && !k.payment_id)
      engine_.submit([this, id = id] { release(id); });
  if (n) log::info("kyc", "screenings asked again at start", {{"screenings", static_cast<uint64_t>(n)}});
  update_gauges();
}

std::vector<KycDesk::VendorSeen> KycDesk::vendors_seen() const {
  std::vector<VendorSeen> out;
  for (KycVendorPort* p : ports_) {
    auto it = seen_.find(p->vendor());
    VendorSeen v = it == seen_.end() ? VendorSeen{} : it->second;
    v.name = p->vendor();
    v.available = p->available();
    out.push_back(std::move(v));
  }
  return out;
}

double KycDesk::recent_error_ratio(const std::string& vendor) const {
  auto it = recent_.find(vendor);
  if (it == recent_.end()) return 0.0;
  const int64_t since = to_ns(engine_.clock().now()) - kErrorAgeNs;
  size_t n = 0, failed = 0;
  for (const Recent& r : it->second) {
    if (r.at_ns < since) continue;
    ++n;
    failed += r.failed ? 1 : 0;
  }
  return n ? static_cast<double>(failed) / static_cast<double>(n) : 0.0;
}

uint64_t KycDesk::failed_total() const {
  uint64_t n = 0;
  for (auto& [name, v] : seen_) n += v.failed;
  return n;
}

uint64_t KycDesk::answered_total() const {
  uint64_t n = 0;
  for (auto& [name, v] : seen_) n += v.clear + v.refer + v.reject + v.failed;
  return n;
}

}  // namespace inplay
