// BookRole: whether this book leads (writes the journal) or stands by
// (follows the leader's Kafka journal, `inplay serve --standby`), and what
// the Kafka journal's leadership looks like from outside (issue 20, item 5).
//
// Metrics (registered at construction, all on the book's registry):
//   book_role{role="leader"|"standby"}       1 for the role held now, 0 else
//   book_takeovers_total                     leases run out and taken over
//   book_takeover_seconds                    the last takeover: the lease ran
//                                            out -> this book serving as leader
//   book_fenced                              1 once Kafka refused this book for
//                                            good (another book took the id)
//   journal_kafka_commit_seconds{kind}       each transaction, begin -> commit
//                                            (kind: records | lease)
//   journal_kafka_aborts_total               transactions aborted (produced again)
//   journal_standby_applied_seq              the last record a standby applied
//   journal_standby_lag                      Kafka offsets it has not read yet
//   journal_standby_silent_seconds           since the leader last committed
//   book_standby_live                        a leader: 1 while its standby has
//                                            reported within the last 5 s
//   book_standby_lag_records                 a leader: its last durable seq -
//                                            the seq its standby last reported
//   book_standby_lost                        a leader: 1 when a standby it had
//                                            heard from is silent for 30 s
//
// A standby reports (about once a second, through Kafka: journal/
// kafka_standby_report.h) its applied seq, state hash, Kafka lag and
// whether it is caught up; the leader's StandbyWatch (app/standby_watch.h)
// reads the last report back and hands it to heard(). A report this
// process committed itself (while it was the standby) is not a standby,
// and the report already there when this book started is not news: a
// standby is heard once its report changes (about a second later).
// panel() is the war room's journal panel (journal_panel_json writes it).
//
// Signal (app/runtime.cpp samples it for the incident loop):
//   book_took_over   1 for 10 minutes after this book took over: alert
//                    leader_takeover opens an incident with its timeline
//   standby_lost     book_standby_lost: alert standby_lost (ticket)
//
// The status a standby shows (/readyz and /healthz of StandbyHandler) is
// kept here too: the replaying thread publishes it, HTTP threads read it.
// Thread-safe.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "journal/kafka_journal.h"
#include "journal/kafka_standby_report.h"
#include "telemetry/metrics.h"

namespace inplay {

// The war room's journal panel as values (journal_panel_json writes it).
// The default is a file journal's: one host, a leader, no standby.
struct JournalPanel {
  bool kafka = false;
  bool standby = false;  // this book's role
  bool fenced = false;
  uint64_t takeovers = 0;
  int64_t last_takeover_ms = -1;        // -1: none
  uint64_t seq = 0;                     // the leader's last durable seq
  std::optional<StandbyReport> heard;   // a leader's standby, as last heard
  int64_t heard_ms_ago = 0;
  std::string watch_error;              // Kafka's answer to the last fetch, when it failed
};
std::string journal_panel_json(const JournalPanel& p);

struct StandbyStatus {
  uint64_t applied_seq = 0;
  std::string state_hash;   // of the state after applied_seq (empty until first caught up)
  int64_t lag = 0;
  int64_t silent_ms = 0;
  bool caught_up = false;
};

class BookRole {
 public:
  BookRole(MetricsRegistry& metrics, bool standby);

  bool standby() const;
  // The journal's hooks: commit latency, aborts, and on_fatal (called once,
  // journal thread) after the fenced gauge is set.
  KafkaJournalHooks journal_hooks(std::function<void(const std::string& why)> on_fatal);
  // A standby's following: stop_requested as given; the progress goes into
  // status() and the gauges; state_hash() (replaying thread) is asked for
  // at most every 250 ms and whenever the standby has caught up after
  // applying something new.
  KafkaStandby following(std::function<bool()> stop_requested, std::function<std::string()> state_hash);
  // The standby now serves as the leader (after replay returned).
  void now_leading(int64_t now_ns);

  // A leader's StandbyWatch (its thread): the standby's last report
  // (nullopt: none), read at now_ns (monotonic) when the leader's last
  // durable seq was leader_seq. error: Kafka did not answer ("" when it
  // did; r is then ignored and the last report kept).
  void heard(const std::optional<StandbyReport>& r, uint64_t leader_seq, int64_t now_ns,
             const std::string& error = {});
  // The journal panel of the war room (any thread): role, journal kind,
  // takeovers, fencing and, on a leader, its standby as last heard
  // (leader_seq: the leader's last durable seq).
  std::string status_json(uint64_t leader_seq, int64_t now_ns) const;
  JournalPanel panel(uint64_t leader_seq, int64_t now_ns) const;
  // The signal standby_lost at now_ns (monotonic): 1 when a standby was
  // heard and has been silent for kStandbyLostNs, else 0.
  double standby_lost(int64_t now_ns) const;
  static constexpr int64_t kStandbyLiveNs = 5'000'000'000;
  static constexpr int64_t kStandbyLostNs = 30'000'000'000;

  StandbyStatus status() const;
  int64_t last_takeover_ms() const;  // -1: none
  // The signal book_took_over: 1 within `window_ns` of this book taking
  // over (monotonic clock), else 0.
  double took_over_within(int64_t now_ns, int64_t window_ns) const;

 private:
  Family<Gauge>& role_;
  Counter& takeovers_;
  Gauge& fenced_;
  Histogram& commit_records_;
  Histogram& commit_lease_;
  Counter& aborts_;

  mutable std::mutex mu_;
  bool standby_;
  StandbyStatus status_;
  int64_t lease_out_ns_ = 0;  // when the lease ran out (0: not yet)
  int64_t hashed_ns_ = 0;     // when the state hash was last taken
  uint64_t hashed_seq_ = 0;
  int64_t last_takeover_ms_ = -1;
  int64_t took_over_ns_ = 0;  // when this book started leading after a takeover (0: never)
  // The standby's side: this process's reports.
  const std::string book_id_;
  uint64_t reports_ = 0;
  // The leader's side: its standby as last heard.
  std::optional<StandbyReport> fetched_;  // the last report read from Kafka
  std::optional<StandbyReport> heard_;    // the last one that changed while this book watched
  int64_t heard_ns_ = 0;     // when a new report was last seen (0: never)
  std::string watch_error_;  // Kafka's answer to the last fetch, when it failed
  uint64_t heard_leader_seq_ = 0;  // the leader's durable seq at the last heard()
};

}  // namespace inplay
