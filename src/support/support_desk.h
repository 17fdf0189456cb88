// SupportDesk: customer contacts as a signal of the book's health (SUP-1),
// run on the engine thread like every desk. Chat and the CRM report tagged
// contacts (POST /v1/support/events, already validated and pseudonymised at
// the HTTP edge; the simulated world's support crowd the same way); the desk
//  - counts each contact once per tag (support_contacts_total{tag,channel};
//    a tag outside SupportTerms::tags counts as "other", so the label set
//    stays bounded), and a contact sent again adds nothing
//    (support/recent_contacts.h);
//  - records each contact's first reply once (support_first_reply_seconds
//    {channel}) and tells its reply observers — the incident loop feeds the
//    support_first_reply SLO with the replies of the judged channels;
//  - keeps each tag's contact rate against its baseline on the book's
//    clock (support/contact_rate.h) and says, once a second, how far over
//    its baseline each tag is (signals(): the support_tag_rate_ratio signal
//    of the support_tag_spike alert; gauge
//    support_tag_rate_ratio_permille{tag}).
// It never acts on the book: a spike of contacts is a signal for on-call
// (docs/runbooks.md#support-spike), not a remedy. Nothing here is
// journaled: like the other SLI sources, the rates start again at a
// restart. Engine thread only, except terms().
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "support/contact_rate.h"
#include "support/recent_contacts.h"
#include "support/support_contact.h"
#include "support/support_terms.h"
#include "telemetry/metrics.h"

namespace inplay {

class SupportDesk {
 public:
  // Contacts remembered for de-duplication.
  static constexpr size_t kRememberedContacts = 50000;

  SupportDesk(Engine& engine, SupportTerms terms);
  SupportDesk(const SupportDesk&) = delete;

  // What one batch added.
  struct Receipt {
    uint64_t contacts = 0;    // contacts counted for the first time
    uint64_t replies = 0;     // first replies recorded
    uint64_t duplicates = 0;  // contacts sent again with nothing new
  };
  // Engine thread. A contact opened after now counts at now.
  Receipt record(const std::vector<SupportContact>& batch);

  // One tag's standing at book time now (the rates moved to now).
  struct TagSignal {
    std::string tag;  // a configured tag, or "other"
    int64_t window_contacts = 0;
    double recent_per_minute = 0;
    double baseline_per_minute = 0;
    bool warm = false;
    double ratio = 0;  // ContactRate::ratio(): 0 while cold or quiet
  };
  // Engine thread: every tag's signal, in config order then "other"; sets
  // the ratio gauges.
  std::vector<TagSignal> signals();

  // Engine thread, before the engine runs: hears each first reply recorded
  // (judged: its channel is one the support_first_reply SLO judges).
  using ReplyObserver = std::function<void(ContactChannel channel, int64_t first_reply_ns, bool judged)>;
  void add_reply_observer(ReplyObserver fn) { reply_observers_.push_back(std::move(fn)); }

  const SupportTerms& terms() const { return terms_; }
  // The label a tag is counted under: itself when configured, else "other".
  const std::string& tag_label(std::string_view tag) const;
  struct Totals {
    uint64_t contacts = 0, replies = 0, duplicates = 0;
  };
  const Totals& totals() const { return totals_; }

 private:
  int64_t now_s() const;
  Engine& engine_;
  SupportTerms terms_;
  RecentContacts recent_{kRememberedContacts};
  std::vector<std::string> labels_;                       // the configured tags, then "other"
  std::map<std::string, size_t, std::less<>> label_index_;  // tag -> index in labels_
  std::vector<ContactRate> rates_;                        // by label index
  std::vector<Gauge*> ratio_gauges_;                      // by label index
  std::vector<std::vector<Counter*>> contacts_;           // [label][channel]
  std::vector<Histogram*> first_reply_;                   // by channel
  Counter* duplicates_;
  std::vector<ReplyObserver> reply_observers_;
  Totals totals_;
};

}  // namespace inplay
