#include "app/book_start.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/small_file.h"
#include "core/time_format.h"

namespace inplay {

namespace {
std::filesystem::path anchor_file(const std::filesystem::path& data_dir) { return data_dir / "book-start"; }
}  // namespace

std::optional<int64_t> read_book_start_ms(const std::filesystem::path& data_dir) {
  std::optional<std::string> text = read_small_file(anchor_file(data_dir));
  if (!text) return std::nullopt;
  std::string s = *text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  int64_t ns = 0;
  if (!parse_rfc3339_ns(s, ns))
    throw std::runtime_error(fmt::format("{}: must hold the book's first start as an RFC 3339 time, not '{}'",
                                         anchor_file(data_dir).string(), s));
  return ns / 1000000;
}

int64_t book_start_ms(const std::filesystem::path& data_dir, int64_t now_ms) {
  if (std::optional<int64_t> kept = read_book_start_ms(data_dir)) return *kept;
  std::filesystem::create_directories(data_dir);
  write_small_file(anchor_file(data_dir), rfc3339_ms(now_ms * 1000000) + "\n");
  return now_ms;
}

void place_fixtures(Config& c, int64_t start_ms) {
  for (EventConfig& e : c.events)
    if (e.kickoff_in_ms) e.kickoff_ms = start_ms + *e.kickoff_in_ms;
}

int64_t fixture_anchor_ms(const Config& c, int64_t now_ms) {
  return c.sim_clock ? c.sim_start_ms : book_start_ms(c.data_dir, now_ms);
}

std::optional<int64_t> kept_fixture_anchor_ms(const Config& c, const std::filesystem::path& data_dir) {
  if (c.sim_clock) return c.sim_start_ms;
  return read_book_start_ms(data_dir);
}

}  // namespace inplay
