// MarketDesk: the book's market controls and prices, run on the engine
// (INC-2, ODDS-1): market status (open, suspended, closed), per-bet stake
// caps, event state, the run-time controls (cash-out freeze, extra in-play
// delay, intake limit), prices, and actions recorded for the audit log.
// Operators (HTTP), playbooks, feeds and price sources all change the book
// through it, so every change is validated one way and journaled.
//
// A command in, a typed result out: Result<bool> with a stable ErrorCode
// (MARKET_NOT_FOUND, VALIDATION_FAILED, ...), never an HTTP status.
// Price listeners hear of every market whose price moved or that reopened
// (the bet desk releases bets waiting for a price confirmation, RISK-2).
// Engine thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/odds.h"
#include "engine/engine.h"

namespace inplay {

class MarketDesk {
 public:
  explicit MarketDesk(Engine& engine);

  Result<bool> set_market_status(uint64_t market_id, MarketStatus s, std::string reason, std::string actor);
  Result<bool> set_stake_cap(uint64_t market_id, int64_t cap, std::string actor);
  Result<bool> set_event_state(uint64_t event_id, EventState s, std::string actor);
  // Cash-out freeze, extra delay, intake limit (MarketControlSet).
  Result<bool> set_market_control(uint64_t market_id, MarketControl c, int64_t value, std::string reason,
                                  std::string actor);
  // The book-wide intake limit, bets per second (0: none), journaled as a
  // MarketControlSet on kWholeBook.
  Result<bool> set_book_intake(int64_t per_second, std::string reason, std::string actor);
  // One selection's price, or a whole market's in one journal record
  // (feeds: `odds` in the market's selection order).
  Result<bool> apply_price(uint64_t selection_id, Odds odds, int64_t provider_ts_ms);
  Result<bool> price_market(uint64_t market_id, const std::vector<Odds>& odds, int64_t provider_ts_ms);
  // The active feed's word on a match: its score, minute and period. Not a
  // journaled change (book.h: Scoreboard is display only); false for an
  // unknown event.
  bool set_scoreboard(uint64_t event_id, const Scoreboard& s);
  // An operator or automatic action that is not itself a book change (a
  // playbook decision, an approval): journaled for the audit log.
  void record_action(std::string action, std::string target, std::string actor, std::string detail);

  // Before start(): fn(market_id) after a price of the market is live, or
  // the market has reopened.
  void add_price_listener(std::function<void(uint64_t market_id)> fn) { listeners_.push_back(std::move(fn)); }

  Engine& engine() { return engine_; }

 private:
  void price_moved(uint64_t market_id);
  Engine& engine_;
  std::vector<std::function<void(uint64_t)>> listeners_;
};

}  // namespace inplay
