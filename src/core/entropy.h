// entropy64: 64 bits drawn from the system's entropy (std::random_device),
// for what must differ from process to process and no client may guess: the
// hash keys of tables whose keys clients choose, id generators' seeds, a
// load run's id. Not for anything that must replay the same (the book's
// decisions take their randomness from the configured seed).
#pragma once
#include <cstdint>
#include <random>

namespace inplay {

inline uint64_t entropy64() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}

}  // namespace inplay
