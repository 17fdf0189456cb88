#include "support/support_terms.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/yaml_reader.h"

namespace inplay {

bool SupportTerms::judges(ContactChannel c) const {
  return std::find(first_reply_channels.begin(), first_reply_channels.end(), c) != first_reply_channels.end();
}

void read_support_terms(YamlReader r, SupportTerms& out) {
  if (r.has("tags")) {
    const YAML::Node n = r.get("tags");
    std::vector<std::string> tags = r.strings("tags");
    if (tags.empty() || tags.size() > kMaxSupportTags)
      r.fail_key("tags", n, fmt::format("must list 1 to {} tags", kMaxSupportTags));
    std::set<std::string> seen;
    for (size_t i = 0; i < tags.size(); ++i) {
      if (!valid_support_tag(tags[i])) r.fail_key("tags", n[i], "a tag is [a-z0-9_]{1,32}");
      if (tags[i] == kOtherSupportTag)
        r.fail_key("tags", n[i], "'other' is where the tags not listed are counted; it cannot be listed");
      if (!seen.insert(tags[i]).second) r.fail_key("tags", n[i], fmt::format("'{}' is listed twice", tags[i]));
    }
    out.tags = std::move(tags);
  }
  if (r.has("first_reply_channels")) {
    const YAML::Node n = r.get("first_reply_channels");
    std::vector<ContactChannel> channels;
    const std::vector<std::string> names = r.strings("first_reply_channels");
    for (size_t i = 0; i < names.size(); ++i) {
      ContactChannel c;
      if (!parse_contact_channel(names[i], c)) r.fail_key("first_reply_channels", n[i], "must be chat, email or phone");
      if (std::find(channels.begin(), channels.end(), c) != channels.end())
        r.fail_key("first_reply_channels", n[i], fmt::format("'{}' is listed twice", names[i]));
      channels.push_back(c);
    }
    if (channels.empty()) r.fail_key("first_reply_channels", n, "must name at least one of chat, email, phone");
    out.first_reply_channels = std::move(channels);
  }
  auto spike = r.child("spike");
  SpikeTerms& s = out.spike;
  s.window_s = spike.duration_ms("window", false, s.window_s * 1000, 60000, 3600000) / 1000;
  // The baseline's ring holds one count per second per tag: 6 h is ~350 KB a tag.
  s.baseline_s = spike.duration_ms("baseline", false, s.baseline_s * 1000, 600000, 6 * 3600000) / 1000;
  if (s.baseline_s < 2 * s.window_s)
    spike.fail_key("baseline", spike.get("baseline"), "must be at least twice the window (a slow average)");
  s.warmup_s = spike.duration_ms("warmup", false, std::min(s.warmup_s, s.baseline_s) * 1000, 0, s.baseline_s * 1000) / 1000;
  s.min_contacts = spike.integer("min_contacts", false, s.min_contacts, 1, 1000000);
  spike.done();
  r.done();
}

}  // namespace inplay
