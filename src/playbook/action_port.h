// ActionPort: what a playbook may do to the book, implemented by the app
// over the same engine and feed-desk functions the operator API calls
// (INC-2). Engine thread only.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "playbook/playbook_spec.h"

namespace inplay {

struct ActionTarget {
  std::string sport;               // switch_feed
  std::string feed;                // switch_feed: the feed the alerts blame ("" = the active one);
                                   // switch_psp_route: the PSP route they blame
  std::string league;              // for resolving markets when none are named
  std::vector<uint64_t> markets;   // market-scoped actions
  // None of sport, league, markets: the whole book ("book"); only shed_load
  // acts on it (a book-wide intake limit), the others find no market.
  std::string describe() const;    // "sport:football", "markets:101,102", "league:EPL"
};

// What an action changed, so that it can be undone exactly.
struct ActionOutcome {
  std::string detail;                      // human text: "froze cash-out on 6 markets"
  std::map<uint64_t, int64_t> previous;    // market -> value before (caps, delays, intake)
  std::string previous_feed;               // switch_feed: the feed active before; switch_psp_route: the route
  std::vector<uint64_t> markets;           // the markets it touched
  std::string applied_by;                  // the actor it ran as
  bool changed = true;                     // false: nothing needed doing (recorded as not_needed)
  int64_t book_intake = 0;                 // shed_load on the book: the limit it set (bets/s)
};

class ActionPort {
 public:
  virtual ~ActionPort() = default;
  // Resolves the markets of a target (its own list, else the open markets of
  // its league or sport).
  virtual std::vector<uint64_t> markets_of(const ActionTarget& t) = 0;
  virtual Result<ActionOutcome> apply(const ActionSpec& a, const ActionTarget& t, const std::string& actor,
                                      const std::string& reason) = 0;
  // NOT_READY: the revert cannot happen yet (a feed not back on time for
  // long enough); the caller tries again later.
  virtual Result<std::string> revert(const ActionSpec& a, const ActionOutcome& done, const std::string& actor) = 0;
  // Journals a decision that is not itself a book change (audit log).
  virtual void audit(const std::string& action, const std::string& target, const std::string& actor,
                     const std::string& detail) = 0;
};

}  // namespace inplay
