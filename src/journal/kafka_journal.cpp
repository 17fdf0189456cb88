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

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "journal/kafka_client.h"
#include "journal/kafka_standby_report.h"
#include "journal/kafka_topic_reader.h"
#include "journal/segment.h"
#include "telemetry/log.h"

namespace inplay {
namespace {

constexpr int kCommitTimeoutMs = 30000;
constexpr int64_t kKafkaRetryMinNs = 50'000'000;     // 50 ms
constexpr int64_t kKafkaRetryMaxNs = 2'000'000'000;  // 2 s
constexpr int64_t kReportEveryNs = 1'000'000'000;  // a standby's report to its leader

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

class KafkaJournal final : public Journal {
 public:
  KafkaJournal(KafkaJournalOptions k, KafkaJournalHooks hooks, KafkaStandby standby, bool wake_on_append,
               std::unique_ptr<Journal> mirror, std::unique_ptr<RdKafka::Producer> producer,
               std::filesystem::path mirror_dir, MirrorTail tail)
      : k_(std::move(k)),
        hooks_(std::move(hooks)),
        standby_(std::move(standby)),
        wake_on_append_(wake_on_append),
        mirror_(std::move(mirror)),
        producer_(std::move(producer)),
        mirror_dir_(std::move(mirror_dir)),
        tail_(std::move(tail)),
        next_seq_(tail_.seq + 1),
        last_seq_(tail_.seq) {}

  ~KafkaJournal() override { stop(); }

  // The first call: [follow as a standby,] take the transactional id, read
  // the topic to its end, filling the mirror. A later call reads the topic again.
  void replay(const std::function<void(const JournalRecord&)>& fn) override {
    if (led_) {
      KafkaTopicReader(k_).read_to_end(k_.open_timeout_ms, fn);
      return;
    }
    bool tail_checked = tail_.seq == 0;
    uint64_t filled = 0;
    auto deliver = [&](const JournalRecord& r) {
      if (r.seq == tail_.seq && tail_.seq > 0) {
        if (r.type != tail_.type || r.payload != tail_.payload)
          throw JournalCorrupt((mirror_dir_ / "").string(), 0,
                               fmt::format("the local mirror's record {} differs from the topic's", tail_.seq));
        tail_checked = true;
      }
      if (r.seq > tail_.seq) {
        if (mirror_->append(r.type, r.payload, {}) != r.seq) throw std::logic_error("kafka journal: mirror seq");
        if (++filled % 10000 == 0 && !mirror_->pump())
          throw std::runtime_error("kafka journal: the local mirror cannot be written");
      }
      fn(r);
    };
    int64_t offset = 0;
    uint64_t seq = 0;
    if (standby_.enabled) std::tie(offset, seq) = follow(deliver);
    take_leadership();
    KafkaTopicReader rest(k_, offset, seq);
    rest.read_to_end(k_.open_timeout_ms, deliver);
    const uint64_t last = rest.last_seq();
    if (last < tail_.seq || !tail_checked)
      throw JournalCorrupt((mirror_dir_ / "").string(), 0,
                           fmt::format("the local mirror holds seq {} but topic {} ends at seq {}", tail_.seq,
                                       k_.topic, last));
    if (!mirror_->pump()) throw std::runtime_error("kafka journal: the local mirror cannot be written");
    if (filled > 0)
      log::info("journal", "local mirror filled from the topic", {{"records", filled}, {"last_seq", last}});
    next_seq_ = last + 1;
    last_seq_.store(last, std::memory_order_relaxed);
    led_ = true;
    log::info("journal", "kafka journal open",
              {{"topic", k_.topic}, {"last_seq", last}, {"mirrored", tail_.seq}, {"role", "leader"}});
  }

  uint64_t last_seq() const override { return last_seq_.load(std::memory_order_relaxed); }

  void set_durable_listener(std::function<void(uint64_t)> fn) override {
    mirror_->set_durable_listener(std::move(fn));
  }

  void start() override {
    if (thread_.joinable()) return;
    if (!led_) throw std::logic_error("kafka journal: replay() takes the transactional id before start()");
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
    const int64_t beat_ns = std::max<int64_t>(k_.lease_ms / 5, 50) * 1'000'000;
    last_commit_ns_ = monotonic_ns();
    for (;;) {
      bool lease = false;
      {
        std::unique_lock lk(mu_);
        for (;;) {
          if (has_pending() && !fatal_) break;
          if (stop_requested_) return;
          const int64_t quiet = monotonic_ns() - last_commit_ns_;
          if (!fatal_ && quiet >= beat_ns) {
            lease = true;
            break;
          }
          writer_waiting_ = true;
          if (fatal_)
            cv_.wait(lk);
          else
            cv_.wait_for(lk, std::chrono::nanoseconds(beat_ns - quiet));
          writer_waiting_ = false;
        }
        if (!lease) take_pending_locked();
      }
      if (lease) {
        commit_lease();
        continue;
      }
      while (!commit_batch()) {
        if (fatal_) break;
        std::unique_lock lk(mu_);
        if (stop_requested_) return;  // never committed, never acknowledged
        cv_.wait_for(lk, std::chrono::nanoseconds(backoff_ns_));
      }
    }
  }

  // Journal thread: a transaction holding one lease record, when nothing
  // was committed for a beat (lease_ms / 5): the leader's sign of life.
  void commit_lease() {
    last_commit_ns_ = monotonic_ns();  // a failed beat is tried again a beat later
    if (!transact(/*lease=*/true)) return;
    if (kafka_failing_.load()) recovered();
  }

  // A standby: reads the topic and goes on reading until nothing (no
  // journal record, no lease) has arrived for lease_ms. Returns where the
  // reading stopped (Kafka offset, seq).
  std::pair<int64_t, uint64_t> follow(const std::function<void(const JournalRecord&)>& deliver) {
    KafkaTopicReader reader(k_, 0, 0, standby_group(k_));
    const int64_t lease_ns = k_.lease_ms * 1'000'000;
    int64_t last_seen = monotonic_ns();
    int64_t last_report = 0;
    std::string report_error;  // the last report's commit, when it failed
    log::info("journal", "standby: following the leader's journal",
              {{"topic", k_.topic}, {"lease_ms", k_.lease_ms}, {"transactional_id", k_.transactional_id}});
    for (;;) {
      if (standby_.stop_requested && standby_.stop_requested()) throw StandbyStopped();
      KafkaTopicReader::Step s = reader.poll(100, deliver);
      const int64_t now = monotonic_ns();
      if (s.records + s.leases > 0) last_seen = now;
      if (s.records > 0 && !mirror_->pump())
        throw std::runtime_error("kafka journal: the local mirror cannot be written");
      if (standby_.on_follow)
        standby_.on_follow(
            KafkaStandby::Progress{reader.last_seq(), reader.lag(), (now - last_seen) / 1'000'000, s.at_end});
      if (standby_.report && (last_report == 0 || now - last_report >= kReportEveryNs)) {
        last_report = now;
        std::string error = reader.commit(encode_standby_report(standby_.report()));
        if (error != report_error)
          log::warn("journal", error.empty() ? "standby: reporting to the leader again" : "standby: cannot report to the leader",
                    {{"error", error}});
        report_error = std::move(error);
      }
      if (now - last_seen > lease_ns) {
        log::warn("journal", "standby: the leader's lease ran out: taking over",
                  {{"silent_ms", (now - last_seen) / 1'000'000}, {"applied_seq", reader.last_seq()}});
        if (standby_.on_lease_out) standby_.on_lease_out();
        return {reader.next_offset(), reader.last_seq()};
      }
    }
  }

  // Takes the transactional id: fences a predecessor holding it and aborts
  // what it left open.
  void take_leadership() {
    const int64_t t0 = monotonic_ns();
    if (KafkaErrorBox e{producer_->init_transactions(static_cast<int>(k_.open_timeout_ms))})
      throw std::runtime_error(fmt::format("kafka journal: init_transactions on {} ({}): {}", k_.brokers,
                                           k_.transactional_id, e.str()));
    log::info("journal", "kafka journal: transactional id taken (a book that held it is fenced)",
              {{"transactional_id", k_.transactional_id}, {"ms", (monotonic_ns() - t0) / 1'000'000}});
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
      last_commit_ns_ = monotonic_ns();
      hand_to_mirror();
      if (kafka_failing_.load()) recovered();
    }
    for (auto& d : batch_done_) mirror_->barrier(std::move(d));
    batch_done_.clear();
    mirror_->kick();
    return true;
  }

  bool transact(bool lease = false) {
    const int64_t t0 = monotonic_ns();
    if (KafkaErrorBox e{producer_->begin_transaction()}) return failed("begin_transaction", e);
    if (lease) {
      if (!produce(kLeaseKey, k_.transactional_id)) return false;
    } else {
      size_t off = 0;
      while (off < batch_.size()) {
        uint32_t len;
        std::memcpy(&len, batch_.data() + off, sizeof len);
        const size_t n = segment::kHeaderBytes + len;
        if (!produce({}, std::string_view(batch_.data() + off, n))) return false;
        off += n;
      }
    }
    for (;;) {
      KafkaErrorBox e{producer_->commit_transaction(kCommitTimeoutMs)};
      if (!e) break;
      if (e.e->is_fatal() || !e.e->is_retriable() || e.e->txn_requires_abort()) return failed("commit_transaction", e);
      note_failure("commit_transaction", e.str(), false);  // retriable: commit again, never produce again
    }
    if (hooks_.on_commit) hooks_.on_commit(monotonic_ns() - t0, lease ? 0 : batch_records_);
    return true;
  }

  // One Kafka record in the open transaction (key empty: a journal record).
  bool produce(std::string_view key, std::string_view value) {
    for (;;) {
      RdKafka::ErrorCode ec = producer_->produce(k_.topic, 0, RdKafka::Producer::RK_MSG_COPY,
                                                 const_cast<char*>(value.data()), value.size(),
                                                 key.empty() ? nullptr : key.data(), key.size(), 0, nullptr);
      if (ec == RdKafka::ERR_NO_ERROR) return true;
      if (ec == RdKafka::ERR__QUEUE_FULL) {
        producer_->poll(5);
        continue;
      }
      note_failure("produce", RdKafka::err2str(ec), false);
      abort_quietly();
      return false;
    }
  }

  // A failed transaction step: a fatal error stops the journal; anything
  // else aborts the transaction so that the batch can be produced again.
  bool failed(const char* op, const KafkaErrorBox& e) {
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
    if (hooks_.on_abort) hooks_.on_abort();
    KafkaErrorBox a{producer_->abort_transaction(kCommitTimeoutMs)};
    if (a && a.e->is_fatal()) {
      note_failure("abort_transaction", a.str(), true);
      fatal_ = true;
    }
  }

  void note_failure(const char* op, const std::string& why, bool fatal) {
    const bool first = !kafka_failing_.exchange(true, std::memory_order_acq_rel);
    backoff_ns_ = first ? kKafkaRetryMinNs : std::min(backoff_ns_ * 2, kKafkaRetryMaxNs);
    {
      std::lock_guard lk(health_mu_);
      ++kafka_failures_;
      if (first) ++kafka_outages_;
      kafka_op_ = op;
    }
    if (fatal) {
      log::error("journal", "kafka journal fenced or failed for good: nothing more is acknowledged",
                 {{"op", op}, {"error", why}, {"topic", k_.topic}, {"transactional_id", k_.transactional_id}});
      if (!fatal_reported_.exchange(true) && hooks_.on_fatal) hooks_.on_fatal(fmt::format("{}: {}", op, why));
    }
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
  const KafkaJournalHooks hooks_;
  const KafkaStandby standby_;
  const bool wake_on_append_;
  std::unique_ptr<Journal> mirror_;
  std::unique_ptr<RdKafka::Producer> producer_;
  const std::filesystem::path mirror_dir_;
  const MirrorTail tail_;  // the mirror's last record at open
  bool led_ = false;       // replay() took the transactional id

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
  int64_t backoff_ns_ = kKafkaRetryMinNs;
  std::thread thread_;
  bool stopped_ = false;
  int64_t last_commit_ns_ = 0;

  std::atomic<bool> fatal_{false};
  std::atomic<bool> fatal_reported_{false};
  std::atomic<bool> kafka_failing_{false};
  std::atomic<uint64_t> undurable_bytes_{0};
  mutable std::mutex health_mu_;
  uint64_t kafka_failures_ = 0;  // guarded by health_mu_
  uint64_t kafka_outages_ = 0;
  std::string kafka_op_;
};

}  // namespace

std::unique_ptr<Journal> open_kafka_journal(Journal::Options mirror_opts, KafkaJournalOptions k,
                                            KafkaJournalHooks hooks, KafkaStandby standby) {
  if (k.brokers.empty() || k.topic.empty() || k.transactional_id.empty())
    throw std::invalid_argument("kafka journal: brokers, topic and transactional_id are required");
  const bool wake_on_append = mirror_opts.wake_on_append;
  std::filesystem::path dir = mirror_opts.dir;
  std::unique_ptr<Journal> mirror = Journal::open(std::move(mirror_opts));
  MirrorTail tail = mirror_tail(dir, mirror->last_seq());

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
  auto conf = make_kafka_conf(props);
  std::string err;
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) throw std::runtime_error("kafka journal: producer: " + err);
  return std::make_unique<KafkaJournal>(std::move(k), std::move(hooks), std::move(standby), wake_on_append,
                                        std::move(mirror), std::move(producer), std::move(dir), std::move(tail));
}

}  // namespace inplay
