// Support wiring (contract in app/support_wiring.h).
#include "app/support_wiring.h"

#include "playbook/incident_loop.h"
#include "support/support_desk.h"

namespace inplay {

void watch_support(IncidentLoop& loop, SupportDesk& desk) {
  IncidentLoop* l = &loop;
  SupportDesk* support = &desk;
  support->add_reply_observer([l](ContactChannel, int64_t reply_ns, bool judged) {
    if (judged) l->on_support_reply(reply_ns);
  });
  loop.add_signal_source([support](std::vector<SignalSample>& out) {
    for (const SupportDesk::TagSignal& t : support->signals())
      out.push_back(SignalSample{"support_tag_rate_ratio", {{"tag", t.tag}}, t.ratio, true});
  });
}

}  // namespace inplay
