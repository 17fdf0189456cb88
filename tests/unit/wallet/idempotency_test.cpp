// IdempotencyStore (src/wallet/idempotency.h): new, pending, done and
// mismatched keys; the stored outcome; expiry after the TTL; abandon.
#include "wallet/idempotency.h"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <string>

namespace inplay {
namespace {

constexpr int64_t kTtl = 1000;

Fingerprint fp(uint8_t b) {
  Fingerprint f{};
  f.fill(b);
  return f;
}

using L = IdempotencyStore::Lookup;

Outcome placed(uint64_t bet_id) { return BetPlaced{bet_id}; }
uint64_t bet_of(const IdempotencyStore::Entry* e) { return std::get<BetPlaced>(e->outcome()).bet_id; }

class IdempotencyTest : public ::testing::Test {
 protected:
  IdempotencyStore store{kTtl};
  const IdempotencyStore::Entry* e = nullptr;
};

TEST_F(IdempotencyTest, FirstSightIsNewAndPending) {
  EXPECT_EQ(store.begin("c:k1", fp(1), 0, &e), L::kNew);
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->pending);
  EXPECT_EQ(e->fingerprint, fp(1));
  EXPECT_EQ(store.size(), 1u);
  // A null out pointer is allowed.
  EXPECT_EQ(store.begin("c:k2", fp(1), 0, nullptr), L::kNew);
  EXPECT_EQ(store.size(), 2u);
}

TEST_F(IdempotencyTest, RepeatWhilePendingIsPending) {
  ASSERT_EQ(store.begin("c:k", fp(1), 0, &e), L::kNew);
  EXPECT_EQ(store.begin("c:k", fp(1), 5, &e), L::kPending);
  EXPECT_TRUE(e->pending);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(IdempotencyTest, OtherRequestWithTheSameKeyIsAMismatch) {
  ASSERT_EQ(store.begin("c:k", fp(1), 0, &e), L::kNew);
  EXPECT_EQ(store.begin("c:k", fp(2), 1, &e), L::kMismatch);
  store.complete("c:k", fp(1), placed(1), 10);
  EXPECT_EQ(store.begin("c:k", fp(2), 11, &e), L::kMismatch);
  // The mismatch did not overwrite the stored request.
  EXPECT_EQ(store.begin("c:k", fp(1), 12, &e), L::kDone);
  EXPECT_EQ(bet_of(e), 1u);
}

TEST_F(IdempotencyTest, CompletedKeyReturnsTheStoredOutcome) {
  ASSERT_EQ(store.begin("c:k", fp(1), 0, &e), L::kNew);
  store.complete("c:k", fp(1), placed(1), 10);
  EXPECT_EQ(store.begin("c:k", fp(1), 20, &e), L::kDone);
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->pending);
  EXPECT_EQ(bet_of(e), 1u);
  EXPECT_EQ(e->completed_ns, 10);
  // And again: repeats never change the answer.
  EXPECT_EQ(store.begin("c:k", fp(1), 30, &e), L::kDone);
  EXPECT_EQ(bet_of(e), 1u);
}

TEST_F(IdempotencyTest, KeysAreIndependent) {
  store.complete("a:k", fp(1), placed(11), 0);
  EXPECT_EQ(store.begin("b:k", fp(1), 1, &e), L::kNew);  // other caller, same key
  EXPECT_EQ(store.begin("a:k2", fp(1), 1, &e), L::kNew);
  EXPECT_EQ(store.begin("a:k", fp(1), 1, &e), L::kDone);
}

TEST_F(IdempotencyTest, CompleteWithoutBeginIsTheReplayPath) {
  store.complete("c:k", fp(3), Outcome{Error{ErrorCode::kPriceStale, "rejected"}}, 100);
  EXPECT_EQ(store.begin("c:k", fp(3), 101, &e), L::kDone);
  EXPECT_EQ(std::get<Error>(e->outcome()).code, ErrorCode::kPriceStale);
  EXPECT_EQ(std::get<Error>(e->outcome()).message, "rejected");
  EXPECT_EQ(store.begin("c:k", fp(4), 101, &e), L::kMismatch);
}

TEST_F(IdempotencyTest, DoneUntilTheTtlThenNewAgain) {
  ASSERT_EQ(store.begin("c:k", fp(1), 0, &e), L::kNew);
  store.complete("c:k", fp(1), placed(9), 100);
  EXPECT_EQ(store.begin("c:k", fp(1), 100 + kTtl, &e), L::kDone);  // at the TTL: still kept
  EXPECT_EQ(store.begin("c:k", fp(1), 100 + kTtl + 1, &e), L::kNew);  // past it: new
  EXPECT_TRUE(e->pending);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(IdempotencyTest, ExpiredKeyIsNewEvenWithAnotherRequest) {
  store.complete("c:k", fp(1), placed(9), 0);
  EXPECT_EQ(store.begin("c:k", fp(2), kTtl + 1, &e), L::kNew);
  EXPECT_EQ(e->fingerprint, fp(2));
  EXPECT_EQ(store.begin("c:k", fp(2), kTtl + 2, &e), L::kPending);
  EXPECT_EQ(store.begin("c:k", fp(1), kTtl + 2, &e), L::kMismatch);
}

TEST_F(IdempotencyTest, PendingEntriesNeverExpire) {
  ASSERT_EQ(store.begin("c:k", fp(1), 0, &e), L::kNew);
  EXPECT_EQ(store.begin("c:k", fp(1), 100 * kTtl, &e), L::kPending);
  EXPECT_EQ(store.expire(100 * kTtl), 0u);
  EXPECT_EQ(store.size(), 1u);
}

TEST_F(IdempotencyTest, ExpireDropsCompletedEntriesPastTheTtl) {
  store.complete("c:a", fp(1), placed(11), 0);
  store.complete("c:b", fp(1), placed(12), 500);
  ASSERT_EQ(store.begin("c:p", fp(1), 600, nullptr), L::kNew);  // pending
  EXPECT_EQ(store.expire(kTtl), 0u);  // a is exactly at its TTL
  EXPECT_EQ(store.expire(kTtl + 1), 1u);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.begin("c:b", fp(1), kTtl + 1, &e), L::kDone);
  EXPECT_EQ(store.expire(500 + kTtl + 1), 1u);
  EXPECT_EQ(store.size(), 1u);  // only the pending one
  EXPECT_EQ(store.expire(1'000'000), 0u);
}

TEST_F(IdempotencyTest, ExpireKeepsAKeyThatWasReusedAfterExpiry) {
  store.complete("c:k", fp(1), placed(21), 0);
  // Reused after it expired (begin resets the entry in place), completed again later.
  ASSERT_EQ(store.begin("c:k", fp(2), kTtl + 1, &e), L::kNew);
  store.complete("c:k", fp(2), placed(22), kTtl + 10);
  // The stale queue entry for the old completion must not drop the new one.
  EXPECT_EQ(store.expire(kTtl + 20), 0u);
  EXPECT_EQ(store.begin("c:k", fp(2), kTtl + 20, &e), L::kDone);
  EXPECT_EQ(bet_of(e), 22u);
  EXPECT_EQ(store.expire(2 * kTtl + 11), 1u);
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(IdempotencyTest, AbandonForgetsAPendingKey) {
  ASSERT_EQ(store.begin("c:k", fp(1), 0, &e), L::kNew);
  store.abandon("c:k");
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.begin("c:k", fp(2), 1, &e), L::kNew);  // even with another request
}

TEST_F(IdempotencyTest, AbandonLeavesACompletedKeyAlone) {
  store.complete("c:k", fp(1), placed(9), 0);
  store.abandon("c:k");
  EXPECT_EQ(store.begin("c:k", fp(1), 1, &e), L::kDone);
  store.abandon("never-seen");  // no-op
  EXPECT_EQ(store.size(), 1u);
}

// The expiry queue points at the index's keys: a key abandoned while a
// record of its earlier completion is queued must stay until that record
// goes (ASan sees a dangling record), and count as neither done nor expired.
TEST_F(IdempotencyTest, AbandonAKeyReusedAfterExpiryWhileItsOldRecordIsQueued) {
  store.complete("c:k", fp(1), placed(31), 0);
  ASSERT_EQ(store.begin("c:k", fp(2), kTtl + 1, &e), L::kNew);  // reused; the record of 0 is still queued
  store.abandon("c:k");
  EXPECT_EQ(store.size(), 1u);  // kept, expired, until the record of 0 goes
  EXPECT_EQ(store.begin("c:k", fp(3), kTtl + 2, &e), L::kNew);  // new again, with any request
  store.abandon("c:k");
  EXPECT_EQ(store.expire(kTtl + 3), 0u);  // the old record goes, and the abandoned key with it
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.begin("c:k", fp(4), kTtl + 4, &e), L::kNew);
  store.complete("c:k", fp(4), placed(32), kTtl + 5);
  EXPECT_EQ(store.begin("c:k", fp(4), kTtl + 6, &e), L::kDone);
  EXPECT_EQ(bet_of(e), 32u);
  EXPECT_EQ(store.expire(2 * kTtl + 6), 1u);
  EXPECT_EQ(store.size(), 0u);
}

// A key reused after expiry keeps its stored outcome only until it is
// completed again: while pending it reports pending, never the old outcome.
TEST_F(IdempotencyTest, ReusedKeyForgetsItsOldOutcome) {
  store.complete("c:k", fp(1), Outcome{Error{ErrorCode::kPriceStale, "stale"}}, 0);
  ASSERT_EQ(store.begin("c:k", fp(2), kTtl + 1, &e), L::kNew);
  EXPECT_EQ(e->other, nullptr);  // the refusal is gone with the old request
  EXPECT_EQ(e->bet_id, 0u);
  EXPECT_EQ(store.begin("c:k", fp(2), kTtl + 2, &e), L::kPending);
  store.complete("c:k", fp(2), placed(41), kTtl + 3);
  EXPECT_EQ(store.begin("c:k", fp(2), kTtl + 4, &e), L::kDone);
  EXPECT_EQ(bet_of(e), 41u);
}

// Many keys through the queue, completed, reused after expiry and
// abandoned in turn (a key abandoned in one round was completed in the one
// before, so its old record is still queued): every completion is counted
// once when it expires, and every key is gone in the end.
TEST_F(IdempotencyTest, ChurnLeavesNothingBehind) {
  size_t completed = 0;
  for (int round = 0; round < 3; ++round) {
    const int64_t t0 = round * 3 * kTtl;
    for (int i = 0; i < 1000; ++i) {
      const std::string k = "c:" + std::to_string(i);
      ASSERT_EQ(store.begin(k, fp(1), t0, nullptr), L::kNew);
      if ((i + round) % 3 == 0) {
        store.abandon(k);
      } else {
        store.complete(k, fp(1), placed(static_cast<uint64_t>(i + 1)), t0);
        ++completed;
      }
    }
  }
  size_t expired = 0;
  for (int64_t t = 0; t <= 100 * kTtl; t += kTtl / 2) expired += store.expire(t);
  EXPECT_EQ(store.size(), 0u);
  // A key counts once, when it goes, if its last request completed: the 667
  // keys completed in the last round ((i + 2) % 3 != 0), as before keys were
  // held once (then a reused key was erased uncounted and re-inserted).
  EXPECT_EQ(completed, 2000u);
  EXPECT_EQ(expired, 667u);
}

// Sized up front, the index takes that many keys without growing: growing
// rehashes every key at once on the engine thread (the stalls of issue 19).
TEST_F(IdempotencyTest, ReservedKeysFitWithoutGrowing) {
  store.reserve(5000);
  const size_t cap = store.capacity();
  EXPECT_GE(cap, 5000u);
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(store.begin("c:k" + std::to_string(i), fp(1), 0, nullptr), L::kNew);
  EXPECT_EQ(store.capacity(), cap);
  IdempotencyStore unsized{kTtl};
  for (int i = 0; i < 5000; ++i) unsized.begin("c:k" + std::to_string(i), fp(1), 0, nullptr);
  EXPECT_GT(unsized.capacity(), 0u);
}

// A key is kept as its 128-bit digest: keys of every length around the
// 8-byte words SipHash reads, each next to one that differs only in its last
// byte, and the empty key, stay distinct.
TEST_F(IdempotencyTest, KeysOfEveryLengthStayDistinct) {
  std::vector<std::string> keys{""};
  for (size_t n : {1, 7, 8, 9, 15, 16, 17, 39, 40, 41, 64, 300}) {
    keys.push_back(std::string(n, 'k'));
    keys.push_back(std::string(n - 1, 'k') + "x");  // differs only in its last byte
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(store.begin(keys[i], fp(1), 0, nullptr), L::kNew) << keys[i].size();
    store.complete(keys[i], fp(1), placed(i + 1), 0);
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    ASSERT_EQ(store.begin(keys[i], fp(1), 10, &e), L::kDone) << keys[i].size();
    EXPECT_EQ(bet_of(e), i + 1);
  }
  EXPECT_EQ(store.size(), keys.size());
  EXPECT_EQ(store.expire(10 * kTtl), keys.size());
  EXPECT_EQ(store.size(), 0u);
}

// Against a model (a map and a queue of keys, the store as it was before
// it held keys in slots): random begins, completions, abandons and expiry
// over a few hundred keys of every length, so that probe runs, erasing
// with shift-back, slot reuse and growth all happen. Every answer, every
// stored outcome, every expired count and the size agree.
TEST(IdempotencyModel, AgreesWithAMapOnRandomOperations) {
  struct M {
    Fingerprint fp;
    bool pending = true;
    uint32_t records = 0;
    int64_t completed_ns = 0;
    uint64_t bet = 0;
  };
  constexpr int64_t kAbandonedAt = INT64_MIN / 2;
  std::map<std::string, M> model;
  std::deque<std::pair<int64_t, std::string>> queue;
  auto model_begin = [&](const std::string& k, const Fingerprint& f, int64_t now) {
    auto [it, fresh] = model.try_emplace(k);
    M& m = it->second;
    if (fresh || (!m.pending && m.completed_ns + kTtl < now)) {
      m.fp = f;
      m.pending = true;
      m.bet = 0;
      return L::kNew;
    }
    if (m.fp != f) return L::kMismatch;
    return m.pending ? L::kPending : L::kDone;
  };
  auto model_expire = [&](int64_t now) {
    size_t n = 0;
    while (!queue.empty() && queue.front().first + kTtl < now) {
      auto it = model.find(queue.front().second);
      queue.pop_front();
      M& m = it->second;
      if (--m.records == 0 && !m.pending && m.completed_ns + kTtl < now) {
        if (m.completed_ns != kAbandonedAt) ++n;
        model.erase(it);
      }
    }
    return n;
  };

  std::mt19937_64 rng(7);
  IdempotencyStore store{kTtl};
  std::vector<std::string> keys;
  for (int i = 0; i < 300; ++i) keys.push_back(std::string(static_cast<size_t>(i % 70), 'a') + std::to_string(i));
  int64_t now = 0;
  uint64_t next_bet = 1;
  for (int step = 0; step < 200000; ++step) {
    const std::string& k = keys[rng() % keys.size()];
    const Fingerprint f = fp(static_cast<uint8_t>(rng() % 2));
    now += static_cast<int64_t>(rng() % 7);
    switch (rng() % 8) {
      case 0: case 1: case 2: {
        const IdempotencyStore::Entry* got = nullptr;
        const L want = model_begin(k, f, now);
        ASSERT_EQ(store.begin(k, f, now, &got), want) << step;
        if (want == L::kDone) ASSERT_EQ(bet_of(got), model.at(k).bet) << step;
        break;
      }
      case 3: case 4: {
        M& m = model[k];
        m.fp = f;
        m.pending = false;
        m.bet = next_bet;
        m.completed_ns = now;
        ++m.records;
        queue.emplace_back(now, k);
        store.complete(k, f, placed(next_bet++), now);
        break;
      }
      case 5: {
        auto it = model.find(k);
        if (it != model.end() && it->second.pending) {
          if (it->second.records == 0) model.erase(it);
          else it->second.pending = false, it->second.completed_ns = kAbandonedAt;
        }
        store.abandon(k);
        break;
      }
      default:
        ASSERT_EQ(store.expire(now), model_expire(now)) << step;
    }
    ASSERT_EQ(store.size(), model.size()) << step;
  }
  now += 10 * kTtl;
  EXPECT_EQ(store.expire(now), model_expire(now));
  for (const std::string& k : keys) {
    const L want = model_begin(k, fp(0), now);
    ASSERT_EQ(store.begin(k, fp(0), now, nullptr), want);
  }
  EXPECT_EQ(store.size(), model.size());
}

}  // namespace
}  // namespace inplay
