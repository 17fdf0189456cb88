// KycDrill: the KYC side of a game day (issue 16 item 6, KYC-1) — a
// scenario's `kyc` faults played on the book's two simulated vendors
// (kyc-a active, kyc-b), under the same clock rule as the PSP drill
// (gameday/psp_drill.h): screenings are answered in real time on the KYC
// client's workers, so settle() waits (real time, bounded) before each
// step until no screening is pending, and every screening sent in one book
// second is decided in that second — the same seed gives the same vendor
// errors, alerts and switches.
//
// apply() patches the vendor at the fault's second; clear_due() puts back,
// after its `for`, each field the fault changed as it was before.
// Threading: the runner's thread; it reads the book through engine tasks.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "gameday/gameday_record.h"
#include "gameday/scenario.h"

namespace inplay {

class Engine;
class SimExtension;

class KycDrill {
 public:
  KycDrill(SimExtension& sim, Engine& engine) : sim_(sim), engine_(engine) {}

  void apply(const ScenarioFault& f);
  std::vector<std::string> clear_due(int64_t t_s);
  // Waits until no screening is pending, at most `bound` of real time;
  // false if it was cut (a vendor slower than the bound).
  bool settle(std::chrono::milliseconds bound = std::chrono::seconds(10));

 private:
  struct Active {
    int64_t until_s;
    std::string vendor;
    KycVendorFaultPatch restore;  // the fields the fault changed, as they were before it
  };
  SimExtension& sim_;
  Engine& engine_;
  std::vector<Active> active_;
};

}  // namespace inplay
