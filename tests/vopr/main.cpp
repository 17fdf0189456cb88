// vopr: the storage-fault simulation's command line (storage_sim.h).
//   vopr --seeds 1000 [--first 1]   seeds first..first+N-1; prints a summary,
//                                   every failing seed with the command that
//                                   reproduces it; exit 1 if any failed
//   vopr --seed 1234 [-v]           one seed; -v narrates it step by step
// A seed is the whole run: the same seed, the same run, on any machine with
// this build.
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "storage_sim.h"
#include "telemetry/log.h"
#include "telemetry/trace.h"

namespace {

int usage() {
  std::fprintf(stderr, "usage: vopr --seeds N [--first S] | vopr --seed S [-v]\n");
  return 2;
}

bool number(const char* s, uint64_t& out) {
  try {
    size_t used = 0;
    out = std::stoull(s, &used);
    return used == std::string_view(s).size();
  } catch (...) {
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace inplay;
  uint64_t first = 1, count = 0, one = 0;
  bool single = false, verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "-v") {
      verbose = true;
    } else if (a == "--seed" && i + 1 < argc && number(argv[i + 1], one)) {
      single = true;
      ++i;
    } else if (a == "--seeds" && i + 1 < argc && number(argv[i + 1], count)) {
      ++i;
    } else if (a == "--first" && i + 1 < argc && number(argv[i + 1], first)) {
      ++i;
    } else {
      return usage();
    }
  }
  if (!single && count == 0) return usage();
  // The book's own log lines (a journal that cannot write says so) are part
  // of the narration only.
  if (!verbose) log::set_sink([](std::string_view) {});
  Tracer tracer(1000);

  if (single) {
    vopr::SeedReport r = vopr::run_seed(one, tracer, verbose);
    fmt::print("seed {}: {} ({} lives, {} records, {} answered, {} bets ({} settled, {} cancelled, {} cashed out), {} retries, {} rots refused, {} unacknowledged "
               "records lost; disk: {} writes, {} syncs, {} sync EIO, {} write EIO, {} ENOSPC, {} torn, {} power cuts, {} kills)\n",
               r.seed, r.ok ? "ok" : "FAILED", r.lives, r.records, r.answered, r.bets, r.bets_settled, r.bets_cancelled, r.bets_cashed_out, r.retries, r.rots_refused,
               r.lost_unacked, r.disk.writes, r.disk.syncs, r.disk.sync_eio, r.disk.write_eio, r.disk.enospc,
               r.disk.torn, r.disk.crashes, r.disk.kills);
    if (!r.ok) fmt::print("  {}\n", r.failure);
    return r.ok ? 0 : 1;
  }

  const auto t0 = std::chrono::steady_clock::now();
  vopr::SeedReport total;
  std::vector<vopr::SeedReport> failed;
  for (uint64_t s = first; s < first + count; ++s) {
    vopr::SeedReport r = vopr::run_seed(s, tracer, false);
    total.lives += r.lives;
    total.records += r.records;
    total.answered += r.answered;
    total.bets += r.bets;
    total.bets_settled += r.bets_settled;
    total.bets_cancelled += r.bets_cancelled;
    total.bets_cashed_out += r.bets_cashed_out;
    total.rots_refused += r.rots_refused;
    total.lost_unacked += r.lost_unacked;
    total.disk.sync_eio += r.disk.sync_eio;
    total.disk.write_eio += r.disk.write_eio;
    total.disk.enospc += r.disk.enospc;
    total.disk.torn += r.disk.torn;
    total.disk.crashes += r.disk.crashes;
    total.disk.kills += r.disk.kills;
    if (!r.ok) {
      fmt::print("seed {} FAILED: {}\n  reproduce: {} --seed {} -v\n", s, r.failure, argv[0], s);
      std::fflush(stdout);
      failed.push_back(std::move(r));
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // A seed must replay the same run, or a failure could not be reproduced:
  // run the first one again and compare.
  bool deterministic = true;
  {
    vopr::SeedReport a = vopr::run_seed(first, tracer, false), b = vopr::run_seed(first, tracer, false);
    deterministic = a.ok == b.ok && a.state_hash == b.state_hash && a.records == b.records &&
                    a.answered == b.answered && a.disk.writes == b.disk.writes && a.failure == b.failure;
    if (!deterministic) fmt::print("seed {} ran differently twice: the simulation is not deterministic\n", first);
  }
  fmt::print("{} seeds ({}..{}), {} failed, {:.1f} s, {:.0f} seeds/s: {} lives, {} records, {} answered, "
             "{} bets ({} settled, {} cancelled, {} cashed out), {} rots refused, {} unacknowledged records lost, {} sync EIO, {} write EIO, {} ENOSPC, {} torn "
             "writes, {} power cuts, {} kills\n",
             count, first, first + count - 1, failed.size(), secs, count / secs, total.lives, total.records,
             total.answered, total.bets, total.bets_settled, total.bets_cancelled, total.bets_cashed_out, total.rots_refused, total.lost_unacked, total.disk.sync_eio, total.disk.write_eio,
             total.disk.enospc, total.disk.torn, total.disk.crashes, total.disk.kills);
  return failed.empty() && deterministic ? 0 : 1;
}
