// HedgePort: where hedge orders go — an exchange venue (CO-4). send() hands
// an order over and returns at once; the answer comes later, from any
// thread, exactly once per send. An order carries its hedge id, which the
// venue honours as an idempotency key: sending the same order again (after a
// timeout, a restart) never backs twice. `kFailed` means "no answer we can
// trust" (timeout, transport error, 5xx): the order may or may not stand at
// the venue and is sent again with the same id; `kFilled` and `kRejected`
// are the venue's word and final.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

namespace inplay {

struct HedgeOrder {
  uint64_t hedge_id = 0;
  std::string venue;
  uint64_t market_id = 0;
  uint64_t selection_id = 0;
  int64_t stake_minor = 0;
  int32_t odds = 0;  // the lowest price taken (scaled, core/odds.h)
};

struct HedgeAnswer {
  enum class Kind : uint8_t { kFilled = 1, kRejected = 2, kFailed = 3 };
  uint64_t hedge_id = 0;
  Kind kind = Kind::kFailed;
  int64_t matched_stake_minor = 0;  // kFilled
  int32_t matched_odds = 0;         // kFilled
  std::string detail;               // the venue's reason, or what went wrong
  int64_t took_ns = 0;              // the call's round trip (steady clock)
};

const char* hedge_answer_name(HedgeAnswer::Kind k);  // "filled", "rejected", "failed"

class HedgePort {
 public:
  virtual ~HedgePort() = default;
  // Any thread; never blocks. `answer` runs on the port's thread.
  virtual void send(HedgeOrder order, std::function<void(HedgeAnswer)> answer) = 0;
};

}  // namespace inplay
