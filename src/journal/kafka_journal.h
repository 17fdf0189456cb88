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
// Open, in this order: (1) the producer's init_transactions() with the fixed
// transactional id — this aborts any transaction a dead predecessor left
// open and fences it, so (2) a read_committed consumer can read the
// partition to its end (the last stable offset is no longer held back by the
// dead one's transaction); every record is checked (CRC, seq = previous + 1,
// the first seq 1); a bad one throws JournalCorrupt naming
// "kafka:<topic>/0" and the Kafka offset. replay() reads the topic again the
// same way (read_committed), so replay never depends on the mirror.
//
// The topic is not created here: the operator (or the test harness) creates
// it with the replication it wants (the tests: RF 3, min.insync.replicas 2).
//
// Threads: as Journal. One extra thread (the Kafka journal thread); the
// mirror's own thread runs the completions.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "journal/journal.h"

namespace inplay {

struct KafkaJournalOptions {
  std::string brokers;           // bootstrap.servers
  std::string topic;             // one partition used: 0
  std::string transactional_id;  // the book's identity; a second holder fences the first
  int64_t open_timeout_ms = 60000;  // init_transactions and the replay read, each
  // Extra librdkafka properties (client.id, retry.backoff.ms, ...), applied
  // to the producer after the journal's own and before the fixed ones
  // (transactional.id, enable.idempotence, acks=all cannot be changed).
  std::map<std::string, std::string> client;
};

// mirror: the local segment-file journal's options (dir, fsync, on_batch,
// wake_on_append ...). Throws std::runtime_error when Kafka cannot be reached
// or refuses within open_timeout_ms, JournalCorrupt on a bad record.
std::unique_ptr<Journal> open_kafka_journal(Journal::Options mirror, KafkaJournalOptions kafka);

}  // namespace inplay
