// SequenceTracker: per-producer sequence accounting (docs/feed-protocol.md,
// "Producer health"). Each message's seq is classified as the first seen,
// in order (last + 1), a gap (jumped ahead: the messages between were lost),
// a duplicate (a seq already seen) or reordered (an older seq never seen,
// arriving late). Gaps are used and counted; duplicates and reordered
// messages are dropped by the caller. Remembers the last 64 seqs to tell a
// duplicate from a late arrival. Single-threaded (the engine thread).
#pragma once
#include <cstdint>

namespace inplay {

enum class SeqVerdict { kFirst, kInOrder, kGap, kDuplicate, kReordered };
const char* seq_verdict_name(SeqVerdict v);

class SequenceTracker {
 public:
  SeqVerdict observe(uint64_t seq);
  // Forget the past (a reconnect may restart the producer's numbering).
  void reset();
  uint64_t last() const { return last_; }
  uint64_t gaps() const { return gaps_; }
  uint64_t missing() const { return missing_; }  // seqs skipped by gaps
  uint64_t duplicates() const { return duplicates_; }
  uint64_t reordered() const { return reordered_; }

 private:
  uint64_t last_ = 0;
  uint64_t seen_ = 0;  // bit i set: seq (last_ - i) was seen
  uint64_t gaps_ = 0, missing_ = 0, duplicates_ = 0, reordered_ = 0;
};

}  // namespace inplay
