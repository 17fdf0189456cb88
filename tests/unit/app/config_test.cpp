// Config (src/app/config.h): a minimal valid config and its defaults, a full
// one, and every kind of error as "file.yaml:<line>: <path>: <reason>" with
// the line of the offending key.
#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "app/book_start.h"
#include "core/small_file.h"

namespace inplay {
namespace {

using namespace std::chrono_literals;

const std::string kHash(64, 'a');

const std::string kMinimal =
    "auth:\n"
    "  tokens:\n"
    "    - {name: web, role: channel, sha256: " + kHash + "}\n"
    "telemetry:\n"
    "  pseudonym_secret: 0123456789abcdef\n"
    "audit:\n"
    "  chain_secret: chain-secret-0123456789abcdef-0123\n";

const std::string kFull =
    "listen:\n"
    "  address: 127.0.0.2\n"
    "  port: 9090\n"
    "  io_threads: 2\n"
    "  body_limit: 4096\n"
    "data_dir: /tmp/book\n"
    "clock: sim\n"
    "sim_start: \"2026-11-28T15:00:00Z\"\n"
    "journal:\n"
    "  fsync: none\n"
    "  segment_mb: 8\n"
    "book:\n"
    "  currency: EUR\n"
    "  limits:\n"
    "    min_stake: 20\n"
    "    max_stake: 100000\n"
    "    max_account_market: 200000\n"
    "    max_market_liability: 50000000\n"
    "  inplay_delay_ms:\n"
    "    football: 4000\n"
    "    tennis: 0\n"
    "  price_confirm_timeout_ms: 1500\n"
    "  queue_capacity: 128\n"
    "  idempotency_ttl_s: 600\n"
    "  reserve_bets: 5000\n"
    "  staleness_ms:\n"
    "    default: 2500\n"
    "    leagues:\n"
    "      EPL: 1200\n"
    "prices:\n"
    "  refresh_ms: 0\n"
    "  jitter: 0.25\n"
    "  seed: 7\n"
    "auth:\n"
    "  tokens:\n"
    "    - {name: web, role: channel, sha256: " + kHash + "}\n"
    "    - {name: trader, role: operator, sha256: " + std::string(64, 'b') + "}\n"
    "telemetry:\n"
    "  pseudonym_secret: 0123456789abcdef\n"
    "  max_spans: 5000\n"
    "audit:\n"
    "  chain_secret: chain-secret-0123456789abcdef-0123\n"
    "events:\n"
    "  - id: 1\n"
    "    league: EPL\n"
    "    home: Arsenal\n"
    "    away: Chelsea\n"
    "    kickoff: \"2026-11-28T14:30:00Z\"\n"
    "    state: in_play\n"
    "    markets:\n"
    "      - id: 101\n"
    "        type: match_result\n"
    "        selections:\n"
    "          - {id: 1011, name: home, odds: \"2.10\"}\n"
    "          - {id: 1012, name: draw, odds: \"3.40\"}\n"
    "          - {id: 1013, name: away, odds: \"3.60\"}\n"
    "      - id: 102\n"
    "        type: total_goals\n"
    "        line: 3.5\n"
    "        selections:\n"
    "          - {id: 1021, name: over, odds: \"2.5\"}\n"
    "          - {id: 1022, name: under, odds: \"1.5\"}\n"
    "  - id: 2\n"
    "    sport: tennis\n"
    "    league: ATP\n"
    "    home: A\n"
    "    away: B\n"
    "    kickoff: \"2026-11-28T17:30:00.250Z\"\n"
    "    markets:\n"
    "      - id: 201\n"
    "        type: btts\n"
    "        selections:\n"
    "          - {id: 2011, name: \"yes\", odds: \"1.70\"}\n"
    "accounts:\n"
    "  - {id: alice, deposit: 100000}\n"
    "  - {id: bob}\n";

// The 1-based line of the first line of text that contains needle.
int line_of(const std::string& text, const std::string& needle) {
  size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  if (at == std::string::npos) return -1;
  int line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n';
  return line;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "book.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "config loaded:\n" << text;
  return "";
}

// The error starts with "book.yaml:<line of `at`>: <path_reason>".
void expect_error(const std::string& text, const std::string& at, const std::string& path_reason) {
  std::string want = "book.yaml:" + std::to_string(line_of(text, at)) + ": " + path_reason;
  std::string got = error_of(text);
  EXPECT_EQ(got.rfind(want, 0), 0u) << "got:    " << got << "\nwanted: " << want << "...";
}

TEST(Config, MinimalConfigGetsTheDefaults) {
  Config c = parse_config(kMinimal, "book.yaml");
  EXPECT_EQ(c.address, "127.0.0.1");
  EXPECT_EQ(c.port, 8080);
  EXPECT_EQ(c.io_threads, 1);
  EXPECT_FALSE(c.sim_clock);
  EXPECT_EQ(c.fsync, FsyncPolicy::kGroup);
  EXPECT_EQ(c.segment_bytes, 64ull << 20);
  EXPECT_EQ(c.engine.currency, Currency::of("GBP"));
  EXPECT_EQ(c.engine.limits.max_stake_minor, RiskLimits{}.max_stake_minor);
  ASSERT_EQ(c.engine.inplay_delay.count("football"), 1u);
  EXPECT_EQ(c.engine.inplay_delay.at("football"), 5s);
  EXPECT_EQ(c.engine.price_confirm_timeout, 2s);
  EXPECT_EQ(c.engine.queue_capacity, 65536u);
  EXPECT_EQ(c.engine.idempotency_ttl, 24h);
  EXPECT_EQ(c.engine.reserve_bets, EngineConfig::kDefaultReserveBets);
  EXPECT_EQ(EngineConfig::kDefaultReserveBets, size_t{1} << 20);
  EXPECT_EQ(c.default_staleness, 3s);
  EXPECT_EQ(c.league_staleness.at("EPL"), 1500ms);
  ASSERT_EQ(c.tokens.size(), 1u);
  EXPECT_EQ(c.tokens[0].name, "web");
  EXPECT_EQ(c.tokens[0].role, Role::kChannel);
  EXPECT_EQ(c.tokens[0].sha256, kHash);
  EXPECT_EQ(c.pseudonym_secret, "0123456789abcdef");
  EXPECT_EQ(c.audit_chain_secret, "chain-secret-0123456789abcdef-0123");
  EXPECT_TRUE(c.events.empty());
  EXPECT_TRUE(c.accounts.empty());
  EXPECT_EQ(c.sim_refresh_ms, 200);
}

TEST(Config, SimRefreshMs) {
  EXPECT_EQ(parse_config(std::string(kMinimal) + "sim_refresh_ms: 100\n", "book.yaml").sim_refresh_ms, 100);
  expect_error(std::string(kMinimal) + "sim_refresh_ms: 5\n", "sim_refresh_ms: 5", "sim_refresh_ms: must be between");
}

TEST(Config, FullConfigIsReadExactly) {
  Config c = parse_config(kFull, "book.yaml");
  EXPECT_EQ(c.address, "127.0.0.2");
  EXPECT_EQ(c.port, 9090);
  EXPECT_EQ(c.io_threads, 2);
  EXPECT_EQ(c.body_limit, 4096u);
  EXPECT_EQ(c.data_dir, "/tmp/book");
  EXPECT_TRUE(c.sim_clock);
  EXPECT_EQ(c.sim_start_ms, 1795878000000);  // 2026-11-28T15:00:00Z
  EXPECT_EQ(c.fsync, FsyncPolicy::kNone);
  EXPECT_EQ(c.segment_bytes, 8ull << 20);
  EXPECT_EQ(c.engine.currency, Currency::of("EUR"));
  EXPECT_EQ(c.engine.limits.min_stake_minor, 20);
  EXPECT_EQ(c.engine.limits.max_stake_minor, 100000);
  EXPECT_EQ(c.engine.limits.max_account_market_minor, 200000);
  EXPECT_EQ(c.engine.limits.max_market_liability_minor, 50000000);
  EXPECT_EQ(c.engine.inplay_delay.at("football"), 4s);
  EXPECT_EQ(c.engine.inplay_delay.at("tennis"), 0s);
  EXPECT_EQ(c.engine.price_confirm_timeout, 1500ms);
  EXPECT_EQ(c.engine.queue_capacity, 128u);
  EXPECT_EQ(c.engine.idempotency_ttl, 600s);
  EXPECT_EQ(c.engine.reserve_bets, 5000u);
  EXPECT_EQ(c.default_staleness, 2500ms);
  EXPECT_EQ(c.league_staleness.size(), 1u);
  EXPECT_EQ(c.league_staleness.at("EPL"), 1200ms);
  EXPECT_EQ(c.price_refresh_ms, 0);
  EXPECT_DOUBLE_EQ(c.price_jitter, 0.25);
  EXPECT_EQ(c.seed, 7u);
  ASSERT_EQ(c.tokens.size(), 2u);
  EXPECT_EQ(c.tokens[1].role, Role::kOperator);
  EXPECT_EQ(c.max_spans, 5000u);

  ASSERT_EQ(c.events.size(), 2u);
  const EventConfig& e = c.events[0];
  EXPECT_EQ(e.id, 1u);
  EXPECT_EQ(e.sport, "football");  // the default sport
  EXPECT_EQ(e.league, "EPL");
  EXPECT_EQ(e.home, "Arsenal");
  EXPECT_EQ(e.kickoff_ms, 1795876200000);  // 14:30Z
  EXPECT_EQ(e.state, EventState::kInPlay);
  ASSERT_EQ(e.markets.size(), 2u);
  EXPECT_EQ(e.markets[0].type, MarketType::kMatchResult);
  ASSERT_EQ(e.markets[0].selections.size(), 3u);
  EXPECT_EQ(e.markets[0].selections[1].id, 1012u);
  EXPECT_EQ(e.markets[0].selections[1].name, "draw");
  EXPECT_EQ(e.markets[0].selections[1].odds.scaled, 34000);
  EXPECT_EQ(e.markets[1].type, MarketType::kTotalGoals);
  EXPECT_EQ(e.markets[1].line_quarters, 14);
  EXPECT_EQ(c.events[1].sport, "tennis");
  EXPECT_EQ(c.events[1].state, EventState::kPreMatch);
  EXPECT_EQ(c.events[1].kickoff_ms, 1795887000250);  // 17:30:00.250Z
  EXPECT_EQ(c.events[1].markets[0].type, MarketType::kBothTeamsToScore);
  ASSERT_EQ(c.accounts.size(), 2u);
  EXPECT_EQ(c.accounts[0].id, "alice");
  EXPECT_EQ(c.accounts[0].deposit, 100000);
  EXPECT_EQ(c.accounts[1].deposit, 0);
}

TEST(Config, FractionalSecondsAreMilliseconds) {
  auto kickoff = [](const std::string& t) {
    return parse_config(replaced(kFull, "17:30:00.250Z", t), "book.yaml").events[1].kickoff_ms;
  };
  const int64_t base = 1795887000000;
  EXPECT_EQ(kickoff("17:30:00Z"), base);
  EXPECT_EQ(kickoff("17:30:00.250Z"), base + 250);
  EXPECT_EQ(kickoff("17:30:00.25Z"), base + 250);  // .25 s is 250 ms, not 25
  EXPECT_EQ(kickoff("17:30:00.5Z"), base + 500);
  EXPECT_EQ(kickoff("17:30:00.007Z"), base + 7);
  EXPECT_EQ(kickoff("17:30:00.123456Z"), base + 123);  // finer digits are dropped
}

TEST(Config, WrongTypesAndRangesNameFileLineAndPath) {
  expect_error(replaced(kFull, "port: 9090", "port: http"), "port: http", "listen.port: must be an integer");
  expect_error(replaced(kFull, "port: 9090", "port: 70000"), "port: 70000",
               "listen.port: must be between 0 and 65535");
  expect_error(replaced(kFull, "io_threads: 2", "io_threads: 0"), "io_threads", "listen.io_threads: must be between");
  expect_error(replaced(kFull, "clock: sim", "clock: wall"), "clock: wall", "clock: must be real or sim");
  expect_error(replaced(kFull, "fsync: none", "fsync: sometimes"), "fsync:", "journal.fsync: must be group or none");
  expect_error(replaced(kFull, "currency: EUR", "currency: euro"), "currency: euro",
               "book.currency: must be a 3-letter ISO 4217 code");
  expect_error(replaced(kFull, "max_stake: 100000", "max_stake: -1"), "max_stake: -1",
               "book.limits.max_stake: must be between");
  expect_error(replaced(kFull, "max_stake: 100000", "max_stake: 1.5"), "max_stake: 1.5",
               "book.limits.max_stake: must be an integer");
  expect_error(replaced(kFull, "football: 4000", "football: soon"), "football: soon",
               "book.inplay_delay_ms.football: must be an integer");
  expect_error(replaced(kFull, "EPL: 1200", "EPL: -1"), "EPL: -1",
               "book.staleness_ms.leagues.EPL: must be between");
  expect_error(replaced(kFull, "jitter: 0.25", "jitter: 2"), "jitter: 2", "prices.jitter: must be between");
  expect_error(replaced(kFull, "jitter: 0.25", "jitter: lots"), "jitter: lots", "prices.jitter: must be a number");
  expect_error(replaced(kFull,
                        "  limits:\n    min_stake: 20\n    max_stake: 100000\n"
                        "    max_account_market: 200000\n    max_market_liability: 50000000\n",
                        "  limits: 5\n"),
               "limits: 5", "book.limits: must be a mapping");
  expect_error(replaced(kMinimal, "0123456789abcdef\n", "short\n"), "short",
               "telemetry.pseudonym_secret: must be at least 16 characters");
  expect_error(replaced(kMinimal, "chain-secret-0123456789abcdef-0123", "chain-secret-short"), "chain-secret-short",
               "audit.chain_secret: must be at least 32 characters");
  expect_error(replaced(kMinimal, "pseudonym_secret: 0123456789abcdef\n",
                        "pseudonym_secret: chain-secret-0123456789abcdef-0123\n"),
               "chain_secret:", "audit.chain_secret: must differ from telemetry.pseudonym_secret");
  expect_error(replaced(kFull, "sim_start: \"2026-11-28T15:00:00Z\"", "sim_start: tomorrow"), "sim_start",
               "sim_start: must be an RFC 3339 UTC time");
}

TEST(Config, EventMarketSelectionErrorsNameTheirPath) {
  expect_error(replaced(kFull, "odds: \"3.40\"", "odds: \"0.5\""), "odds: \"0.5\"",
               "events[0].markets[0].selections[1].odds: must be decimal odds");
  expect_error(replaced(kFull, "type: btts", "type: handicap"), "type: handicap",
               "events[1].markets[0].type: must be match_result, total_goals, btts, asian_handicap, double_chance, "
               "draw_no_bet or correct_score");
  expect_error(replaced(kFull, "line: 3.5", "line: 3.3"), "line: 3.3",
               "events[0].markets[1].line: must be a multiple of 0.25");
  expect_error(replaced(kFull, "line: 3.5", "line: -1"), "line: -1",
               "events[0].markets[1].line: a total goals line must be above 0");
  expect_error(replaced(kFull, "state: in_play", "state: paused"), "state: paused",
               "events[0].state: must be pre_match, in_play or ended");
  expect_error(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "kickoff: \"2026-11-28 14:30\""),
               "kickoff: \"2026-11-28 14:30\"", "events[0].kickoff: must be an RFC 3339 UTC time");
  expect_error(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "kickoff: \"2026-11-28T14:30:00+01:00\""),
               "+01:00", "events[0].kickoff: must end in Z");
  expect_error(replaced(kFull, "  - id: 2\n", "  - id: 0\n"), "id: 0", "events[1].id: must be between");
  expect_error(replaced(kFull, "{id: bob}", "{id: bob, deposit: -5}"), "deposit: -5",
               "accounts[1].deposit: must be between");
  expect_error(replaced(kFull, "role: operator", "role: king"), "role: king",
               "auth.tokens[1].role: must be channel, operator, synthetic or support");
  expect_error(replaced(kMinimal, kHash, "ABC"), "ABC", "auth.tokens[0].sha256: must be 64 lower-case hex");
  expect_error(replaced(kFull, "events:\n  - id: 1\n", "events: 5\nx:\n  - id: 1\n"), "events: 5",
               "events: must be a list");
  expect_error(kMinimal + "events:\n  - 5\n", "  - 5", "events[0]: must be a mapping");
}

// Fixtures on the real clock give their kick-off relative to the book's
// start: kickoff_in (either way) or minute (in play that long).
TEST(Config, RelativeKickoffs) {
  auto first = [](const std::string& with) {
    return parse_config(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", with), "book.yaml").events[0];
  };
  EventConfig e = first("kickoff_in: 20m");
  ASSERT_TRUE(e.kickoff_in_ms.has_value());
  EXPECT_EQ(*e.kickoff_in_ms, 20 * 60000);
  EXPECT_EQ(*first("kickoff_in: -30m").kickoff_in_ms, -30 * 60000);
  EXPECT_EQ(*first("kickoff_in: 2h").kickoff_in_ms, 2 * 3600000);
  EventConfig m = parse_config(replaced(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "minute: 44"),
                                        "    state: in_play\n", ""),
                               "book.yaml").events[0];
  EXPECT_EQ(*m.kickoff_in_ms, -44 * 60000);
  EXPECT_EQ(m.state, EventState::kInPlay);  // a minute means the match is on
  EXPECT_FALSE(first("kickoff: \"2026-11-28T14:30:00Z\"").kickoff_in_ms.has_value());

  Config c = parse_config(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "kickoff_in: -30m"), "book.yaml");
  const int64_t fixed = c.events[1].kickoff_ms;
  place_fixtures(c, 1'000'000'000'000);
  EXPECT_EQ(c.events[0].kickoff_ms, 1'000'000'000'000 - 30 * 60000);
  EXPECT_EQ(c.events[1].kickoff_ms, fixed);  // an absolute kick-off stays where it is

  expect_error(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "kickoff_in: soon"), "kickoff_in: soon",
               "events[0].kickoff_in: must be a duration from the book's start");
  expect_error(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "kickoff_in: 31d"), "kickoff_in: 31d",
               "events[0].kickoff_in: must be a duration");
  expect_error(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "minute: 200"), "minute: 200",
               "events[0].minute: must be between 0 and 120");
  expect_error(replaced(kFull, "kickoff: \"2026-11-28T14:30:00Z\"", "kickoff: \"2026-11-28T14:30:00Z\"\n    minute: 3"),
               "minute: 3", "events[0].minute: give exactly one of kickoff");
  expect_error(replaced(kFull, "    kickoff: \"2026-11-28T14:30:00Z\"\n", ""), "  - id: 1",
               "events[0].id: give exactly one of kickoff");
}

// The anchor is the book's first start on its data dir, kept there: a
// restart places the same fixtures at the same times.
TEST(BookStart, FirstStartIsKeptInTheDataDir) {
  auto dir = std::filesystem::temp_directory_path() / ("inplay-book-start-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  EXPECT_FALSE(read_book_start_ms(dir).has_value());
  EXPECT_EQ(book_start_ms(dir, 1'800'000'000'123), 1'800'000'000'123);
  EXPECT_EQ(book_start_ms(dir, 1'900'000'000'000), 1'800'000'000'123);  // a restart later: the same anchor
  EXPECT_EQ(read_book_start_ms(dir).value(), 1'800'000'000'123);
  write_small_file(dir / "book-start", "yesterday\n");
  EXPECT_THROW(read_book_start_ms(dir), std::runtime_error);
  std::filesystem::remove_all(dir);
}

TEST(Config, MissingRequiredKeysNameTheMapping) {
  // A required key that is absent: the line of the mapping that lacks it.
  std::string no_league = replaced(kFull, "    league: ATP\n", "");
  expect_error(no_league, "  - id: 2", "events[1]: missing required key 'league'");
  std::string no_name = replaced(kFull, "{id: 1012, name: draw, odds: \"3.40\"}", "{id: 1012, odds: \"3.40\"}");
  expect_error(no_name, "{id: 1012", "events[0].markets[0].selections[1]: missing required key 'name'");
  std::string no_selections = replaced(kFull,
                                       "        selections:\n"
                                       "          - {id: 2011, name: \"yes\", odds: \"1.70\"}\n",
                                       "");
  expect_error(no_selections, "id: 201", "events[1].markets[0]: a market needs selections");
  // A required section that is absent altogether: the line of its parent.
  std::string no_telemetry = "# a comment\n" + replaced(kMinimal, "telemetry:\n  pseudonym_secret: 0123456789abcdef\n", "");
  expect_error(no_telemetry, "auth:", "telemetry: missing required key 'pseudonym_secret'");
  std::string no_audit =
      "# a comment\n" + replaced(kMinimal, "audit:\n  chain_secret: chain-secret-0123456789abcdef-0123\n", "");
  expect_error(no_audit, "auth:", "audit: missing required key 'chain_secret'");
}

TEST(Config, UnknownKeysAreRejectedWithTheirLine) {
  expect_error(replaced(kFull, "data_dir:", "colour: blue\ndata_dir:"), "colour:", "colour: unknown key");
  expect_error(replaced(kFull, "    min_stake: 20\n", "    min_stake: 20\n    max_bet: 5\n"), "max_bet",
               "book.limits.max_bet: unknown key");
  expect_error(replaced(kFull, "{id: 1011, name: home, odds: \"2.10\"}", "{id: 1011, name: home, odds: \"2.10\", colour: red}"),
               "colour: red", "events[0].markets[0].selections[0].colour: unknown key");
  expect_error(replaced(kFull, "        line: 3.5\n", "        line: 3.5\n        handicap: 1\n"), "handicap",
               "events[0].markets[1].handicap: unknown key");
  expect_error(replaced(kFull, "  seed: 7\n", "  seed: 7\n  feed: primary\n"), "feed: primary",
               "prices.feed: unknown key");
  // The misspelt key, not some other line.
  expect_error(replaced(kFull, "  max_spans: 5000\n", "  max_span: 5000\n"), "max_span:",
               "telemetry.max_span: unknown key");
}

TEST(Config, DuplicateIdsAcrossEventsMarketsAndSelectionsAreRejected) {
  struct Case {
    std::string from, to, at, path;
  };
  const Case cases[] = {
      // a second event with the first one's id
      {"  - id: 2\n", "  - id: 1\n", "  - id: 1\n    sport", "events[1].id"},
      // a market with an event's id
      {"      - id: 201\n", "      - id: 2\n", "      - id: 2\n", "events[1].markets[0].id"},
      // a selection with a market's id
      {"{id: 1022,", "{id: 102,", "{id: 102,", "events[0].markets[1].selections[1].id"},
      // two selections in different events
      {"{id: 2011,", "{id: 1011,", "{id: 1011, name: \"yes\"", "events[1].markets[0].selections[0].id"},
      // a market reusing a selection id
      {"      - id: 102\n", "      - id: 1013\n", "      - id: 1013\n", "events[0].markets[1].id"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    std::string text = replaced(kFull, c.from, c.to);
    std::string got = error_of(text);
    std::string want = "book.yaml:" + std::to_string(line_of(text, c.at)) + ": " + c.path + ": ";
    EXPECT_EQ(got.rfind(want, 0), 0u) << "got:    " << got << "\nwanted: " << want << "...";
    EXPECT_NE(got.find("used twice"), std::string::npos) << got;
  }
}

TEST(Config, ValidateChecksConfigsBuiltInCode) {
  Config c = parse_config(kFull, "book.yaml");
  EXPECT_NO_THROW(validate(c, "demo"));
  Config dup = c;
  dup.events[1].markets[0].selections[0].id = 101;  // a market's id
  try {
    validate(dup, "demo");
    FAIL() << "duplicate id accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("101 is used twice"), std::string::npos) << e.what();
  }
  Config no_tokens = c;
  no_tokens.tokens.clear();
  EXPECT_THROW(validate(no_tokens, "demo"), ConfigError);
}

TEST(Config, TokenRules) {
  std::string two = replaced(kFull, "name: trader", "name: web");
  expect_error(two, "name: web, role: operator", "auth.tokens[1].name: 'web' is used twice");
  std::string none = replaced(kMinimal, "    - {name: web, role: channel, sha256: " + kHash + "}\n", "");
  none = replaced(none, "  tokens:\n", "  tokens: []\n");
  expect_error(none, "tokens: []", "auth.tokens: at least one token is required");
}

TEST(Config, SyntaxErrorsAndNonMappings) {
  std::string got = error_of("listen:\n  port: 0\n  address: [oops\n");
  EXPECT_EQ(got.rfind("book.yaml:", 0), 0u) << got;
  EXPECT_EQ(error_of("- a\n- b\n"), "book.yaml:1: the file must be a YAML mapping");
  EXPECT_EQ(error_of(""), "book.yaml:1: the file must be a YAML mapping");
}

TEST(Config, LoadConfigReportsAMissingFile) {
  try {
    load_config("/nonexistent/dir/book.yaml");
    FAIL() << "loaded a missing file";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/book.yaml: cannot open"), std::string::npos) << e.what();
  }
}

TEST(Config, ShippedExampleLoads) {
  Config c = load_config(std::string(INPLAY_SOURCE_DIR) + "/config/example.yaml");
  EXPECT_FALSE(c.tokens.empty());
  EXPECT_FALSE(c.events.empty());
  EXPECT_EQ(c.engine.admission.default_deadline, std::chrono::milliseconds(1000));
  EXPECT_EQ(c.engine.admission.queue_delay_target, std::chrono::milliseconds(5));
  EXPECT_EQ(c.engine.admission.queue_delay_interval, std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace inplay

namespace inplay {
namespace {

// SEC-1: a token acts for its channel (default: its name); seeded accounts
// go to their own channel, else the first channel token's, else "config".
TEST(Config, TokensActForAChannelAndSeededAccountsHaveOne) {
  const std::string two = "    - {name: web, role: channel, sha256: " + kHash + "}\n";
  Config c = parse_config(
      replaced(kMinimal, two,
               "    - {name: trader, role: operator, sha256: " + std::string(64, 'b') + "}\n" + two +
                   "    - {name: web-2, role: channel, channel: web, sha256: " + std::string(64, 'c') + "}\n") +
          "accounts:\n  - {id: alice}\n  - {id: carol, channel: app}\n",
      "book.yaml");
  ASSERT_EQ(c.tokens.size(), 3u);
  EXPECT_EQ(c.tokens[0].channel_name(), "trader");
  EXPECT_EQ(c.tokens[1].channel_name(), "web");
  EXPECT_EQ(c.tokens[2].channel_name(), "web");
  EXPECT_EQ(seed_channel(c, c.accounts[0]), "web");  // the first channel token's
  EXPECT_EQ(seed_channel(c, c.accounts[1]), "app");
  c.tokens.erase(c.tokens.begin() + 1, c.tokens.end());
  EXPECT_EQ(seed_channel(c, c.accounts[0]), "config");  // no channel token: operators only

  expect_error(replaced(kMinimal, "role: channel,", "role: channel, channel: \"a b\","), "channel: \"a b\"",
               "auth.tokens[0].channel: must match");
}

TEST(Config, SupportTermsAreReadStrictly) {
  Config d = parse_config(kMinimal, "book.yaml");
  EXPECT_EQ(d.engine.support.tags.size(), 6u);
  EXPECT_TRUE(d.engine.support.judges(ContactChannel::kChat));
  EXPECT_FALSE(d.engine.support.judges(ContactChannel::kEmail));
  EXPECT_EQ(d.engine.support.spike.window_s, 300);
  Config c = parse_config(kMinimal + "support:\n  tags: [delay, cashout]\n  first_reply_channels: [chat]\n"
                                     "  spike: {window: 2m, baseline: 30m, warmup: 5m, min_contacts: 4}\n"
                                     "sim_support_contacts_per_min: 6\n",
                          "book.yaml");
  EXPECT_EQ(c.engine.support.tags, (std::vector<std::string>{"delay", "cashout"}));
  EXPECT_FALSE(c.engine.support.judges(ContactChannel::kPhone));
  EXPECT_EQ(c.engine.support.spike.window_s, 120);
  EXPECT_EQ(c.engine.support.spike.baseline_s, 1800);
  EXPECT_EQ(c.engine.support.spike.warmup_s, 300);
  EXPECT_EQ(c.engine.support.spike.min_contacts, 4);
  EXPECT_EQ(c.support_crowd.contacts_per_min, 6);
  expect_error(kMinimal + "support:\n  tags: [delay, Delay]\n", "tags:", "support.tags: a tag is [a-z0-9_]{1,32}");
  expect_error(kMinimal + "support:\n  tags: [delay, other]\n", "tags:", "support.tags: 'other' is where");
  expect_error(kMinimal + "support:\n  tags: [delay, delay]\n", "tags:", "support.tags: 'delay' is listed twice");
  expect_error(kMinimal + "support:\n  first_reply_channels: [fax]\n", "first_reply",
               "support.first_reply_channels: must be chat, email or phone");
  expect_error(kMinimal + "support:\n  spike: {window: 10m, baseline: 15m}\n", "spike:",
               "support.spike.baseline: must be at least twice the window");
  expect_error(kMinimal + "support:\n  spike: {windw: 10m}\n", "spike:", "support.spike.windw: unknown key");
}

// history: SQLite in the data dir by default; PostgreSQL needs a DSN that parses.
TEST(Config, HistoryStore) {
  EXPECT_EQ(parse_config(kMinimal, "book.yaml").history.kind, HistoryConfig::Kind::kSqlite);
  Config pg = parse_config(kMinimal + "history:\n  kind: postgres\n  dsn: \"host=127.0.0.1 dbname=history\"\n",
                           "book.yaml");
  EXPECT_EQ(pg.history.kind, HistoryConfig::Kind::kPostgres);
  EXPECT_EQ(pg.history.dsn, "host=127.0.0.1 dbname=history");
  std::string bad_kind = kMinimal + "history:\n  kind: mysql\n";
  expect_error(bad_kind, "kind: mysql", "history.kind: must be sqlite or postgres");
  std::string no_dsn = kMinimal + "history:\n  kind: postgres\n";
  EXPECT_NE(error_of(no_dsn).find("history: missing required key 'dsn'"), std::string::npos) << error_of(no_dsn);
  std::string bad_dsn = kMinimal + "history:\n  kind: postgres\n  dsn: \"host=127.0.0.1 port\"\n";
  expect_error(bad_dsn, "dsn:", "history.dsn:");
  // A DSN for SQLite is a mistake, not something to ignore.
  std::string sqlite_dsn = kMinimal + "history:\n  dsn: \"host=x\"\n";
  EXPECT_NE(error_of(sqlite_dsn).find("history.dsn"), std::string::npos) << error_of(sqlite_dsn);
}

// journal.kind: the segment files by default; kafka needs its brokers, and
// its keys mean nothing to the file journal.
TEST(Config, KafkaJournal) {
  EXPECT_FALSE(parse_config(kMinimal, "book.yaml").kafka_journal);
  Config k = parse_config(kMinimal +
                              "journal:\n  kind: kafka\n  brokers: 127.0.0.1:9092\n  topic: book\n"
                              "  open_timeout: 5s\n  client: {retry.backoff.ms: \"10\"}\n",
                          "book.yaml");
  EXPECT_TRUE(k.kafka_journal);
  EXPECT_EQ(k.kafka.brokers, "127.0.0.1:9092");
  EXPECT_EQ(k.kafka.topic, "book");
  EXPECT_EQ(k.kafka.transactional_id, "inplay-book");
  EXPECT_EQ(k.kafka.open_timeout_ms, 5000);
  EXPECT_EQ(k.kafka.client.at("retry.backoff.ms"), "10");
  std::string no_brokers = kMinimal + "journal:\n  kind: kafka\n";
  EXPECT_NE(error_of(no_brokers).find("journal: missing required key 'brokers'"), std::string::npos)
      << error_of(no_brokers);
  expect_error(kMinimal + "journal:\n  kind: nats\n", "kind: nats", "journal.kind: must be one of file, kafka");
  expect_error(kMinimal + "journal:\n  brokers: 127.0.0.1:9092\n", "brokers:", "journal.brokers: unknown key");
}

}  // namespace
}  // namespace inplay
