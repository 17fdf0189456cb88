#include "feed/sequence_tracker.h"

namespace inplay {

const char* seq_verdict_name(SeqVerdict v) {
  switch (v) {
    case SeqVerdict::kFirst: return "first";
    case SeqVerdict::kInOrder: return "in_order";
    case SeqVerdict::kGap: return "gap";
    case SeqVerdict::kDuplicate: return "duplicate";
    case SeqVerdict::kReordered: return "reordered";
  }
  return "unknown";
}

void SequenceTracker::reset() {
  last_ = 0;
  seen_ = 0;
}

SeqVerdict SequenceTracker::observe(uint64_t seq) {
  if (last_ == 0) {
    last_ = seq;
    seen_ = 1;
    return SeqVerdict::kFirst;
  }
  if (seq > last_) {
    uint64_t jump = seq - last_;
    seen_ = jump >= 64 ? 1 : (seen_ << jump) | 1;
    last_ = seq;
    if (jump == 1) return SeqVerdict::kInOrder;
    ++gaps_;
    missing_ += jump - 1;
    return SeqVerdict::kGap;
  }
  uint64_t age = last_ - seq;
  if (age >= 64 || (seen_ >> age) & 1) {
    ++duplicates_;  // beyond the window we cannot tell: treat as a duplicate
    return SeqVerdict::kDuplicate;
  }
  seen_ |= uint64_t{1} << age;
  ++reordered_;
  return SeqVerdict::kReordered;
}

}  // namespace inplay
