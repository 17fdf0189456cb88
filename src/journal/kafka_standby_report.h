// StandbyReport: what a hot standby (`inplay serve --standby`) tells its
// leader about its progress, through Kafka itself — no side channel.
//
// The standby commits, about once a second, the Kafka offset it has read
// to a consumer group of its own (standby_group(): "<transactional_id>.standby",
// never joined: offsets committed by a simple consumer) with the report in
// the commit's metadata string. The leader reads that group's committed
// offset and metadata back (KafkaStandbyWatch) and so knows, from the
// broker, which seq its standby has applied and whether it is alive. Each
// report carries a number that grows, so an idle standby's reports still
// show it alive.
//
// Format of the metadata (one line, at most a few hundred bytes; Kafka keeps
// up to offset.metadata.max.bytes, 4096 by default):
//   inplay-standby/1 book=<id> n=<report> seq=<applied> hash=<state hash>
//                    caught_up=<0|1> lag=<kafka offsets unread>
// decode_standby_report() returns nullopt for anything else (another
// tool's commit, an older or newer version): the leader then shows the
// standby as unknown, never guesses.
//
// KafkaStandbyWatch (the leader's side): fetch() asks the group
// coordinator for the committed offset and metadata of partition 0.
// One thread at a time.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "journal/kafka_journal.h"

namespace RdKafka {
class KafkaConsumer;
}

namespace inplay {

struct StandbyReport {
  std::string book;          // the reporting process (host/pid): a leader skips its own
  uint64_t n = 0;            // the report's number, from 1 per process
  uint64_t applied_seq = 0;  // the last journal record applied
  std::string state_hash;    // of the state after applied_seq ("" until first taken)
  bool caught_up = false;    // read to the end of what the leader committed
  int64_t lag = 0;           // Kafka offsets not read yet
  int64_t offset = -1;       // the committed Kafka offset (filled by fetch, not encoded)

  bool operator==(const StandbyReport&) const = default;
};

std::string encode_standby_report(const StandbyReport& r);
std::optional<StandbyReport> decode_standby_report(std::string_view metadata);

// The consumer group a standby commits its reports to.
std::string standby_group(const KafkaJournalOptions& k);

// This process as a report names it: "<hostname>/<pid>".
std::string this_book_id();

class KafkaStandbyWatch {
 public:
  explicit KafkaStandbyWatch(const KafkaJournalOptions& k);
  ~KafkaStandbyWatch();
  KafkaStandbyWatch(const KafkaStandbyWatch&) = delete;
  KafkaStandbyWatch& operator=(const KafkaStandbyWatch&) = delete;

  // The standby's last report: nullopt when none was ever committed (or
  // its metadata is not a report); throws std::runtime_error when Kafka did
  // not answer within timeout_ms.
  std::optional<StandbyReport> fetch(int timeout_ms);

 private:
  const KafkaJournalOptions k_;
  std::unique_ptr<RdKafka::KafkaConsumer> c_;
};

}  // namespace inplay
