// SupportTerms: how the book reads its customer contacts (SUP-1, `support:`
// in the config, docs/configuration.md).
//
//   tags                  the tags counted by name; any other tag counts as
//                         "other" (metrics and alerts keep a bounded label set)
//   first_reply_channels  the channels the support_first_reply SLO judges
//                         (live ones: an e-mail is answered in hours, not 60 s)
//   spike                 a tag's recent contact rate against its baseline
//                         (support/contact_rate.h): the support_tag_spike
//                         alert's signal
//
// read_support_terms() reads the section strictly (YamlError
// "<file>:<line>: support.<key>: <reason>"); an absent section keeps the
// defaults. Plain values, read on the engine thread by the support desk.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "support/support_contact.h"

namespace inplay {

class YamlReader;

// The recent window against the slow average before it.
struct SpikeTerms {
  int64_t window_s = 300;     // the recent rate: contacts over the last window
  int64_t baseline_s = 3600;  // the baseline: the average rate over this long before the window
  int64_t warmup_s = 600;     // baseline history needed before a tag has a ratio at all
  int64_t min_contacts = 10;  // contacts in the window below which a tag has no ratio (no trend)
};

struct SupportTerms {
  std::vector<std::string> tags{"delay", "cashout", "settlement", "payment", "account", "odds"};
  std::vector<ContactChannel> first_reply_channels{ContactChannel::kChat, ContactChannel::kPhone};
  SpikeTerms spike;
  bool judges(ContactChannel c) const;  // in first_reply_channels
};

// The label every tag outside SupportTerms::tags is counted under.
inline constexpr const char* kOtherSupportTag = "other";
inline constexpr size_t kMaxSupportTags = 32;

// Reads `support:` (r is that section; absent keys keep their defaults).
void read_support_terms(YamlReader r, SupportTerms& out);

}  // namespace inplay
