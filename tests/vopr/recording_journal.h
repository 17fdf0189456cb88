// RecordingJournal: the journal the engine writes to in the storage-fault
// simulation — a FileJournal on the SimDisk, with every record the engine
// appends copied into the run's History (the oracle) and every durable seq
// the journal reports remembered. What the journal promised (records up to
// the highest durable seq it reported) is what a restart must give back,
// byte for byte. One thread (the simulation drives the journal by pump()).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "journal/journal.h"

namespace inplay::vopr {

// One appended record, as the engine handed it over.
struct AppendedRecord {
  uint16_t type = 0;
  std::string payload;
};

// Every record of the run's journal lineage: records[i] has seq i + 1. A
// restart cuts it back to what survived (the records past that were never
// acknowledged and are gone) — into `abandoned`, because a later power cut
// may still bring one back: an unsynced write that reached the platter
// while the truncate the journal made after it (a failed write) did not.
// Such a record may come back only past the durable end, and then it
// becomes the lineage again.
struct History {
  std::vector<AppendedRecord> records;
  uint64_t durable_seq = 0;  // highest seq the journal has reported durable
  std::multimap<uint64_t, AppendedRecord> abandoned;  // seq -> each version cut

  // Cuts the lineage back to its first n records.
  void cut(uint64_t n) {
    for (uint64_t s = n + 1; s <= records.size(); ++s) abandoned.emplace(s, std::move(records[s - 1]));
    records.resize(n);
  }
};

class ReplayMismatch : public std::runtime_error {
 public:
  ReplayMismatch(uint64_t seq, const std::string& why)
      : std::runtime_error("record seq " + std::to_string(seq) + ": " + why) {}
};

class RecordingJournal final : public Journal {
 public:
  RecordingJournal(std::unique_ptr<Journal> inner, History& history) : inner_(std::move(inner)), h_(history) {}

  // Each record read back is checked against what was appended under its
  // seq before fn sees it; a difference throws ReplayMismatch.
  // A record past the durable end may be an abandoned one come back; it is
  // adopted into the lineage (and adopted() says so).
  void replay(const std::function<void(const JournalRecord&)>& fn) override {
    inner_->replay([&](const JournalRecord& r) {
      if (!in_lineage(r)) {
        if (r.seq <= h_.durable_seq)
          throw ReplayMismatch(r.seq, "the journal gives back other bytes than were acknowledged");
        adopt(r);
      }
      fn(r);
    });
  }
  bool adopted() const { return adopted_; }
  uint64_t last_seq() const override { return inner_->last_seq(); }
  void set_durable_listener(std::function<void(uint64_t)> fn) override {
    inner_->set_durable_listener([this, fn = std::move(fn)](uint64_t seq) {
      if (seq > h_.durable_seq) h_.durable_seq = seq;
      if (fn) fn(seq);
    });
  }
  void start() override { inner_->start(); }
  uint64_t append(uint16_t type, std::string_view payload, Completion done) override {
    const uint64_t seq = inner_->append(type, payload, std::move(done));
    if (seq != h_.records.size() + 1) throw std::logic_error("journal seq out of step with the history");
    h_.records.push_back(AppendedRecord{type, std::string(payload)});
    return seq;
  }
  void barrier(Completion done) override { inner_->barrier(std::move(done)); }
  void kick() override { inner_->kick(); }
  void stop() override { inner_->stop(); }
  bool pump() override { return inner_->pump(); }
  JournalStats stats() const override { return inner_->stats(); }
  bool writable() const override { return inner_->writable(); }
  uint64_t undurable_bytes() const override { return inner_->undurable_bytes(); }
  JournalHealth health() const override { return inner_->health(); }

 private:
  static bool same(const AppendedRecord& a, const JournalRecord& r) {
    return a.type == r.type && a.payload == r.payload;
  }
  bool in_lineage(const JournalRecord& r) const {
    return r.seq >= 1 && r.seq <= h_.records.size() && same(h_.records[r.seq - 1], r);
  }
  void adopt(const JournalRecord& r) {
    auto [lo, hi] = h_.abandoned.equal_range(r.seq);
    for (auto it = lo; it != hi; ++it) {
      if (!same(it->second, r)) continue;
      if (r.seq > h_.records.size() + 1)
        throw ReplayMismatch(r.seq, "the journal has a record past a seq it lacks");
      h_.cut(r.seq - 1);
      h_.records.push_back(AppendedRecord{r.type, std::string(r.payload)});
      adopted_ = true;
      return;
    }
    throw ReplayMismatch(r.seq, "the journal gives back bytes never appended under this seq");
  }

  std::unique_ptr<Journal> inner_;
  History& h_;
  bool adopted_ = false;
};

}  // namespace inplay::vopr
