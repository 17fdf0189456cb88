// StandbyWatch (contract in app/standby_watch.h).
#include "app/standby_watch.h"

#include <chrono>
#include <memory>

#include "core/clock.h"
#include "journal/kafka_standby_report.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

constexpr auto kEvery = std::chrono::seconds(1);
constexpr int kFetchTimeoutMs = 2000;

}  // namespace

StandbyWatch::StandbyWatch(const KafkaJournalOptions& k, BookRole& role, std::function<uint64_t()> leader_seq)
    : k_(k), role_(role), leader_seq_(std::move(leader_seq)), thread_([this] { run(); }) {}

StandbyWatch::~StandbyWatch() { stop(); }

void StandbyWatch::stop() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StandbyWatch::run() {
  std::unique_ptr<KafkaStandbyWatch> watch;
  std::string last_error;
  for (;;) {
    std::string error;
    std::optional<StandbyReport> r;
    try {
      if (!watch) watch = std::make_unique<KafkaStandbyWatch>(k_);
      r = watch->fetch(kFetchTimeoutMs);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error != last_error && !error.empty())
      log::warn("runtime", "cannot read the standby's report from Kafka", {{"error", error}});
    last_error = error;
    role_.heard(r, leader_seq_(), monotonic_ns(), error);
    std::unique_lock lk(mu_);
    if (cv_.wait_for(lk, kEvery, [this] { return stop_; })) return;
  }
}

}  // namespace inplay
