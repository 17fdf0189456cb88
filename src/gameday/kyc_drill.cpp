#include "gameday/kyc_drill.h"

#include <fmt/format.h>

#include <future>
#include <thread>

#include "engine/engine.h"
#include "sim/sim_extension.h"

namespace inplay {

namespace {

// The fields `p` sets, as they are in `now`.
KycVendorFaultPatch as_before(const KycVendorFaultPatch& p, const KycVendorFaults& now) {
  KycVendorFaultPatch r;
  if (p.latency_ms) r.latency_ms = now.latency_ms;
  if (p.jitter_ms) r.jitter_ms = now.jitter_ms;
  if (p.error_rate) r.error_rate = now.error_rate;
  if (p.refer_rate) r.refer_rate = now.refer_rate;
  if (p.reject_rate) r.reject_rate = now.reject_rate;
  if (p.false_positive_rate) r.false_positive_rate = now.false_positive_rate;
  if (p.down) r.down = now.down;
  return r;
}

}  // namespace

void KycDrill::apply(const ScenarioFault& f) {
  KycVendor* v = sim_.kyc_vendor(f.vendor);
  if (!v) return;  // the scenario's parser allows only the book's vendors
  active_.push_back(Active{f.at_s + f.for_s, f.vendor, as_before(f.kyc, v->faults())});
  v->apply(f.kyc);
}

std::vector<std::string> KycDrill::clear_due(int64_t t_s) {
  std::vector<std::string> cleared;
  for (auto it = active_.begin(); it != active_.end();) {
    if (it->until_s > t_s) {
      ++it;
      continue;
    }
    if (KycVendor* v = sim_.kyc_vendor(it->vendor)) v->apply(it->restore);
    cleared.push_back(fmt::format("kyc {}: fault cleared", it->vendor));
    it = active_.erase(it);
  }
  return cleared;
}

bool KycDrill::settle(std::chrono::milliseconds bound) {
  const auto give_up = std::chrono::steady_clock::now() + bound;
  for (;;) {
    std::promise<size_t> pending;
    while (!engine_.submit([&] { pending.set_value(engine_.state().screenings.pending_count()); }))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (pending.get_future().get() == 0) return true;
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace inplay
