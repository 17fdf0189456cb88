#include "feed/sequence_tracker.h"

#include <gtest/gtest.h>

namespace inplay {

TEST(SequenceTracker, InOrderGapDuplicateReordered) {
  SequenceTracker t;
  EXPECT_EQ(t.observe(10), SeqVerdict::kFirst);
  EXPECT_EQ(t.observe(11), SeqVerdict::kInOrder);
  EXPECT_EQ(t.observe(14), SeqVerdict::kGap);  // 12, 13 lost
  EXPECT_EQ(t.gaps(), 1u);
  EXPECT_EQ(t.missing(), 2u);
  EXPECT_EQ(t.observe(14), SeqVerdict::kDuplicate);
  EXPECT_EQ(t.observe(11), SeqVerdict::kDuplicate);
  EXPECT_EQ(t.observe(12), SeqVerdict::kReordered);  // late, never seen
  EXPECT_EQ(t.observe(12), SeqVerdict::kDuplicate);  // now seen
  EXPECT_EQ(t.observe(15), SeqVerdict::kInOrder);
  EXPECT_EQ(t.duplicates(), 3u);
  EXPECT_EQ(t.reordered(), 1u);
  EXPECT_EQ(t.last(), 15u);
}

TEST(SequenceTracker, SwappedPairIsOneGapAndOneReordered) {
  SequenceTracker t;
  t.observe(1);
  EXPECT_EQ(t.observe(3), SeqVerdict::kGap);
  EXPECT_EQ(t.observe(2), SeqVerdict::kReordered);
  EXPECT_EQ(t.observe(4), SeqVerdict::kInOrder);
}

TEST(SequenceTracker, FarBehindIsDuplicateAndBigJumpsKeepTheWindowSane) {
  SequenceTracker t;
  t.observe(1);
  EXPECT_EQ(t.observe(1000), SeqVerdict::kGap);
  EXPECT_EQ(t.missing(), 998u);
  EXPECT_EQ(t.observe(2), SeqVerdict::kDuplicate);  // outside the window
  EXPECT_EQ(t.observe(999), SeqVerdict::kReordered);
  t.reset();
  EXPECT_EQ(t.observe(1), SeqVerdict::kFirst);
}

}  // namespace inplay
