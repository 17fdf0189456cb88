// ScreeningGate: the one hook the payment desk gives KYC/AML screening
// (KYC-1, kyc/kyc_desk.h). PaymentDesk::request asks it about a withdrawal
// that passed the desk's own checks, just before it would be journaled and
// sent to a PSP. Engine thread.
#pragma once
#include <optional>

#include "core/error.h"

namespace inplay {

struct RequestPayment;

class ScreeningGate {
 public:
  virtual ~ScreeningGate() = default;
  // false and no refusal: the withdrawal goes on as usual. false with
  // `refusal` set: the desk refuses it with that error (journaled as a
  // rejection, nothing moves). true: the gate took the request — it is
  // held for its own screening and the gate answers the caller (and its
  // idempotency key); the desk does nothing more with it.
  virtual bool holds(RequestPayment& r, std::optional<Error>& refusal) = 0;
};

}  // namespace inplay
