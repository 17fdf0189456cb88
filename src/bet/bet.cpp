#include "bet/bet.h"

namespace inplay {

const char* bet_status_name(BetStatus s) {
  switch (s) {
    case BetStatus::kAccepted: return "accepted";
    case BetStatus::kWon: return "won";
    case BetStatus::kLost: return "lost";
    case BetStatus::kVoid: return "void";
  }
  return "unknown";
}

}  // namespace inplay
