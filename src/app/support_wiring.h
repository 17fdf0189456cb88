// Support wiring (SUP-1): what the incident loop hears of customer
// contacts. Each judged first reply feeds the SLO support_first_reply; each
// tick (engine thread) every tag's contact rate against its baseline
// (support_tag_rate_ratio) is the support_tag_spike alert's signal. Before
// the incident loop starts.
#pragma once

namespace inplay {

class IncidentLoop;
class SupportDesk;

void watch_support(IncidentLoop& loop, SupportDesk& desk);

}  // namespace inplay
