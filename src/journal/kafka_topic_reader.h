// KafkaTopicReader: reads partition 0 of a Kafka journal topic
// (journal/kafka_journal.h) with isolation.level=read_committed, checking
// every record, from a given Kafka offset on.
//
// Each Kafka record's value must hold exactly one journal record (segment
// format, journal/segment.h) whose CRC is right and whose seq is the
// previous one + 1; anything else throws JournalCorrupt naming
// "kafka:<topic>/0 offset <n>". A lease record (key kLeaseKey, a leader's
// heartbeat: journal/kafka_client.h) is counted, never delivered. Records
// of aborted transactions are never seen (read_committed).
//
// The topic must exist: the constructor throws std::runtime_error naming it
// when its partition 0 does not (at once, not after the timeout).
//
// read_to_end() stops at the partition's end as the broker reports it after
// the reader started fetching: a reader made after a producer's
// init_transactions() returned therefore sees everything committed before,
// and nothing the fenced predecessor left open. A follower (the standby)
// calls poll() for ever instead, and commit()s its position with its
// report (journal/kafka_standby_report.h) to its own consumer group. One
// thread at a time.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "journal/journal.h"
#include "journal/kafka_journal.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace inplay {

class KafkaTopicReader {
 public:
  // from_offset: the first Kafka offset to read; after_seq: the seq of the
  // journal record just before it (0 when reading from the beginning);
  // group: the consumer group commit() commits to (empty: a group of its
  // own, "<transactional_id>.replay", never committed to).
  explicit KafkaTopicReader(const KafkaJournalOptions& k, int64_t from_offset = 0, uint64_t after_seq = 0,
                            const std::string& group = {});
  ~KafkaTopicReader();
  KafkaTopicReader(const KafkaTopicReader&) = delete;
  KafkaTopicReader& operator=(const KafkaTopicReader&) = delete;

  struct Step {
    size_t records = 0;   // journal records delivered
    size_t leases = 0;    // lease records seen
    bool at_end = false;  // reached the end of what is committed now
  };
  // Waits up to timeout_ms for the next record, then takes what else has
  // arrived (up to a batch), delivering journal records to fn in order.
  Step poll(int timeout_ms, const std::function<void(const JournalRecord&)>& fn);
  // Reads to the end of the partition; throws std::runtime_error when it is
  // not reached within timeout_ms.
  void read_to_end(int64_t timeout_ms, const std::function<void(const JournalRecord&)>& fn);

  uint64_t last_seq() const { return last_seq_; }          // of the last journal record delivered
  int64_t next_offset() const { return next_offset_; }     // after the last record seen
  // Kafka offsets written beyond what was read (records not yet read, and
  // those of a transaction still open), from the consumer's cached high
  // watermark; 0 when unknown or caught up.
  int64_t lag() const;
  // Commits next_offset() with `metadata` to the reader's group without
  // waiting (a follower's lease watch never waits on a commit). Returns
  // the answer to the last commit that was answered: "" when committed (or
  // none answered yet), else Kafka's error. Answers arrive in poll().
  std::string commit(std::string_view metadata);

 private:
  struct CommitAnswers;
  const KafkaJournalOptions k_;
  std::unique_ptr<CommitAnswers> answers_;  // outlives the consumer that calls it
  std::unique_ptr<RdKafka::KafkaConsumer> c_;
  uint64_t last_seq_;
  int64_t next_offset_;
  std::string last_error_;  // a transient error seen while reading
};

}  // namespace inplay
