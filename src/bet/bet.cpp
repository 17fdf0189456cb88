#include "bet/bet.h"

namespace inplay {

const char* bet_status_name(BetStatus s) {
  switch (s) {
    case BetStatus::kAccepted: return "accepted";
    case BetStatus::kSettled: return "settled";
    case BetStatus::kCancelled: return "cancelled";
  }
  return "unknown";
}

}  // namespace inplay
