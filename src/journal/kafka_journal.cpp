// KafkaJournal (contract in journal/kafka_journal.h).
//
// The engine appends encoded records (crc 0) into `pending_` under a short
// mutex, as FileJournal does; the Kafka journal thread takes them, seals the
// CRCs, produces each record as one Kafka message in one transaction and
// commits. Then it hands the committed records to the mirror (in the same
// order, so the mirror assigns the same seqs) followed by the batch's
// completions as mirror barriers, and kicks the mirror's thread, which
// writes them and runs the completions: an acknowledgement waits for the
// Kafka commit and the local write.
#include "journal/kafka_journal.h"

#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "journal/segment.h"
#include "telemetry/log.h"

namespace inplay {
namespace {

constexpr int kCommitTimeoutMs = 30000;
constexpr int64_t kRetryMinNs = 50'000'000;     // 50 ms
constexpr int64_t kRetryMaxNs = 2'000'000'000;  // 2 s

std::unique_ptr<RdKafka::Conf> make_conf(const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (auto& [k, v] : props)
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK)
      throw std::runtime_error(fmt::format("kafka journal: client property {}={}: {}", k, v, err));
  return conf;
}

// A librdkafka Error* owned for the length of a statement.
struct ErrorBox {
  std::unique_ptr<RdKafka::Error> e;
  explicit ErrorBox(RdKafka::Error* p) : e(p) {}
  explicit operator bool() const { return e != nullptr; }
  std::string str() const { return e ? e->str() : "ok"; }
};

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

// Reads partition 0 of the topic from the beginning to its end with
// read_committed, checking every record, and calls fn for each. Returns the
// last seq (0 for an empty topic).
uint64_t read_topic(const KafkaJournalOptions& k, const std::function<void(const JournalRecord&)>& fn) {
  auto conf = make_conf({{"bootstrap.servers", k.brokers},
                         {"group.id", k.transactional_id + ".replay"},  // required by the API; never joined
                         {"isolation.level", "read_committed"},
                         {"enable.auto.commit", "false"},
                         {"enable.partition.eof", "true"},
                         {"auto.offset.reset", "earliest"},
                         {"reconnect.backoff.max.ms", "1000"}});
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!c) throw std::runtime_error("kafka journal: consumer: " + err);
  check_topic(*c, k);
  std::vector<RdKafka::TopicPartition*> parts{
      RdKafka::TopicPartition::create(k.topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  RdKafka::ErrorCode ec = c->assign(parts);
  RdKafka::TopicPartition::destroy(parts);
  if (ec != RdKafka::ERR_NO_ERROR) throw std::runtime_error("kafka journal: assign: " + RdKafka::err2str(ec));

  uint64_t last = 0;
  const int64_t deadline = monotonic_ns() + k.open_timeout_ms * 1'000'000;
  std::string last_error;
  for (;;) {
    if (monotonic_ns() > deadline) {
      c->close();
      throw std::runtime_error(fmt::format("kafka journal: reading topic {} did not reach its end in {} ms{}{}", k.topic,
                                           k.open_timeout_ms, last_error.empty() ? "" : ": ", last_error));
    }
    std::unique_ptr<RdKafka::Message> m(c->consume(500));
    const RdKafka::ErrorCode e = m->err();
    if (e == RdKafka::ERR__TIMED_OUT) continue;
    if (e == RdKafka::ERR__PARTITION_EOF) break;
    if (e == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART || e == RdKafka::ERR__UNKNOWN_TOPIC ||
        e == RdKafka::ERR__UNKNOWN_PARTITION) {
      c->close();
      throw std::runtime_error(fmt::format("kafka journal: topic {} partition 0 does not exist (create it first): {}",
                                           k.topic, m->errstr()));
    }
    if (e != RdKafka::ERR_NO_ERROR) {
      last_error = m->errstr();  // transient (a broker restarting): read on until the deadline
      continue;
    }
    const std::string where = fmt::format("kafka:{}/0 offset {}", k.topic, m->offset());
    std::string_view value(static_cast<const char*>(m->payload()), m->len());
    if (value.empty()) throw JournalCorrupt(where, 0, "empty record");
    segment::ScanResult r = segment::scan(value, where, last + 1, /*is_last=*/false, 0, fn);
    if (r.last_seq != last + 1 || r.valid_bytes != value.size())
      throw JournalCorrupt(where, 0, "a Kafka record must hold exactly one journal record");
    last = r.last_seq;
  }
  c->close();
  return last;
}

class KafkaJournal final : public Journal {
 public:
  KafkaJournal(KafkaJournalOptions k, bool wake_on_append, std::unique_ptr<Journal> mirror,
               std::unique_ptr<RdKafka::Producer> producer, uint64_t last_seq)
      : k_(std::move(k)),
        wake_on_append_(wake_on_append),
        mirror_(std::move(mirror)),
        producer_(std::move(producer)),
        next_seq_(last_seq + 1),
        last_seq_(last_seq) {}

  ~KafkaJournal() override { stop(); }

  void replay(const std::function<void(const JournalRecord&)>& fn) override { read_topic(k_, fn); }

  uint64_t last_seq() const override { return last_seq_.load(std::memory_order_relaxed); }

  void set_durable_listener(std::function<void(uint64_t)> fn) override {
    mirror_->set_durable_listener(std::move(fn));
  }

  void start() override {
    if (thread_.joinable()) return;
    mirror_->start();
    {
      std::lock_guard lk(mu_);
      stop_requested_ = false;
    }
    thread_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "journal-kafka");
      run();
    });
  }

  uint64_t append(uint16_t type, std::string_view payload, Completion done) override {
    if (payload.size() > UINT32_MAX) throw std::length_error("journal payload over 4 GiB");
    const uint64_t seq = next_seq_++;
    char header[segment::kHeaderBytes];
    segment::put_header(header, static_cast<uint32_t>(payload.size()), type, seq);
    bool wake;
    {
      std::lock_guard lk(mu_);
      ++pending_records_;
      pending_.append(header, sizeof header);
      pending_.append(payload);
      if (done) pending_done_.push_back(std::move(done));
      wake = wake_on_append_ && writer_waiting_;
      if (wake) writer_waiting_ = false;
    }
    undurable_bytes_.fetch_add(sizeof header + payload.size(), std::memory_order_relaxed);
    if (wake) cv_.notify_one();
    last_seq_.store(seq, std::memory_order_relaxed);
    return seq;
  }

  void barrier(Completion done) override {
    if (!done) return;
    bool wake;
    {
      std::lock_guard lk(mu_);
      pending_done_.push_back(std::move(done));
      wake = wake_on_append_ && writer_waiting_;
      if (wake) writer_waiting_ = false;
    }
    if (wake) cv_.notify_one();
  }

  void kick() override {
    bool wake;
    {
      std::lock_guard lk(mu_);
      wake = writer_waiting_ && has_pending();
      if (wake) writer_waiting_ = false;
    }
    if (wake) cv_.notify_one();
  }

  void stop() override {
    if (thread_.joinable()) {
      {
        std::lock_guard lk(mu_);
        stop_requested_ = true;
      }
      cv_.notify_one();
      thread_.join();
    } else if (!stopped_) {
      pump_kafka();
    }
    if (!stopped_) {
      stopped_ = true;
      if (!batch_.empty() || has_pending_unlocked()) {
        log::error("journal", "kafka journal stopped with records it never committed: they are dropped (never acknowledged)",
                   {{"fatal", fatal_.load()}});
      }
      mirror_->stop();
    }
  }

  bool pump() override {
    if (thread_.joinable()) return false;
    if (!pump_kafka()) return false;
    return mirror_->pump();
  }

  JournalStats stats() const override { return mirror_->stats(); }

  bool writable() const override {
    return !kafka_failing_.load(std::memory_order_acquire) && mirror_->writable();
  }

  uint64_t undurable_bytes() const override {
    return undurable_bytes_.load(std::memory_order_relaxed) + mirror_->undurable_bytes();
  }

  JournalHealth health() const override {
    JournalHealth h = mirror_->health();
    std::lock_guard lk(health_mu_);
    if (kafka_failures_ > 0 && h.error == 0) {
      h.op = kafka_op_;
      h.path = "kafka:" + k_.topic;
    }
    h.failures += kafka_failures_;
    h.outages += kafka_outages_;
    h.writable = writable();
    h.undurable_bytes = undurable_bytes();
    return h;
  }

 private:
  bool has_pending() const { return pending_records_ > 0 || !pending_done_.empty(); }
  bool has_pending_unlocked() {
    std::lock_guard lk(mu_);
    return has_pending();
  }

  void run() {
    for (;;) {
      {
        std::unique_lock lk(mu_);
        for (;;) {
          if (has_pending() && !fatal_) break;
          if (stop_requested_) return;
          writer_waiting_ = true;
          cv_.wait(lk);
          writer_waiting_ = false;
        }
        take_pending_locked();
      }
      while (!commit_batch()) {
        if (fatal_) break;
        std::unique_lock lk(mu_);
        if (stop_requested_) return;  // never committed, never acknowledged
        cv_.wait_for(lk, std::chrono::nanoseconds(backoff_ns_));
      }
    }
  }

  // Without a thread: everything appended so far, on the caller's thread.
  bool pump_kafka() {
    {
      std::lock_guard lk(mu_);
      take_pending_locked();
    }
    return commit_batch();
  }

  void take_pending_locked() {
    batch_.append(pending_);
    pending_.clear();
    for (auto& d : pending_done_) batch_done_.push_back(std::move(d));
    pending_done_.clear();
    batch_records_ += pending_records_;
    pending_records_ = 0;
  }

  // Journal thread: commits the batch in one transaction and hands it to the
  // mirror; false when Kafka refused (the batch stays for the next attempt,
  // or for ever after a fatal error).
  bool commit_batch() {
    if (fatal_) return false;
    if (batch_records_ > 0) {
      if (!sealed_) {
        segment::seal(batch_.data(), batch_.size());
        sealed_ = true;
      }
      if (!transact()) return false;
      hand_to_mirror();
      if (kafka_failing_.load()) recovered();
    }
    for (auto& d : batch_done_) mirror_->barrier(std::move(d));
    batch_done_.clear();
    mirror_->kick();
    return true;
  }

  bool transact() {
    if (ErrorBox e{producer_->begin_transaction()}) return failed("begin_transaction", e);
    size_t off = 0;
    while (off < batch_.size()) {
      uint32_t len;
      std::memcpy(&len, batch_.data() + off, sizeof len);
      const size_t n = segment::kHeaderBytes + len;
      for (;;) {
        RdKafka::ErrorCode ec = producer_->produce(k_.topic, 0, RdKafka::Producer::RK_MSG_COPY,
                                                   batch_.data() + off, n, nullptr, 0, 0, nullptr);
        if (ec == RdKafka::ERR_NO_ERROR) break;
        if (ec == RdKafka::ERR__QUEUE_FULL) {
          producer_->poll(5);
          continue;
        }
        note_failure("produce", RdKafka::err2str(ec), false);
        abort_quietly();
        return false;
      }
      off += n;
    }
    for (;;) {
      ErrorBox e{producer_->commit_transaction(kCommitTimeoutMs)};
      if (!e) return true;
      if (e.e->is_fatal() || !e.e->is_retriable() || e.e->txn_requires_abort()) return failed("commit_transaction", e);
      note_failure("commit_transaction", e.str(), false);  // retriable: commit again, never produce again
    }
  }

  // A failed transaction step: a fatal error stops the journal; anything
  // else aborts the transaction so that the batch can be produced again.
  bool failed(const char* op, const ErrorBox& e) {
    const bool fatal = e.e->is_fatal();
    note_failure(op, e.str(), fatal);
    if (fatal) {
      fatal_ = true;
      return false;
    }
    abort_quietly();
    return false;
  }

  void abort_quietly() {
    ErrorBox a{producer_->abort_transaction(kCommitTimeoutMs)};
    if (a && a.e->is_fatal()) {
      note_failure("abort_transaction", a.str(), true);
      fatal_ = true;
    }
  }

  void note_failure(const char* op, const std::string& why, bool fatal) {
    const bool first = !kafka_failing_.exchange(true, std::memory_order_acq_rel);
    backoff_ns_ = first ? kRetryMinNs : std::min(backoff_ns_ * 2, kRetryMaxNs);
    {
      std::lock_guard lk(health_mu_);
      ++kafka_failures_;
      if (first) ++kafka_outages_;
      kafka_op_ = op;
    }
    if (fatal)
      log::error("journal", "kafka journal fenced or failed for good: nothing more is acknowledged",
                 {{"op", op}, {"error", why}, {"topic", k_.topic}, {"transactional_id", k_.transactional_id}});
    else
      log::error("journal", first ? "kafka journal cannot commit: acknowledgements stop until it can"
                                  : "kafka journal still cannot commit",
                 {{"op", op}, {"error", why}, {"retry_ms", backoff_ns_ / 1'000'000}});
  }

  void recovered() {
    kafka_failing_.store(false, std::memory_order_release);
    log::info("journal", "kafka journal commits again: the records it held are committed");
  }

  // The committed records go to the local mirror, which assigns the same
  // seqs (it was filled to the topic's end at open and only we append).
  void hand_to_mirror() {
    size_t off = 0;
    while (off < batch_.size()) {
      const char* h = batch_.data() + off;
      uint32_t len;
      uint16_t type;
      uint64_t seq;
      std::memcpy(&len, h, 4);
      std::memcpy(&type, h + 4, 2);
      std::memcpy(&seq, h + 6, 8);
      const uint64_t got = mirror_->append(type, std::string_view(h + segment::kHeaderBytes, len), {});
      if (got != seq) {
        log::error("journal", "kafka journal mirror out of step", {{"seq", seq}, {"mirror_seq", got}});
        std::abort();  // a mirror with other seqs would mislead every follower
      }
      off += segment::kHeaderBytes + len;
    }
    undurable_bytes_.fetch_sub(batch_.size(), std::memory_order_relaxed);
    batch_.clear();
    batch_records_ = 0;
    sealed_ = false;
  }

  const KafkaJournalOptions k_;
  const bool wake_on_append_;
  std::unique_ptr<Journal> mirror_;
  std::unique_ptr<RdKafka::Producer> producer_;

  // Engine thread only.
  uint64_t next_seq_;
  std::atomic<uint64_t> last_seq_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::string pending_;
  std::vector<Completion> pending_done_;
  size_t pending_records_ = 0;
  bool writer_waiting_ = false;
  bool stop_requested_ = false;

  // Kafka journal thread only.
  std::string batch_;
  std::vector<Completion> batch_done_;
  size_t batch_records_ = 0;
  bool sealed_ = false;
  int64_t backoff_ns_ = kRetryMinNs;
  std::thread thread_;
  bool stopped_ = false;

  std::atomic<bool> fatal_{false};
  std::atomic<bool> kafka_failing_{false};
  std::atomic<uint64_t> undurable_bytes_{0};
  mutable std::mutex health_mu_;
  uint64_t kafka_failures_ = 0;  // guarded by health_mu_
  uint64_t kafka_outages_ = 0;
  std::string kafka_op_;
};

// The mirror's last record, to check it against the topic's record of the
// same seq.
struct MirrorTail {
  uint64_t seq = 0;
  uint16_t type = 0;
  std::string payload;
};

MirrorTail mirror_tail(const std::filesystem::path& dir, uint64_t last) {
  MirrorTail t;
  if (last == 0) return t;
  JournalReader reader(dir);
  reader.read_from(last - 1, [&](const JournalRecord& r) {
    if (r.seq != last) return;
    t.seq = r.seq;
    t.type = r.type;
    t.payload.assign(r.payload);
  });
  return t;
}

}  // namespace

std::unique_ptr<Journal> open_kafka_journal(Journal::Options mirror_opts, KafkaJournalOptions k) {
  if (k.brokers.empty() || k.topic.empty() || k.transactional_id.empty())
    throw std::invalid_argument("kafka journal: brokers, topic and transactional_id are required");
  const bool wake_on_append = mirror_opts.wake_on_append;
  const std::filesystem::path dir = mirror_opts.dir;
  std::unique_ptr<Journal> mirror = Journal::open(std::move(mirror_opts));
  const uint64_t mirrored = mirror->last_seq();
  const MirrorTail tail = mirror_tail(dir, mirrored);

  // Defaults that shorten a commit's round (overridable): librdkafka waits
  // retry.backoff.ms (100) before asking again about a transaction the
  // broker is still completing, and the next group's transaction starts
  // while the previous one completes; a broker that went away is dialled
  // again within 1 s, not 10.
  std::map<std::string, std::string> props{{"client.id", "inplay-journal"},
                                           {"reconnect.backoff.max.ms", "1000"},
                                           {"retry.backoff.ms", "10"},
                                           {"linger.ms", "1"}};
  for (auto& [key, v] : k.client) props[key] = v;
  props["bootstrap.servers"] = k.brokers;
  props["transactional.id"] = k.transactional_id;
  props["enable.idempotence"] = "true";
  props["acks"] = "all";
  auto conf = make_conf(props);
  std::string err;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) throw std::runtime_error("kafka journal: producer: " + err);
  // Fences a predecessor with the same transactional id and aborts what it
  // left open, so that the read below reaches the end of the partition.
  if (ErrorBox e{producer->init_transactions(static_cast<int>(k.open_timeout_ms))})
    throw std::runtime_error(fmt::format("kafka journal: init_transactions on {} ({}): {}", k.brokers,
                                         k.transactional_id, e.str()));

  bool tail_checked = mirrored == 0;
  uint64_t filled = 0;
  const uint64_t last = read_topic(k, [&](const JournalRecord& r) {
    if (r.seq == mirrored && mirrored > 0) {
      if (r.type != tail.type || r.payload != tail.payload)
        throw JournalCorrupt((dir / "").string(), 0,
                             fmt::format("the local mirror's record {} differs from the topic's", mirrored));
      tail_checked = true;
    }
    if (r.seq <= mirrored) return;
    if (mirror->append(r.type, r.payload, {}) != r.seq) throw std::logic_error("kafka journal: mirror seq");
    if (++filled % 10000 == 0 && !mirror->pump())
      throw std::runtime_error("kafka journal: the local mirror cannot be written");
  });
  if (last < mirrored || !tail_checked)
    throw JournalCorrupt((dir / "").string(), 0,
                         fmt::format("the local mirror holds seq {} but topic {} ends at seq {}", mirrored,
                                     k.topic, last));
  if (filled > 0) {
    if (!mirror->pump()) throw std::runtime_error("kafka journal: the local mirror cannot be written");
    log::info("journal", "local mirror filled from the topic", {{"records", filled}, {"last_seq", last}});
  }
  log::info("journal", "kafka journal open", {{"topic", k.topic}, {"last_seq", last}, {"mirrored", mirrored}});
  return std::make_unique<KafkaJournal>(std::move(k), wake_on_append, std::move(mirror), std::move(producer), last);
}

}  // namespace inplay
