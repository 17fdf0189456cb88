// BookRole (contract in app/book_role.h).
#include "app/book_role.h"

#include "core/clock.h"
#include "core/json.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

constexpr int64_t kHashEveryNs = 250'000'000;

// The registry hands the same family back to a second call with its shape.
Family<Histogram>& commit_family(MetricsRegistry& metrics) {
  return metrics.histogram("journal_kafka_commit_seconds",
                           "Each Kafka journal transaction, begin to commit (kind: records, or a lease alone)", {"kind"},
                           default_latency_bounds_ns(), Unit::kSeconds);
}

}  // namespace

BookRole::BookRole(MetricsRegistry& metrics, bool standby)
    : role_(metrics.gauge("book_role", "1 for the role this book holds now: leader (writes the journal) or standby",
                          {"role"})),
      takeovers_(metrics.counter("book_takeovers_total",
                                 "Times this book found the leader's lease run out and took the journal over")
                     .with({})),
      fenced_(metrics.gauge("book_fenced", "1 once Kafka refused this book's journal for good (another book took it)")
                  .with({})),
      commit_records_(MetricsRegistry::series(commit_family(metrics), {"records"})),
      commit_lease_(MetricsRegistry::series(commit_family(metrics), {"lease"})),
      aborts_(metrics.counter("journal_kafka_aborts_total", "Kafka journal transactions aborted (their records go again)")
                  .with({})),
      standby_(standby),
      book_id_(this_book_id()) {
  role_.with({"leader"}).set(standby ? 0 : 1);
  role_.with({"standby"}).set(standby ? 1 : 0);
  metrics.gauge_fn("journal_standby_applied_seq", "The last journal record a standby applied (0 on a leader)", [this] {
    std::lock_guard lk(mu_);
    return static_cast<double>(standby_ ? status_.applied_seq : 0);
  });
  metrics.gauge_fn("journal_standby_lag", "Kafka offsets of the journal a standby has not read yet", [this] {
    std::lock_guard lk(mu_);
    return static_cast<double>(standby_ ? status_.lag : 0);
  });
  metrics.gauge_fn("journal_standby_silent_seconds", "Seconds since a standby last saw the leader commit", [this] {
    std::lock_guard lk(mu_);
    return standby_ ? status_.silent_ms / 1000.0 : 0.0;
  });
  metrics.gauge_fn("book_standby_live", "A leader: 1 while its standby has reported within the last 5 s", [this] {
    std::lock_guard lk(mu_);
    return !standby_ && heard_ns_ > 0 && monotonic_ns() - heard_ns_ < kStandbyLiveNs ? 1.0 : 0.0;
  });
  metrics.gauge_fn("book_standby_lag_records",
                   "A leader: its last durable seq minus the seq its standby last reported applied", [this] {
                     std::lock_guard lk(mu_);
                     if (standby_ || !heard_ || heard_leader_seq_ < heard_->applied_seq) return 0.0;
                     return static_cast<double>(heard_leader_seq_ - heard_->applied_seq);
                   });
  metrics.gauge_fn("book_standby_lost", "A leader: 1 when a standby it heard from has been silent for 30 s",
                   [this] { return standby_lost(monotonic_ns()); });
  metrics.gauge_fn("book_takeover_seconds", "The last takeover: the leader's lease ran out -> this book leading", [this] {
    std::lock_guard lk(mu_);
    return last_takeover_ms_ < 0 ? 0.0 : last_takeover_ms_ / 1000.0;
  });
}

bool BookRole::standby() const {
  std::lock_guard lk(mu_);
  return standby_;
}

KafkaJournalHooks BookRole::journal_hooks(std::function<void(const std::string& why)> on_fatal) {
  KafkaJournalHooks h;
  h.on_commit = [this](int64_t ns, size_t records) { (records > 0 ? commit_records_ : commit_lease_).observe(ns); };
  h.on_abort = [this] { aborts_.inc(); };
  h.on_fatal = [this, on_fatal = std::move(on_fatal)](const std::string& why) {
    fenced_.set(1);
    if (on_fatal) on_fatal(why);
  };
  return h;
}

KafkaStandby BookRole::following(std::function<bool()> stop_requested, std::function<std::string()> state_hash) {
  KafkaStandby s;
  s.enabled = standby();
  s.stop_requested = std::move(stop_requested);
  s.on_follow = [this, state_hash = std::move(state_hash)](const KafkaStandby::Progress& p) {
    const int64_t now = monotonic_ns();
    std::string hash;
    bool take_hash;
    {
      std::lock_guard lk(mu_);
      take_hash = p.applied_seq != hashed_seq_ && (p.caught_up || now - hashed_ns_ >= kHashEveryNs);
    }
    if (take_hash) hash = state_hash();  // the replaying thread owns the state: outside the lock
    std::lock_guard lk(mu_);
    if (take_hash) {
      hashed_ns_ = now;
      hashed_seq_ = p.applied_seq;
      status_.state_hash = std::move(hash);
    }
    // Caught up: it reached the end, and has read nothing new since (a
    // poll that only waited says nothing about the end).
    const bool at_end = p.caught_up || (status_.caught_up && p.applied_seq == status_.applied_seq);
    status_.applied_seq = p.applied_seq;
    status_.lag = p.lag;
    status_.silent_ms = p.silent_ms;
    status_.caught_up = at_end && hashed_seq_ == p.applied_seq;
  };
  s.report = [this] {
    std::lock_guard lk(mu_);
    StandbyReport r;
    r.book = book_id_;
    r.n = ++reports_;
    r.applied_seq = status_.applied_seq;
    if (hashed_seq_ == status_.applied_seq) r.state_hash = status_.state_hash;  // else not known at that seq
    r.caught_up = status_.caught_up;
    r.lag = status_.lag;
    return r;
  };
  s.on_lease_out = [this] {
    std::lock_guard lk(mu_);
    lease_out_ns_ = monotonic_ns();
  };
  return s;
}

void BookRole::now_leading(int64_t now_ns) {
  std::lock_guard lk(mu_);
  if (!standby_) return;
  standby_ = false;
  role_.with({"leader"}).set(1);
  role_.with({"standby"}).set(0);
  takeovers_.inc();
  took_over_ns_ = now_ns;
  if (lease_out_ns_ > 0) last_takeover_ms_ = (now_ns - lease_out_ns_) / 1'000'000;
  log::warn("runtime", "took over: this book is the leader now",
            {{"takeover_ms", last_takeover_ms_}, {"applied_seq", status_.applied_seq}});
}

void BookRole::heard(const std::optional<StandbyReport>& r, uint64_t leader_seq, int64_t now_ns,
                     const std::string& error) {
  std::lock_guard lk(mu_);
  watch_error_ = error;
  if (!error.empty()) return;
  heard_leader_seq_ = leader_seq;
  if (!r || r->book == book_id_) return;  // none, or this book's own, from when it stood by
  if (!fetched_ || *fetched_ != *r) {
    const bool baseline = !fetched_;
    fetched_ = r;
    // The report there when this book started may be years old: a standby
    // is heard only once a report changes while this book watches.
    if (baseline) return;
    const bool first = !heard_ || heard_->book != r->book;
    heard_ = r;
    heard_ns_ = now_ns;
    if (first)
      log::info("runtime", "a standby follows this book",
                {{"standby", r->book}, {"applied_seq", r->applied_seq}, {"caught_up", r->caught_up}});
  }
}

double BookRole::standby_lost(int64_t now_ns) const {
  std::lock_guard lk(mu_);
  return !standby_ && heard_ns_ > 0 && now_ns - heard_ns_ >= kStandbyLostNs ? 1.0 : 0.0;
}

std::string BookRole::status_json(uint64_t leader_seq, int64_t now_ns) const {
  return journal_panel_json(panel(leader_seq, now_ns));
}

JournalPanel BookRole::panel(uint64_t leader_seq, int64_t now_ns) const {
  std::lock_guard lk(mu_);
  JournalPanel p;
  p.kafka = true;
  p.standby = standby_;
  p.fenced = fenced_.value() > 0;
  p.takeovers = static_cast<uint64_t>(takeovers_.value());
  p.last_takeover_ms = last_takeover_ms_;
  p.seq = leader_seq;
  if (!standby_ && heard_) {
    p.heard = heard_;
    p.heard_ms_ago = (now_ns - heard_ns_) / 1'000'000;
  }
  p.watch_error = watch_error_;
  return p;
}

std::string journal_panel_json(const JournalPanel& p) {
  JsonWriter w;
  w.begin_object();
  w.field("role", p.standby ? "standby" : "leader").field("journal", p.kafka ? "kafka" : "file");
  w.field("fenced", p.fenced).field("takeovers", p.takeovers);
  w.key("last_takeover_ms");
  if (p.last_takeover_ms < 0) w.null();
  else w.value(p.last_takeover_ms);
  w.field("seq", p.seq);
  w.key("standby");
  if (!p.heard) {
    w.null();
  } else {
    const StandbyReport& sb = *p.heard;
    const int64_t ago_ns = p.heard_ms_ago * 1'000'000;
    w.begin_object();
    w.field("book", sb.book).field("applied_seq", sb.applied_seq);
    w.field("lag_records", p.seq > sb.applied_seq ? p.seq - sb.applied_seq : 0);
    w.field("kafka_lag", sb.lag).field("caught_up", sb.caught_up).field("state_hash", sb.state_hash);
    w.field("heard_ms_ago", p.heard_ms_ago);
    w.field("status", ago_ns < BookRole::kStandbyLiveNs   ? "following"
                      : ago_ns < BookRole::kStandbyLostNs ? "silent"
                                                           : "lost");
    w.end_object();
  }
  w.key("watch_error");
  if (p.watch_error.empty()) w.null();
  else w.value(p.watch_error);
  w.end_object();
  return w.take();
}

StandbyStatus BookRole::status() const {
  std::lock_guard lk(mu_);
  return status_;
}

double BookRole::took_over_within(int64_t now_ns, int64_t window_ns) const {
  std::lock_guard lk(mu_);
  return took_over_ns_ > 0 && now_ns - took_over_ns_ < window_ns ? 1.0 : 0.0;
}

int64_t BookRole::last_takeover_ms() const {
  std::lock_guard lk(mu_);
  return last_takeover_ms_;
}

}  // namespace inplay
