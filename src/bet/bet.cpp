#include "bet/bet.h"

namespace inplay {

const char* bet_status_name(BetStatus s) {
  switch (s) {
    case BetStatus::kAccepted: return "accepted";
    case BetStatus::kSettled: return "settled";
    case BetStatus::kCancelled: return "cancelled";
    case BetStatus::kCashedOut: return "cashed_out";
  }
  return "unknown";
}

}  // namespace inplay
