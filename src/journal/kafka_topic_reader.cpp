// KafkaTopicReader (contract in journal/kafka_topic_reader.h), and the
// shared librdkafka pieces of journal/kafka_client.h.
#include "journal/kafka_topic_reader.h"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "journal/kafka_client.h"
#include "journal/segment.h"

namespace inplay {

std::unique_ptr<RdKafka::Conf> make_kafka_conf(const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (auto& [k, v] : props)
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error(fmt::format("kafka journal: client property {}={}: {}", k, v, err));
  return conf;
}

namespace {

constexpr size_t kPollBatch = 4096;

// Throws when the topic (or its partition 0) does not exist: a consumer
// only logs that, and would wait for the topic until the open timeout.
void check_topic(RdKafka::KafkaConsumer& c, const KafkaJournalOptions& k) {
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(&c, k.topic, nullptr, err));
  if (!t) throw std::runtime_error("kafka journal: topic handle: " + err);
  const int64_t deadline = monotonic_ns() + k.open_timeout_ms * 1'000'000;
  for (;;) {
    RdKafka::Metadata* raw = nullptr;
    RdKafka::ErrorCode ec = c.metadata(false, t.get(), &raw, 5000);
    std::unique_ptr<RdKafka::Metadata> md(raw);
    if (ec == RdKafka::ERR_NO_ERROR && md) {
      for (const RdKafka::TopicMetadata* tm : *md->topics()) {
        if (tm->topic() != k.topic) continue;
        if (tm->err() == RdKafka::ERR_NO_ERROR && !tm->partitions()->empty()) return;
        if (tm->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || tm->err() == RdKafka::ERR_NO_ERROR)
          throw std::runtime_error(fmt::format(
              "kafka journal: topic {} partition 0 does not exist (create it first, e.g. replication factor 3, "
              "min.insync.replicas 2)",
              k.topic));
        ec = tm->err();
      }
    }
    if (monotonic_ns() > deadline)
      throw std::runtime_error(fmt::format("kafka journal: no metadata for topic {}: {}", k.topic, RdKafka::err2str(ec)));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

bool is_lease(const RdKafka::Message& m) {
  const std::string* key = m.key();
  return key && *key == kLeaseKey;
}

}  // namespace

// The answers to commit()'s commits, served by consume() on the reading thread.
struct KafkaTopicReader::CommitAnswers : RdKafka::OffsetCommitCb {
  std::string last_error;
  void offset_commit_cb(RdKafka::ErrorCode err, std::vector<RdKafka::TopicPartition*>& offsets) override {
    if (err == RdKafka::ERR_NO_ERROR)
      for (RdKafka::TopicPartition* p : offsets)
        if (p->err() != RdKafka::ERR_NO_ERROR) err = p->err();
    last_error = err == RdKafka::ERR_NO_ERROR ? std::string() : RdKafka::err2str(err);
  }
};

KafkaTopicReader::KafkaTopicReader(const KafkaJournalOptions& k, int64_t from_offset, uint64_t after_seq,
                                   const std::string& group)
    : k_(k), answers_(std::make_unique<CommitAnswers>()), last_seq_(after_seq), next_offset_(from_offset) {
  auto conf = make_kafka_conf({{"bootstrap.servers", k.brokers},
                               // never joined: offsets are assigned, and committed only by commit()
                               {"group.id", group.empty() ? k.transactional_id + ".replay" : group},
                               {"isolation.level", "read_committed"},
                               {"enable.auto.commit", "false"},
                               {"enable.partition.eof", "true"},
                               {"auto.offset.reset", "earliest"},
                               {"fetch.wait.max.ms", "50"},
                               {"reconnect.backoff.max.ms", "1000"}});
  std::string err;
  if (conf->set("offset_commit_cb", answers_.get(), err) != RdKafka::Conf::CONF_OK)
    throw std::runtime_error("kafka journal: consumer: " + err);
  c_.reset(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c_) throw std::runtime_error("kafka journal: consumer: " + err);
  check_topic(*c_, k_);
  std::vector<RdKafka::TopicPartition*> parts{
      RdKafka::TopicPartition::create(k_.topic, 0, from_offset > 0 ? from_offset : RdKafka::Topic::OFFSET_BEGINNING)};
  RdKafka::ErrorCode ec = c_->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (ec != RdKafka::ERR_NO_ERROR) throw std::runtime_error("kafka journal: assign: " + RdKafka::err2str(ec));
}

KafkaTopicReader::~KafkaTopicReader() {
  if (c_) c_->close();
}

KafkaTopicReader::Step KafkaTopicReader::poll(int timeout_ms, const std::function<void(const JournalRecord&)>& fn) {
  Step s;
  int wait = timeout_ms;
  while (s.records + s.leases < kPollBatch) {
    std::unique_ptr<RdKafka::Message> m(c_->consume(wait));
    wait = 0;  // after the first, only what has arrived already
    const RdKafka::ErrorCode e = m->err();
    if (e == RdKafka::ERR__TIMED_OUT) break;
    if (e == RdKafka::ERR__PARTITION_EOF) {
      if (m->offset() > next_offset_) next_offset_ = m->offset();  // past control records
      s.at_end = true;
      break;
    }
    if (e == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || e == RdKafka::ERR__UNKNOWN_TOPIC ||
        e == RdKafka::ERR__UNKNOWN_PARTITION)
      throw std::runtime_error(fmt::format("kafka journal: topic {} partition 0 does not exist (create it first): {}",
                                           k_.topic, m->errstr()));
    if (e != RdKafka::ERR_NO_ERROR) {
      last_error_ = m->errstr();  // transient (a broker restarting): read on
      break;
    }
    next_offset_ = m->offset() + 1;
    if (is_lease(*m)) {
      ++s.leases;
      continue;
    }
    const std::string where = fmt::format("kafka:{}/0 offset {}", k_.topic, m->offset());
    std::string_view value(static_cast<const char*>(m->payload()), m->len());
    if (value.empty()) throw JournalCorrupt(where, 0, "empty record");
    segment::ScanResult r = segment::scan(value, where, last_seq_ + 1, /*is_last=*/false, 0, fn);
    if (r.last_seq != last_seq_ + 1 || r.valid_bytes != value.size())
      throw JournalCorrupt(where, 0, "a Kafka record must hold exactly one journal record");
    last_seq_ = r.last_seq;
    ++s.records;
  }
  return s;
}

void KafkaTopicReader::read_to_end(int64_t timeout_ms, const std::function<void(const JournalRecord&)>& fn) {
  const int64_t deadline = monotonic_ns() + timeout_ms * 1'000'000;
  for (;;) {
    if (monotonic_ns() > deadline)
      throw std::runtime_error(fmt::format("kafka journal: reading topic {} did not reach its end in {} ms{}{}", k_.topic,
                                           timeout_ms, last_error_.empty() ? "" : ": ", last_error_));
    if (poll(500, fn).at_end) return;
  }
}

int64_t KafkaTopicReader::lag() const {
  int64_t low = 0, high = 0;
  if (c_->get_watermark_offsets(k_.topic, 0, &low, &high) != RdKafka::ERR_NO_ERROR || high < 0) return 0;
  return high > next_offset_ ? high - next_offset_ : 0;
}

std::string KafkaTopicReader::commit(std::string_view metadata) {
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_t* p = rd_kafka_topic_partition_list_add(l, k_.topic.c_str(), 0);
  p->offset = next_offset_;
  // The list owns the metadata (freed with it, by free()).
  p->metadata = std::malloc(metadata.size());
  if (p->metadata) {
    std::memcpy(p->metadata, metadata.data(), metadata.size());
    p->metadata_size = metadata.size();
  }
  const rd_kafka_resp_err_t err = rd_kafka_commit(c_->c_ptr(), l, /*async=*/1);
  rd_kafka_topic_partition_list_destroy(l);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return rd_kafka_err2str(err);  // not even sent
  return answers_->last_error;
}

}  // namespace inplay
