// StorageSim: one seed of the storage-fault simulation (issue 18, item 4).
//
// The real engine, desks and FileJournal run on a SimDisk (sim_disk.h), in
// one thread, stepped by the seed: the engine by Engine::step(), the journal
// by Journal::pump() (each pump one group commit), timers by advancing the
// simulated clock. A random workload — deposits, withdrawals, bets (pre-match
// and in play), cash-outs, prices, results (repeated, and now and then
// corrected), cancels and their rollbacks, suspensions and re-settlement by
// an operator, clients sending commands again
// under their keys — runs while the disk fails writes and fsyncs, fills up
// and gets space back; the process is killed or the power cut at a random
// disk operation or step (start-up included); between lives a bit may rot
// in a synced record. Several lives per seed. See docs/durability.md.
//
// After every restart it checks the promises:
//  - the journal opens, or refuses with the segment and offset of the record
//    a bit rotted in (and nothing else: no refusal without a rot, no rot
//    accepted); the rot is then repaired, as from a replica, and the run
//    goes on;
//  - every record the journal reported durable is back, byte for byte; the
//    records past it are ones that were appended under their seqs (by this
//    attempt or an abandoned one: recording_journal.h), never other bytes;
//  - every answered command's decision is there, under its key, once: an
//    answer is given only after its record was durable, a repeat answers the
//    first decision and decides nothing again;
//  - the engine's replayed state hash equals the oracle's replay of the same
//    records (and the live state's before the crash when nothing was lost);
//  - the ledger sums to 0 and each user's money is what their deposits,
//    withdrawals, stakes, returns, refunds and cash-outs say (no bet paid
//    or reserved twice).
// The first broken promise ends the seed with a description. Deterministic:
// the same seed runs the same way. One thread (plus the tracer's drain).
#pragma once
#include <cstdint>
#include <string>

#include "sim_disk.h"

namespace inplay {
class Tracer;
}

namespace inplay::vopr {

struct SeedReport {
  uint64_t seed = 0;
  bool ok = true;
  std::string failure;  // the first broken promise (when !ok)
  uint64_t lives = 0;
  uint64_t records = 0;       // journal records at the end
  uint64_t answered = 0;      // commands answered with a decision
  uint64_t bets = 0, bets_settled = 0, bets_cancelled = 0, bets_cashed_out = 0;  // at the last restart
  std::string state_hash;               // the book's at the last restart
  uint64_t retries = 0;       // commands sent again under their key
  uint64_t rots_refused = 0;  // bit flips refused at open with their offset
  uint64_t lost_unacked = 0;  // records appended, never acknowledged, gone at a crash
  uint64_t resurrected = 0;   // restarts that found an abandoned attempt's records
  DiskCounts disk;
};

// verbose: each step and check on stderr (and the book's log lines).
SeedReport run_seed(uint64_t seed, Tracer& tracer, bool verbose);

}  // namespace inplay::vopr
