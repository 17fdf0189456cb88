// IdempotencyStore: remembers the outcome of each (caller, Idempotency-Key)
// for a TTL, for bets and wallet calls alike (BET-6, WAL-5).
//
// A key first seen is recorded as pending with the request's fingerprint
// (a hash of method, path and body). Later the decision's Outcome is stored
// (wallet/outcome.h: the bet id, the money receipt or the refusal — never a
// rendered response; rendering it again gives the same bytes). A repeat with
// the same fingerprint gets that outcome (or waits while pending); a repeat
// with another fingerprint is IDEMPOTENCY_KEY_REUSED. Entries expire TTL
// after they were completed. Engine thread only.
//
// Memory (a million open bets each hold a key for the TTL): no allocation
// per key, 64 bytes a slot. A key is kept as its 128-bit SipHash-2-4 under a
// key drawn per store at random (core/siphash.h), not as its text: two keys
// share a digest with probability 2^-128 and no client can aim for it, and
// nothing ever reads a key back (replay rebuilds the store from the
// journal's keys, hashed under the new process's key). Entries live in
// slots, in pages that never move (so an Entry* stays valid until its key is
// erased). The index is open addressing over a power-of-two table of
// (slot, hash) pairs kept at most three quarters full, linear probing,
// erase by shifting back (no tombstones); the hash is 32 bits of the digest,
// so with the key secret no client can pick keys that collide in the table
// and make each bet's lookup a walk (hash flooding).
// The expiry queue names slots, so expiring reads no key. An entry is
// erased only when no queue record points at it, so a key reused after it
// expired is reset in place, and one abandoned while an old record still
// points at it is left expired for that record to erase (size() counts it
// until then; to begin() it is new).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "core/siphash.h"
#include "wallet/outcome.h"

namespace inplay {

using Fingerprint = std::array<uint8_t, 16>;

class IdempotencyStore {
 public:
  explicit IdempotencyStore(int64_t ttl_ns) : ttl_ns_(ttl_ns) {}
  IdempotencyStore(const IdempotencyStore&) = delete;
  IdempotencyStore& operator=(const IdempotencyStore&) = delete;

  enum class Lookup { kNew, kPending, kDone, kMismatch };
  struct Entry {
    Fingerprint fingerprint{};
    bool pending = true;
    uint32_t records = 0;  // expiry-queue records pointing at this entry
    int64_t completed_ns = 0;
    // Most entries are placed bets, whose outcome is their id (8 bytes per
    // open bet); any other outcome is kept whole, out of line.
    uint64_t bet_id = 0;
    std::unique_ptr<Outcome> other;
    Outcome outcome() const { return other ? *other : Outcome{BetPlaced{bet_id}}; }
  };

  // Looks up key; on kNew, records a pending entry with fp. *out stays valid
  // until the key is erased (abandon, expire).
  Lookup begin(std::string_view key, const Fingerprint& fp, int64_t now_ns, const Entry** out);
  // Stores the outcome for a key (pending or absent: replay path).
  void complete(std::string_view key, const Fingerprint& fp, Outcome outcome, int64_t now_ns);
  // Forgets a pending key (the request failed before any decision).
  void abandon(std::string_view key);
  // Drops completed entries older than the TTL; returns how many.
  size_t expire(int64_t now_ns);
  size_t size() const { return used_; }
  // Sizes the index for n keys up front (growing it later re-places every
  // key at once); capacity() is how many it holds before it grows.
  void reserve(size_t n);
  size_t capacity() const { return index_.size() / 4 * 3; }

 private:
  static constexpr uint32_t kPageSlots = 1024;
  // One key's digest and its entry (64 bytes).
  struct Slot {
    Entry entry;
    SipHash128 key;
  };
  static_assert(sizeof(Slot) == 64, "a field that breaks the packing costs a million times over");
  struct IndexEntry {
    uint32_t slot;  // slot number + 1; 0: an empty position
    uint32_t hash;  // index_hash() of the key's digest
  };
  SipHash128 digest_of(std::string_view key) const { return siphash24_128(sip_key_, key); }
  static uint32_t index_hash(const SipHash128& d) { return static_cast<uint32_t>(d.lo); }
  Slot& slot(uint32_t n) { return pages_[n / kPageSlots][n % kPageSlots]; }
  const Slot& slot(uint32_t n) const { return pages_[n / kPageSlots][n % kPageSlots]; }
  // The index position holding the key of digest d, or SIZE_MAX.
  size_t find(const SipHash128& d) const;
  // The slot of key, inserting a fresh one (fresh = true) if absent.
  uint32_t find_or_add(std::string_view key, bool& fresh);
  void erase(uint32_t slot_no);  // frees the slot and its index position
  void grow(size_t positions);

  int64_t ttl_ns_;
  SipKey sip_key_ = SipKey::random();
  struct Completion {
    int64_t at_ns;
    uint32_t slot;
  };
  std::vector<std::unique_ptr<Slot[]>> pages_;
  std::vector<uint32_t> free_slots_;
  uint32_t slots_made_ = 0;
  std::vector<IndexEntry> index_;  // power of two, at most 3/4 used
  size_t used_ = 0;
  std::deque<Completion> completion_order_;
};

}  // namespace inplay
