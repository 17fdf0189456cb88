// KYC wiring (KYC-1): what a runtime adds for its screening vendors. The
// Runtime owns what it returns and keeps the order of start and stop
// (app/runtime.cpp); this file says how the parts join.
//
// connect_kyc_vendors(): a client per vendor of kyc.vendors (url "sim": the
// simulated world's vendor of that name; none there throws) as the KYC
// desk's ports, started; the screenings a restart left unanswered are sent
// again (under their keys). Before the engine thread runs (the calling
// thread acts as it).
//
// watch_kyc(): each vendor answer's latency feeds the SLO kyc_screening;
// each tick (engine thread) the backlog (kyc_backlog) and each vendor's
// recent failed calls (kyc_vendor_error_ratio) are the alerts' signals.
// Before the incident loop starts.
#pragma once
#include <memory>
#include <vector>

#include "app/kyc_client.h"

namespace inplay {

struct Config;
class IncidentLoop;
class KycDesk;
class MetricsRegistry;
class RuntimeExtension;

std::vector<std::unique_ptr<KycClient>> connect_kyc_vendors(const Config& cfg, const RuntimeExtension* ext,
                                                            MetricsRegistry& metrics, KycDesk& desk);
void watch_kyc(IncidentLoop& loop, KycDesk& desk);

}  // namespace inplay
