// AuditProjection (contract in projection/audit_projection.h).
#include "projection/audit_projection.h"

#include <pthread.h>

#include <algorithm>
#include <variant>

#include "core/error.h"
#include "projection/disk_reserve.h"
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
      if (in_batch == 0) check_disk_reserve(opts_.may_write, "audit projection");
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
  } else if (auto* co = std::get_if<BetCashedOut>(&ev)) {
    e.action = "bet_cashed_out";
    e.at_ns = co->at_ns;
    e.add("bet_id", co->bet_id)
        .add("market_id", co->market_id)
        .add("stake", co->stake)
        .add("amount", co->amount)
        .add("currency", currency_)
        .add("odds", Odds{co->odds}.str())
        .add("price_version", static_cast<int64_t>(co->price_version))
        .add("price_ts_ms", co->price_ts_ms)
        .add("trace_id", to_hex(co->trace_id));
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
  } else if (auto* o = std::get_if<AccountOpened>(&ev)) {
    e.action = "account_opened";
    e.at_ns = o->at_ns;
    e.add("account", mask_(o->account)).add("channel", o->channel).add("actor", o->actor);
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
  } else if (auto* ms = std::get_if<MarketSettled>(&ev)) {
    e.action = "market_settled";
    e.at_ns = ms->at_ns;
    e.add("market_id", ms->market_id).add("version", static_cast<int64_t>(ms->version))
        .add("certainty", ms->certainty == 1 ? "live" : "confirmed")
        .add("source", ms->source).add("reason", ms->reason);
  } else if (auto* p = std::get_if<BetPostings>(&ev)) {
    // One line per batch: how many bets and how much; each bet's own
    // return is in the journal and in GET /v1/bets/{id}.
    int64_t total = 0;
    for (auto& [bet_id, amount] : p->bets) total += amount;
    e.action = "bets_posted";
    e.at_ns = p->at_ns;
    e.add("market_id", p->market_id).add("kind", posting_kind_name(static_cast<PostingKind>(p->kind)))
        .add("version", static_cast<int64_t>(p->version)).add("cancel_id", static_cast<int64_t>(p->cancel_id))
        .add("bets", static_cast<int64_t>(p->bets.size())).add("amount", total).add("currency", currency_);
  } else if (auto* rb = std::get_if<SettlementRolledBack>(&ev)) {
    e.action = "settlement_rolled_back";
    e.at_ns = rb->at_ns;
    e.add("market_id", rb->market_id).add("version", static_cast<int64_t>(rb->version))
        .add("source", rb->source).add("reason", rb->reason);
  } else if (auto* bc = std::get_if<BetsCancelled>(&ev)) {
    e.action = "bets_cancelled";
    e.at_ns = bc->at_ns;
    e.add("market_id", bc->market_id).add("cancel_id", static_cast<int64_t>(bc->cancel_id))
        .add("from_ns", bc->from_ns).add("to_ns", bc->to_ns).add("source", bc->source).add("reason", bc->reason);
  } else if (auto* cr = std::get_if<CancelRolledBack>(&ev)) {
    e.action = "cancel_rolled_back";
    e.at_ns = cr->at_ns;
    e.add("market_id", cr->market_id).add("cancel_id", static_cast<int64_t>(cr->cancel_id)).add("source", cr->source);
  } else if (auto* dl = std::get_if<SettlementDeadLettered>(&ev)) {
    e.action = "settlement_dead_lettered";
    e.at_ns = dl->at_ns;
    e.add("dlq_id", dl->dlq_id).add("market_id", dl->market_id).add("reason", dl->reason).add("source", dl->source);
  } else if (auto* dr = std::get_if<DeadLetterResolved>(&ev)) {
    e.action = "dead_letter_resolved";
    e.at_ns = dr->at_ns;
    e.add("dlq_id", dr->dlq_id)
        .add("resolution", dr->resolution == static_cast<uint8_t>(DeadLetterResolution::kReplayed) ? "replayed" : "discarded")
        .add("actor", dr->actor).add("detail", dr->detail);
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
