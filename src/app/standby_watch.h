// StandbyWatch: a leader on the Kafka journal watching its hot standby.
//
// Once a second, on a thread of its own, it asks Kafka for the report the
// standby last committed (journal/kafka_standby_report.h: KafkaStandbyWatch)
// and hands it, with the leader's last durable seq, to BookRole::heard():
// the war room's journal panel, the book_standby_* gauges and the signal
// standby_lost follow from there. Kafka not answering is shown as such
// (BookRole's watch_error), never as a lost standby by itself: the report
// heard last stays.
//
// Started once the book leads (a standby that took over starts it then);
// stop() (or the destructor) ends the thread within one fetch's timeout.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "app/book_role.h"
#include "journal/kafka_journal.h"

namespace inplay {

class StandbyWatch {
 public:
  StandbyWatch(const KafkaJournalOptions& k, BookRole& role, std::function<uint64_t()> leader_seq);
  ~StandbyWatch();
  StandbyWatch(const StandbyWatch&) = delete;
  StandbyWatch& operator=(const StandbyWatch&) = delete;

  void stop();

 private:
  void run();

  const KafkaJournalOptions k_;
  BookRole& role_;
  std::function<uint64_t()> leader_seq_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace inplay
