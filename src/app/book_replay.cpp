#include "app/book_replay.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "app/book_start.h"
#include "app/runtime.h"
#include "core/time_format.h"
#include "journal/events.h"
#include "journal/journal.h"

namespace inplay {

std::optional<ReplayStop> parse_replay_stop(std::string_view s) {
  ReplayStop stop;
  if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    uint64_t seq = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seq);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    stop.seq = seq;
    return stop;
  }
  int64_t ns = 0;
  if (!parse_rfc3339_ns(s, ns)) return std::nullopt;
  stop.time_ns = ns;
  return stop;
}

namespace {

// Stops JournalReader::read_from at the first record past the stop.
struct Past {};

}  // namespace

ReplayedBook replay_book(Config cfg, const std::filesystem::path& data_dir, const ReplayStop& stop) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec))
    throw ReplayError(fmt::format("{}: no such data directory", data_dir.string()));
  const std::filesystem::path journal_dir = data_dir / "journal";
  if (!std::filesystem::is_directory(journal_dir, ec))
    throw ReplayError(fmt::format("{}: no journal directory in the data dir", journal_dir.string()));

  // The book a Runtime starts from (app/runtime.cpp), without writing the
  // anchor a first start would.
  const bool relative = std::any_of(cfg.events.begin(), cfg.events.end(),
                                    [](const EventConfig& e) { return e.kickoff_in_ms.has_value(); });
  std::optional<int64_t> anchor = kept_fixture_anchor_ms(cfg, data_dir);
  if (relative && !anchor)
    throw ReplayError(fmt::format("{}: no book-start file: a book on this config never started there",
                                  data_dir.string()));
  if (anchor) place_fixtures(cfg, *anchor);
  ReplayedBook out;
  out.state = std::make_unique<BookState>(cfg.engine.currency, cfg.engine.idempotency_ttl.count());
  out.state->reserve_bets(cfg.engine.reserve_bets);
  build_book(cfg, out.state->book);

  JournalReader reader(journal_dir);
  try {
    out.last_seq = reader.read_from(0, [&](const JournalRecord& rec) {
      if (stop.seq && rec.seq > *stop.seq) {
        throw Past{};
      }
      BookEvent e;
      try {
        e = decode_event(rec.type, rec.payload);
      } catch (const std::exception& x) {
        throw std::runtime_error(fmt::format("journal record seq {} cannot be read: {}", rec.seq, x.what()));
      }
      const int64_t t = event_time_ns(e);
      if (stop.time_ns && t > *stop.time_ns) {
        throw Past{};
      }
      try {
        out.state->apply(e);
      } catch (const std::exception& x) {
        throw std::runtime_error(fmt::format("journal record seq {} cannot be applied: {}", rec.seq, x.what()));
      }
      out.seq = rec.seq;
      out.at_ns = std::max(out.at_ns, t);
    });
  } catch (const Past&) {
    // The journal goes on past the stop: how far, for the report.
    JournalReader rest(journal_dir);
    out.last_seq = rest.read_from(out.seq, [](const JournalRecord&) {});
  }
  if (stop.seq && *stop.seq > out.last_seq)
    throw ReplayError(fmt::format("seq {} is past the journal's end (its last record is seq {})", *stop.seq,
                                  out.last_seq));
  return out;
}

}  // namespace inplay
