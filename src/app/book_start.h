// BookStart: when a book first started on its data dir — the anchor that
// fixture times written relative to the start (`kickoff_in: 20m`,
// `minute: 44`) are placed against.
//
// A fixture on the real clock must never name a fixed date: a week later
// every such match is long over and no price moves (issue 12). Relative
// times are placed once, at the book's first start, and the anchor is kept
// in <data_dir>/book-start, so a restart (a deploy, a crash) finds its
// matches where it left them; a fresh data dir starts a new day. On the
// simulated clock the anchor is sim_start (deterministic on purpose).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>

#include "app/config.h"

namespace inplay {

// The anchor kept in data_dir, if the book has started there before.
// Throws std::runtime_error when the file exists but does not hold one.
std::optional<int64_t> read_book_start_ms(const std::filesystem::path& data_dir);
// The kept anchor, or now_ms written as the new one (created atomically).
int64_t book_start_ms(const std::filesystem::path& data_dir, int64_t now_ms);
// Sets kickoff_ms of every event given relative to the start.
void place_fixtures(Config& c, int64_t start_ms);
// The anchor a book on this config places its fixtures against: sim_start
// on the simulated clock, else book_start_ms(c.data_dir, now_ms) (so the
// first start writes it).
int64_t fixture_anchor_ms(const Config& c, int64_t now_ms);
// The same without writing anything (inplay replay): nullopt when a
// real-clock book has never started on data_dir.
std::optional<int64_t> kept_fixture_anchor_ms(const Config& c, const std::filesystem::path& data_dir);

}  // namespace inplay
