// StorageWorld: the small book the storage-fault simulation plays on, the
// same at every start (as a Runtime builds its book from config before it
// replays): eight football events, each with a match-result market of three
// selections; event 4 is in play, so its bets wait out an in-play delay on
// the engine's clock. Ids: event e, market e*100+1, selections market*10+1..3.
// Also the engine config the runs use. Pure; any thread.
#pragma once
#include <array>
#include <cstdint>

#include "engine/engine_config.h"
#include "market/book.h"

namespace inplay::vopr {

inline constexpr int64_t kStartNs = 1'800'000'000'000'000'000;  // the simulated clock's start
inline constexpr std::array<uint64_t, 8> kEvents{1, 2, 3, 4, 5, 6, 7, 8};
inline constexpr uint64_t kInPlayEvent = 4;
inline uint64_t market_of(uint64_t event_id) { return event_id * 100 + 1; }
inline uint64_t selection_of(uint64_t market_id, int i) { return market_id * 10 + 1 + i; }  // i in 0..2

void build_world(Book& book);
EngineConfig world_engine_config();

}  // namespace inplay::vopr
