// AuditProjection (contract in projection/audit_projection.h).
#include "projection/audit_projection.h"

#include <pthread.h>

#include <algorithm>
#include <variant>

#include "core/error.h"
#include "core/odds.h"
#include "journal/events.h"
#include "journal/journal.h"
#include "market/book.h"
#include "risk/risk_check.h"
#include "telemetry/audit.h"
#include "telemetry/log.h"
#include "telemetry/trace.h"
#include "wallet/ledger.h"

namespace inplay {

AuditProjection::AuditProjection(std::filesystem::path audit_file, std::filesystem::path journal_dir,
                                 Mask mask, std::string currency, AuditProjectionOptions opts)
    : file_(std::move(audit_file)),
      journal_dir_(std::move(journal_dir)),
      mask_(std::move(mask)),
      currency_(std::move(currency)),
      opts_(opts),
      reader_(std::make_unique<JournalReader>(journal_dir_)),
      loop_("audit", opts.poll_interval, opts.backoff_min, opts.backoff_max,
            {[this] { apply_new(); },
             [this](std::exception_ptr e, uint64_t n, std::chrono::milliseconds retry) { log_failure(e, n, retry); },
             [this](uint64_t n) {
               log::info("audit", "audit projection recovered", {{"failures", n}, {"last_seq", last_seq()}});
             }}) {}

AuditProjection::~AuditProjection() { stop(); }

void AuditProjection::start() { loop_.start(); }
void AuditProjection::poke() { loop_.poke(); }
void AuditProjection::stop() { loop_.stop(); }

uint64_t AuditProjection::catch_up() { return apply_new(); }

uint64_t AuditProjection::apply_new() {
  std::lock_guard lk(work_mu_);
  if (!writer_) {
    writer_ = std::make_unique<AuditWriter>(file_);
    done_ = std::max(done_, writer_->last_journal_seq());
  }
  uint64_t read = done_;
  size_t in_batch = 0;
  try {
    reader_->read_from(done_, [&](const JournalRecord& r) {
      if (r.seq <= read) return;
      const uint64_t before = writer_->last_seq();
      audit(r);
      read = r.seq;
      if (writer_->last_seq() != before && ++in_batch >= opts_.batch_records) {
        writer_->flush();
        in_batch = 0;
        done_ = read;
        last_seq_.store(done_, std::memory_order_release);
      }
    });
    writer_->flush();
    done_ = read;
    last_seq_.store(done_, std::memory_order_release);
  } catch (...) {
    // Unsynced records are forgotten with the writer; the next pass reopens
    // the file and continues after its last synced record.
    writer_.reset();
    throw;
  }
  return done_;
}

void AuditProjection::audit(const JournalRecord& r) {
  BookEvent ev = decode_event(r.type, r.payload);
  AuditEntry e;
  e.journal_seq = r.seq;
  if (auto* b = std::get_if<BetAccepted>(&ev)) {
    e.action = "bet_accepted";
    e.at_ns = b->accepted_ns;
    e.add("bet_id", b->bet_id)
        .add("account", mask_(b->account))
        .add("selection_id", b->selection_id)
        .add("stake", b->stake)
        .add("currency", currency_)
        .add("odds", Odds{b->odds}.str())
        .add("odds_requested", Odds{b->odds_requested}.str())
        .add("price_change", price_change_policy_name(static_cast<PriceChangePolicy>(b->policy)))
        .add("trace_id", to_hex(b->trace_id));
  } else if (auto* j = std::get_if<Rejected>(&ev)) {
    e.action = "bet_rejected";
    e.at_ns = j->at_ns;
    // The idempotency key is "<caller>:<client key>"; the client's part is
    // free text and is not audited.
    std::string_view caller(j->idem.key);
    caller = caller.substr(0, caller.find(':'));
    e.add("code", error_code_name(static_cast<ErrorCode>(j->code)))
        .add("status", static_cast<int64_t>(error_http_status(static_cast<ErrorCode>(j->code))))
        .add("caller", caller);
  } else if (auto* m = std::get_if<MoneyMoved>(&ev)) {
    e.action = m->reason == TransferReason::kDeposit      ? "deposit"
               : m->reason == TransferReason::kWithdrawal ? "withdrawal"
                                                          : "money_moved";
    e.at_ns = m->at_ns;
    e.add("account", mask_(m->account)).add("amount", m->amount).add("currency", currency_);
    if (e.action == "money_moved") e.add("reason", transfer_reason_name(m->reason));
  } else if (auto* s = std::get_if<MarketStatusSet>(&ev)) {
    e.action = "market_status_set";
    e.at_ns = s->at_ns;
    e.add("market_id", s->market_id)
        .add("status", market_status_name(static_cast<MarketStatus>(s->status)))
        .add("reason", s->reason)
        .add("actor", s->actor);
  } else if (auto* c = std::get_if<StakeCapSet>(&ev)) {
    e.action = "stake_cap_set";
    e.at_ns = c->at_ns;
    e.add("market_id", c->market_id).add("cap", c->cap).add("actor", c->actor);
  } else if (auto* t = std::get_if<EventStateSet>(&ev)) {
    e.action = "event_state_set";
    e.at_ns = t->at_ns;
    e.add("event_id", t->event_id)
        .add("state", event_state_name(static_cast<EventState>(t->state)))
        .add("actor", t->actor);
  } else if (auto* c = std::get_if<MarketControlSet>(&ev)) {
    e.action = "market_control_set";
    e.at_ns = c->at_ns;
    e.add("market_id", c->market_id)
        .add("control", market_control_name(static_cast<MarketControl>(c->control)))
        .add("value", c->value)
        .add("reason", c->reason)
        .add("actor", c->actor);
  } else if (auto* a = std::get_if<ActionRecorded>(&ev)) {
    e.action = a->action;
    e.at_ns = a->at_ns;
    e.add("target", a->target).add("actor", a->actor).add("detail", a->detail);
  } else if (auto* f = std::get_if<FeedSwitched>(&ev)) {
    e.action = "feed_switched";
    e.at_ns = f->at_ns;
    e.add("target", "sport:" + f->sport).add("actor", f->actor).add("detail", f->from + " -> " + f->to);
  } else {
    // Prices are not audited; incident snapshots are the incident loop's
    // memory (what its actions did is audited by their own events).
    return;
  }
  writer_->append(e);
}

void AuditProjection::log_failure(std::exception_ptr failure, uint64_t failures,
                                  std::chrono::milliseconds retry) noexcept {
  const int64_t retry_ms = retry.count();
  try {
    try {
      std::rethrow_exception(failure);
    } catch (const JournalCorrupt& e) {
      log::error("audit", "journal corrupt, audit projection stalled",
                 {{"segment", e.segment}, {"offset", e.offset}, {"reason", e.reason},
                  {"last_seq", last_seq()}, {"failures", failures}, {"retry_ms", retry_ms}});
    } catch (const std::exception& e) {
      log::error("audit", "audit projection stalled",
                 {{"error", e.what()}, {"last_seq", last_seq()}, {"failures", failures},
                  {"retry_ms", retry_ms}});
    } catch (...) {
      log::error("audit", "unknown error, audit projection stalled",
                 {{"last_seq", last_seq()}, {"failures", failures}, {"retry_ms", retry_ms}});
    }
  } catch (...) {
  }
}

}  // namespace inplay
