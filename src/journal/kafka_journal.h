// KafkaJournal: the Journal (journal/journal.h) kept in a Kafka topic,
// written through librdkafka's transactional, idempotent producer.
//
// Source of truth: one partition (0) of `topic`. Each Kafka record's value is
// one journal record in the segment format of journal/segment.h (u32 length |
// u16 type | u64 seq | u32 crc32c | payload), so the CRC and the seq travel
// with it and replay checks both exactly as it checks a segment file.
//
// Group commit = one transaction. The journal thread takes everything the
// engine appended since the last commit, produces it (acks=all, idempotent)
// in one transaction and commits it; while one transaction commits, the next
// group gathers in memory. Only after commit_transaction() succeeded are the
// records written to the local mirror (a FileJournal on Options::dir) and,
// once that write is done, the completions run: a bet is acknowledged only
// after its transaction committed. A transaction that fails abortably is
// aborted and the same records are produced again in a new one (an aborted
// transaction is never visible to a read_committed reader, so nothing doubles);
// a fatal error (fenced: another producer took the transactional id) stops
// the journal for good: writable() is false, nothing more is acknowledged.
//
// The local mirror: the segment files the followers (history store, audit,
// `inplay journal dump`) read, written only after Kafka committed, so a
// follower never sees a record Kafka does not hold. It is a cache: it may
// lag Kafka (a kill -9 between the commit and the mirror write) and is then
// filled from the topic at the next open; a mirror AHEAD of the topic (the
// topic was replaced) stops start-up with JournalCorrupt.
//
// Leadership and replay. open_kafka_journal() opens the mirror and makes
// the producer; replay() does the rest, in this order: (1) a standby first
// follows the topic (below) until the leader's lease runs out; (2) the
// producer's init_transactions() with the fixed transactional id — this
// fences a predecessor (its next produce or commit fails fatally) and
// aborts the transaction it left open, so (3) a read_committed reader
// (journal/kafka_topic_reader.h) reads the partition to its end. Every
// record is checked (CRC, seq = previous + 1, the first seq 1); a bad one
// throws JournalCorrupt naming "kafka:<topic>/0" and the Kafka offset. Each
// record goes to the mirror (when it does not hold it yet: the mirror's last
// record must equal the topic's of the same seq, and the mirror may not be
// ahead of the topic, else JournalCorrupt) and to replay's callback.
//
// The lease. A leader shows it is alive by committing: each group commit,
// and, when nothing was committed for lease_ms / 5, a transaction holding
// one lease record (key "inplay.lease", never a journal record; readers skip
// it). A leader that cannot commit for a whole lease is taken over.
//
// A standby (KafkaStandby::enabled: `inplay serve --standby`) reads the
// topic from its start and goes on reading (read_committed): every record
// goes to the mirror and to replay's callback — the engine applies it
// through BookState::apply, as at any start — and on_follow reports the
// progress, and about once a second it commits its report (offset, seq,
// state hash: journal/kafka_standby_report.h) for the leader's war room.
// When no record (journal or lease) has arrived for lease_ms, the
// leader is taken to be gone: replay() goes on with (2) and (3), fencing it,
// and returns; the caller then runs as the leader. stop_requested() true
// while following: replay() throws StandbyStopped. A fatal error later
// (this book fenced in turn) calls KafkaJournalHooks::on_fatal once.
//
// The topic is not created here: the operator (or the test harness) creates
// it with the replication it wants (the tests: RF 3, min.insync.replicas 2).
//
// Threads: as Journal. One extra thread (the Kafka journal thread); the
// mirror's own thread runs the completions.
#pragma once
#include <functional>
#include <map>
#include <stdexcept>
#include <memory>
#include <string>

#include "journal/journal.h"

namespace inplay {

struct StandbyReport;

struct KafkaJournalOptions {
  std::string brokers;           // bootstrap.servers
  std::string topic;             // one partition used: 0
  std::string transactional_id;  // the book's identity; a second holder fences the first
  int64_t open_timeout_ms = 60000;  // init_transactions and the replay read, each
  int64_t lease_ms = 5000;          // a leader silent this long is taken over by a standby
  // Extra librdkafka properties (client.id, retry.backoff.ms, ...), applied
  // to the producer after the journal's own and before the fixed ones
  // (transactional.id, enable.idempotence, acks=all cannot be changed).
  std::map<std::string, std::string> client;
};

// What the Kafka journal tells its owner (metrics, the role). Each may be empty.
struct KafkaJournalHooks {
  // Journal thread: a transaction committed, holding `records` journal
  // records (0: a lease record alone), begin to commit in commit_ns.
  std::function<void(int64_t commit_ns, size_t records)> on_commit;
  // Journal thread: a transaction was aborted (its records go again).
  std::function<void()> on_abort;
  // Journal thread, once: Kafka refused this book for good (fenced: another
  // book took the transactional id). Nothing more is acknowledged.
  std::function<void(const std::string& why)> on_fatal;
};

struct KafkaStandby {
  bool enabled = false;
  // Polled while following (replaying thread).
  std::function<bool()> stop_requested;
  struct Progress {
    uint64_t applied_seq = 0;   // the last journal record applied
    int64_t lag = 0;            // Kafka offsets not yet read (KafkaTopicReader::lag)
    int64_t silent_ms = 0;      // since the last record (journal or lease) arrived
    bool caught_up = false;     // read to the end of what is committed
  };
  // Replaying thread, after each read while following.
  std::function<void(const Progress&)> on_follow;
  // Replaying thread: the leader's lease ran out; the takeover starts.
  std::function<void()> on_lease_out;
  // Replaying thread, about once a second while following: the report the
  // standby commits for its leader to read (journal/kafka_standby_report.h).
  // Empty: nothing is reported.
  std::function<StandbyReport()> report;
};

// A standby asked to stop while it followed (nothing was written).
class StandbyStopped : public std::runtime_error {
 public:
  StandbyStopped() : std::runtime_error("the standby stopped before it took over") {}
};

// mirror: the local segment-file journal's options (dir, fsync, on_batch,
// wake_on_append ...). Throws std::invalid_argument on missing options;
// replay() throws std::runtime_error when Kafka cannot be reached or refuses
// within open_timeout_ms, JournalCorrupt on a bad record.
std::unique_ptr<Journal> open_kafka_journal(Journal::Options mirror, KafkaJournalOptions kafka,
                                            KafkaJournalHooks hooks = {}, KafkaStandby standby = {});

}  // namespace inplay
