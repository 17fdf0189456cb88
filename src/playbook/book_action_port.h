// BookActionPort: the playbooks' hands on the book (INC-2). Each action
// calls the same Engine / FeedDesk function the operator API calls, with the
// playbook (or operator) as actor, so every change is journaled, audited and
// replayed like any other. Reverts undo exactly what the action changed and
// leave alone what someone else changed since (a market another actor
// re-suspended stays suspended). A feed switch goes only to a feed that is
// up and fresh (its lines on time, ODDS-2), and its revert waits (NOT_READY)
// until the feed switched away from has been up and fresh for the hold
// period: a late feed that is merely "up" is not taken back. Engine thread
// only.
#pragma once
#include "engine/engine.h"
#include "market/market_desk.h"
#include "feed/feed_desk.h"
#include "playbook/action_port.h"

namespace inplay {

class BookActionPort final : public ActionPort {
 public:
  BookActionPort(MarketDesk& markets, FeedDesk* desk, int64_t feed_revert_hold_ns)
      : engine_(markets.engine()), markets_(markets), desk_(desk), feed_revert_hold_ns_(feed_revert_hold_ns) {}
  std::vector<uint64_t> markets_of(const ActionTarget& t) override;
  Result<ActionOutcome> apply(const ActionSpec& a, const ActionTarget& t, const std::string& actor,
                              const std::string& reason) override;
  Result<std::string> revert(const ActionSpec& a, const ActionOutcome& done, const std::string& actor) override;
  void audit(const std::string& action, const std::string& target, const std::string& actor,
             const std::string& detail) override;

 private:
  std::string sport_of(const ActionTarget& t);
  Result<ActionOutcome> switch_feed(const ActionTarget& t, const std::string& actor);
  Engine& engine_;
  MarketDesk& markets_;
  FeedDesk* desk_;
  int64_t feed_revert_hold_ns_;
};

}  // namespace inplay
