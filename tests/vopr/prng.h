// Prng: the one source of chance in the storage-fault simulation. Every
// choice a seed makes (the workload, the faults, the crash points) is drawn
// from it, in program order, so the same seed replays the same run.
// std::mt19937_64's output is fixed by the standard; the standard's
// distributions are not, so the draws below are written out. One thread.
#pragma once
#include <cstdint>
#include <random>

namespace inplay::vopr {

class Prng {
 public:
  explicit Prng(uint64_t seed) : gen_(seed) {}
  uint64_t next() { return gen_(); }
  // Uniform in [0, n) (n > 0; the modulo bias is irrelevant at these sizes).
  uint64_t below(uint64_t n) { return gen_() % n; }
  // Uniform in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1))); }
  // True with probability per_mille / 1000.
  bool chance(uint32_t per_mille) { return below(1000) < per_mille; }

 private:
  std::mt19937_64 gen_;
};

}  // namespace inplay::vopr
