// The price ladder (src/pricing/price_ladder.h): band boundaries, the whole
// ladder walked up and down, and clamping at both ends.
#include "pricing/price_ladder.h"

#include <gtest/gtest.h>

#include <vector>

namespace inplay {
namespace {

Odds scaled(int32_t v) { return Odds{v}; }

// The ladder as exchanges publish it, built independently of the code.
std::vector<int32_t> reference_ladder() {
  struct Band {
    int32_t from, to, step;
  };
  const Band bands[] = {{10100, 20000, 100},     {20200, 30000, 200},     {30500, 40000, 500},
                        {41000, 60000, 1000},    {62000, 100000, 2000},   {105000, 200000, 5000},
                        {210000, 300000, 10000}, {320000, 500000, 20000}, {550000, 1000000, 50000},
                        {1100000, 10000000, 100000}};
  std::vector<int32_t> out;
  for (const Band& b : bands)
    for (int32_t p = b.from; p <= b.to; p += b.step) out.push_back(p);
  return out;
}

TEST(PriceLadder, ReferenceLadderHas350Prices) {
  auto l = reference_ladder();
  EXPECT_EQ(l.size(), 350u);
  EXPECT_EQ(l.front(), kMinOdds);
  EXPECT_EQ(l.back(), kMaxOdds);
}

TEST(PriceLadder, StepPerBand) {
  EXPECT_EQ(ladder_step(scaled(10100)), 100);
  EXPECT_EQ(ladder_step(scaled(19900)), 100);
  EXPECT_EQ(ladder_step(scaled(20000)), 200);
  EXPECT_EQ(ladder_step(scaled(29800)), 200);
  EXPECT_EQ(ladder_step(scaled(30000)), 500);
  EXPECT_EQ(ladder_step(scaled(40000)), 1000);
  EXPECT_EQ(ladder_step(scaled(60000)), 2000);
  EXPECT_EQ(ladder_step(scaled(100000)), 5000);
  EXPECT_EQ(ladder_step(scaled(200000)), 10000);
  EXPECT_EQ(ladder_step(scaled(300000)), 20000);
  EXPECT_EQ(ladder_step(scaled(500000)), 50000);
  EXPECT_EQ(ladder_step(scaled(1000000)), 100000);
  EXPECT_EQ(ladder_step(scaled(9900000)), 100000);
}

struct Boundary {
  int32_t price;  // a band boundary (on the ladder)
  int32_t below;  // the ladder price one step below it
  int32_t above;  // the ladder price one step above it
};

class LadderBoundary : public ::testing::TestWithParam<Boundary> {};

TEST_P(LadderBoundary, FloorCeilMoveAroundTheBoundary) {
  const Boundary b = GetParam();
  // On the boundary itself: floor and ceil are the identity.
  EXPECT_EQ(ladder_floor(scaled(b.price)).scaled, b.price);
  EXPECT_EQ(ladder_ceil(scaled(b.price)).scaled, b.price);
  // One scaled unit either side.
  EXPECT_EQ(ladder_floor(scaled(b.price - 1)).scaled, b.below);
  EXPECT_EQ(ladder_ceil(scaled(b.price - 1)).scaled, b.price);
  EXPECT_EQ(ladder_floor(scaled(b.price + 1)).scaled, b.price);
  EXPECT_EQ(ladder_ceil(scaled(b.price + 1)).scaled, b.above);
  // Moves cross the boundary with the step of the band they land in.
  EXPECT_EQ(ladder_move(scaled(b.price), 1).scaled, b.above);
  EXPECT_EQ(ladder_move(scaled(b.price), -1).scaled, b.below);
  EXPECT_EQ(ladder_move(scaled(b.below), 1).scaled, b.price);
  EXPECT_EQ(ladder_move(scaled(b.above), -1).scaled, b.price);
  EXPECT_EQ(ladder_move(scaled(b.below), 2).scaled, b.above);
  EXPECT_EQ(ladder_move(scaled(b.above), -2).scaled, b.below);
  EXPECT_EQ(ladder_move(scaled(b.price), 0).scaled, b.price);
}

INSTANTIATE_TEST_SUITE_P(Bands, LadderBoundary,
                         ::testing::Values(Boundary{20000, 19900, 20200},     // 2.0
                                           Boundary{30000, 29800, 30500},     // 3.0
                                           Boundary{40000, 39500, 41000},     // 4.0
                                           Boundary{60000, 59000, 62000},     // 6.0
                                           Boundary{100000, 98000, 105000},   // 10.0
                                           Boundary{200000, 195000, 210000},  // 20.0
                                           Boundary{300000, 290000, 320000},  // 30.0
                                           Boundary{500000, 480000, 550000},  // 50.0
                                           Boundary{1000000, 950000, 1100000}));  // 100.0

TEST(PriceLadder, OffLadderPricesRoundToTheirNeighbours) {
  EXPECT_EQ(ladder_floor(scaled(25100)).scaled, 25000);   // 2.51 -> 2.50
  EXPECT_EQ(ladder_ceil(scaled(25100)).scaled, 25200);    // 2.51 -> 2.52
  EXPECT_EQ(ladder_floor(scaled(33300)).scaled, 33000);
  EXPECT_EQ(ladder_ceil(scaled(33300)).scaled, 33500);
  EXPECT_EQ(ladder_floor(scaled(123400)).scaled, 120000);  // 12.34 -> 12.0
  EXPECT_EQ(ladder_ceil(scaled(123400)).scaled, 125000);   // 12.34 -> 12.5
  EXPECT_EQ(ladder_floor(scaled(5555555)).scaled, 5500000);
  EXPECT_EQ(ladder_ceil(scaled(5555555)).scaled, 5600000);
  // Moving from an off-ladder price starts at its floor.
  EXPECT_EQ(ladder_move(scaled(25100), 1).scaled, 25200);
  EXPECT_EQ(ladder_move(scaled(25100), -1).scaled, 24800);
}

TEST(PriceLadder, WalkTheWholeLadderUpThenDown) {
  const auto ref = reference_ladder();
  // Walk up from 1.01 one step at a time: every price is the reference.
  Odds p{kMinOdds};
  for (size_t i = 0; i < ref.size(); ++i) {
    ASSERT_EQ(p.scaled, ref[i]) << "step " << i;
    EXPECT_EQ(ladder_floor(p).scaled, p.scaled);
    EXPECT_EQ(ladder_ceil(p).scaled, p.scaled);
    Odds up = ladder_move(p, 1);
    if (i + 1 < ref.size()) {
      EXPECT_GT(up.scaled, p.scaled);
      EXPECT_EQ(ladder_move(up, -1).scaled, p.scaled) << "up then down from " << p.str();
    } else {
      EXPECT_EQ(up.scaled, kMaxOdds);
    }
    if (i > 0) {
      EXPECT_EQ(ladder_move(ladder_move(p, -1), 1).scaled, p.scaled) << p.str();
    }
    // Every price between two ladder prices floors to the lower, ceils to the upper.
    if (i + 1 < ref.size()) {
      for (int32_t x = ref[i] + 1; x < ref[i + 1]; x += std::max(1, (ref[i + 1] - ref[i]) / 7)) {
        EXPECT_EQ(ladder_floor(scaled(x)).scaled, ref[i]) << x;
        EXPECT_EQ(ladder_ceil(scaled(x)).scaled, ref[i + 1]) << x;
      }
    }
    p = up;
  }
  // Many steps at once are the same as one at a time.
  EXPECT_EQ(ladder_move(Odds{kMinOdds}, static_cast<int>(ref.size()) - 1).scaled, kMaxOdds);
  EXPECT_EQ(ladder_move(Odds{kMaxOdds}, -(static_cast<int>(ref.size()) - 1)).scaled, kMinOdds);
  EXPECT_EQ(ladder_move(Odds{20000}, 50).scaled, 30000);
  EXPECT_EQ(ladder_move(Odds{30000}, -50).scaled, 20000);
}

TEST(PriceLadder, ClampsAtBothEnds) {
  EXPECT_EQ(ladder_move(Odds{kMinOdds}, -1).scaled, kMinOdds);
  EXPECT_EQ(ladder_move(Odds{kMinOdds}, -1000).scaled, kMinOdds);
  EXPECT_EQ(ladder_move(Odds{kMaxOdds}, 1).scaled, kMaxOdds);
  EXPECT_EQ(ladder_move(Odds{kMaxOdds}, 1000).scaled, kMaxOdds);
  EXPECT_EQ(ladder_move(Odds{10200}, -5).scaled, kMinOdds);
  EXPECT_EQ(ladder_move(Odds{9900000}, 5).scaled, kMaxOdds);
  EXPECT_EQ(ladder_floor(Odds{10000}).scaled, kMinOdds);
  EXPECT_EQ(ladder_floor(Odds{10050}).scaled, kMinOdds);
  EXPECT_EQ(ladder_ceil(Odds{10050}).scaled, kMinOdds);
  EXPECT_EQ(ladder_floor(Odds{kMaxOdds + 1}).scaled, kMaxOdds);
  EXPECT_EQ(ladder_ceil(Odds{kMaxOdds + 1}).scaled, kMaxOdds);
  EXPECT_EQ(ladder_floor(Odds{9999999}).scaled, 9900000);
  EXPECT_EQ(ladder_ceil(Odds{9999999}).scaled, kMaxOdds);
}

}  // namespace
}  // namespace inplay
