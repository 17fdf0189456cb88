// IdempotencyStore: remembers the response to each (caller, Idempotency-Key)
// for a TTL, for bets and wallet calls alike (BET-6, WAL-5).
//
// A key first seen is recorded as pending with the request's fingerprint
// (a hash of method, path and body). Later the decision's exact response
// bytes are stored. A repeat with the same fingerprint gets those bytes back
// (or waits while pending); a repeat with another fingerprint is
// IDEMPOTENCY_KEY_REUSED. Entries expire TTL after they were completed.
// Engine thread only.
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace inplay {

using Fingerprint = std::array<uint8_t, 16>;

struct StoredResponse {
  int status = 0;
  std::string body;
};

class IdempotencyStore {
 public:
  explicit IdempotencyStore(int64_t ttl_ns) : ttl_ns_(ttl_ns) {}

  enum class Lookup { kNew, kPending, kDone, kMismatch };
  struct Entry {
    Fingerprint fingerprint{};
    bool pending = true;
    StoredResponse response;
    int64_t completed_ns = 0;
    // For an accepted bet the response is rendered again from the bet
    // (deterministically, so byte for byte the same) instead of being kept:
    // it saves ~350 bytes per open bet. 0 otherwise.
    uint64_t bet_id = 0;
  };

  // Looks up key; on kNew, records a pending entry with fp.
  Lookup begin(const std::string& key, const Fingerprint& fp, int64_t now_ns, const Entry** out);
  // Stores the final response for a key (pending or absent: replay path).
  void complete(const std::string& key, const Fingerprint& fp, StoredResponse r, int64_t now_ns,
                uint64_t bet_id = 0);
  // Forgets a pending key (the request failed before any decision).
  void abandon(const std::string& key);
  // Drops completed entries older than the TTL; returns how many.
  size_t expire(int64_t now_ns);
  size_t size() const { return entries_.size(); }

 private:
  int64_t ttl_ns_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::pair<int64_t, std::string>> completion_order_;
};

}  // namespace inplay
