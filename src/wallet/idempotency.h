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
// Memory: each key is held once, in the index. The expiry queue points at
// the index's keys (nodes of an unordered_map never move); an entry is
// erased only when no queue record points at it, so a key reused after it
// expired is reset in place, and one abandoned while an old record still
// points at it is left expired for that record to erase (size() counts it
// until then; to begin() it is new).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "wallet/outcome.h"

namespace inplay {

using Fingerprint = std::array<uint8_t, 16>;

class IdempotencyStore {
 public:
  explicit IdempotencyStore(int64_t ttl_ns) : ttl_ns_(ttl_ns) {}

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

  // Looks up key; on kNew, records a pending entry with fp.
  Lookup begin(const std::string& key, const Fingerprint& fp, int64_t now_ns, const Entry** out);
  // Stores the outcome for a key (pending or absent: replay path).
  void complete(const std::string& key, const Fingerprint& fp, Outcome outcome, int64_t now_ns);
  // Forgets a pending key (the request failed before any decision).
  void abandon(const std::string& key);
  // Drops completed entries older than the TTL; returns how many.
  size_t expire(int64_t now_ns);
  size_t size() const { return entries_.size(); }
  // Sizes the index for n keys up front (growing it later rehashes every
  // key at once); capacity() is how many it holds before it grows.
  void reserve(size_t n) { entries_.reserve(n); }
  size_t capacity() const {
    return static_cast<size_t>(static_cast<double>(entries_.bucket_count()) * entries_.max_load_factor());
  }

 private:
  int64_t ttl_ns_;
  struct Completion {
    int64_t at_ns;
    const std::string* key;  // the index's own copy
  };
  std::unordered_map<std::string, Entry> entries_;
  std::deque<Completion> completion_order_;
};

}  // namespace inplay
