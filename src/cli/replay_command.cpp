#include "cli/replay_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <vector>

#include "app/book_replay.h"
#include "app/config.h"
#include "app/demo.h"
#include "core/json.h"
#include "core/time_format.h"
#include "journal/journal.h"
#include "telemetry/pseudonym.h"

namespace inplay {

namespace {

std::string summary_json(const ReplayedBook& r, const std::string& data_dir, bool mask, const std::string& secret) {
  const BookState& s = *r.state;
  uint64_t open = 0, settled = 0, cancelled = 0;
  for (const Bet& b : s.bets) {
    if (b.status == BetStatus::kAccepted) ++open;
    else if (b.status == BetStatus::kSettled) ++settled;
    else ++cancelled;
  }
  const Pseudonymizer masker(secret);
  struct Row {
    std::string account;
    int64_t balance, reserved;
  };
  std::vector<Row> rows;
  for (uint32_t i = 0; i < s.ledger.size(); ++i) {
    const LedgerAccount& a = s.ledger.account(i);
    if (a.kind != AccountKind::kUserCash) continue;
    rows.push_back({mask ? masker.mask(a.id) : a.id, a.balance, s.ledger.account(s.ledger.reserved_of(i)).balance});
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.account < b.account; });

  JsonWriter w;
  w.begin_object();
  w.field("data_dir", data_dir);
  w.field("seq", r.seq).field("last_seq", r.last_seq);
  w.key("at");
  if (r.at_ns) w.value(rfc3339_ms(r.at_ns)); else w.null();
  w.field("at_ns", r.at_ns);
  w.field("state_hash", s.state_hash()).field("ledger_sum", s.ledger.sum());
  w.field("events_applied", s.events_applied);
  w.key("bets").begin_object();
  w.field("total", static_cast<uint64_t>(s.bets.size())).field("open", open).field("settled", settled);
  w.field("cancelled", cancelled).end_object();
  w.field("accounts_masked", mask);
  w.key("accounts").begin_array();
  for (const Row& a : rows)
    w.begin_object().field("account", a.account).field("balance", a.balance).field("reserved", a.reserved).end_object();
  w.end_array();
  w.end_object();
  return w.take();
}

}  // namespace

int cmd_replay(const ReplayOptions& o) {
  std::optional<ReplayStop> stop = parse_replay_stop(o.until);
  if (!stop) {
    std::cerr << "inplay replay: --until must be a journal seq (e.g. 1200) or an RFC 3339 time "
                 "(e.g. 2026-11-28T15:02:00Z), not '" << o.until << "'\n";
    return 2;
  }
  Config cfg;
  if (o.demo) {
    // The demo's world; its pseudonym secret from the tokens it kept (read
    // only when they are there: demo_tokens would write new ones).
    const std::filesystem::path dir = o.data_dir.empty() ? "inplay-demo-data" : o.data_dir;
    DemoTokens tokens;
    try {
      if (std::filesystem::exists(dir / "demo-tokens")) tokens = demo_tokens(dir);
    } catch (const std::exception& e) {
      std::cerr << "inplay replay: " << e.what() << "\n";
      return 2;
    }
    cfg = demo_config(tokens);
  } else if (!o.config_file.empty()) {
    try {
      cfg = load_config(o.config_file);
    } catch (const std::exception& e) {
      std::cerr << "inplay replay: bad config: " << e.what() << "\n";
      return 2;
    }
  }
  if (o.data_dir.empty() && o.config_file.empty() && !o.demo) {
    std::cerr << "inplay replay: --data-dir (or --config, whose data_dir is used) is required\n";
    return 2;
  }
  if (o.mask && cfg.pseudonym_secret.empty()) {
    std::cerr << "inplay replay: --mask needs the book's pseudonym secret (--config with "
                 "telemetry.pseudonym_secret, or --demo on a demo data dir)\n";
    return 2;
  }
  const std::string dir = o.data_dir.empty() ? cfg.data_dir.string() : o.data_dir;
  try {
    ReplayedBook r = replay_book(cfg, dir, *stop);
    std::cout << summary_json(r, dir, o.mask, cfg.pseudonym_secret) << "\n";
    return 0;
  } catch (const ReplayError& e) {
    std::cerr << "inplay replay: " << e.what() << "\n";
    return 2;
  } catch (const JournalCorrupt& e) {
    std::cerr << "inplay replay: " << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "inplay replay: " << e.what()
              << (o.config_file.empty() && !o.demo
                      ? " (is the journal from a book with a config? pass it with --config, or --demo)"
                      : "")
              << "\n";
    return 1;
  }
}

}  // namespace inplay
