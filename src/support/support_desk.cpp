#include "support/support_desk.h"

#include <algorithm>

#include "core/clock.h"
#include "telemetry/log.h"

namespace inplay {

namespace {


// First replies: a live chat is answered in seconds, an e-mail in hours.
std::vector<int64_t> first_reply_bounds_ns() {
  std::vector<int64_t> out;
  for (int64_t s : {5, 10, 20, 30, 45, 60, 90, 120, 300, 600, 1800, 3600, 4 * 3600})
    out.push_back(s * kNsPerSecond);
  return out;
}

std::string joined(const std::vector<std::string>& tags) {
  std::string out;
  for (auto& t : tags) out += (out.empty() ? "" : ",") + t;
  return out;
}

}  // namespace

SupportDesk::SupportDesk(Engine& engine, SupportTerms terms) : engine_(engine), terms_(std::move(terms)) {
  labels_ = terms_.tags;
  labels_.push_back(kOtherSupportTag);
  MetricsRegistry& m = engine_.registry();
  auto& contacts = m.counter("support_contacts_total",
                             "Customer contacts reported by chat and the CRM, once per tag (tags outside "
                             "support.tags count as other)",
                             {"tag", "channel"});
  auto& ratio = m.gauge("support_tag_rate_ratio_permille",
                        "A tag's contact rate over the spike window / its baseline, x1000 (0 until the baseline "
                        "is warm or while the window holds fewer than support.spike.min_contacts)",
                        {"tag"});
  for (size_t i = 0; i < labels_.size(); ++i) {
    label_index_.emplace(labels_[i], i);
    rates_.emplace_back(terms_.spike);
    ratio_gauges_.push_back(&ratio.with({labels_[i]}));
    contacts_.emplace_back();
    for (ContactChannel c : kContactChannels) contacts_.back().push_back(&contacts.with({labels_[i], contact_channel_name(c)}));
  }
  auto& replies = m.histogram("support_first_reply_seconds",
                              "Time from a contact's opening to the first agent reply, by channel (SUP-1)",
                              {"channel"}, first_reply_bounds_ns(), Unit::kSeconds);
  for (ContactChannel c : kContactChannels)
    first_reply_.push_back(&MetricsRegistry::series(replies, {contact_channel_name(c)}));
  duplicates_ = &m.counter("support_contacts_duplicate_total",
                           "Contacts sent again that added nothing (counted and answered before)")
                     .with({});
}

int64_t SupportDesk::now_s() const { return to_ns(engine_.clock().now()) / kNsPerSecond; }

const std::string& SupportDesk::tag_label(std::string_view tag) const {
  auto it = label_index_.find(tag);
  return labels_[it == label_index_.end() ? labels_.size() - 1 : it->second];
}

SupportDesk::Receipt SupportDesk::record(const std::vector<SupportContact>& batch) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const int64_t now = now_s();
  for (ContactRate& r : rates_) r.advance(now);
  Receipt receipt;
  for (const SupportContact& c : batch) {
    const RecentContacts::Seen seen = recent_.see(c.contact, c.first_reply_ms.has_value());
    const size_t channel = static_cast<size_t>(c.channel);
    if (seen.new_contact) {
      ++receipt.contacts;
      // A contact counts where it opened (a late report lands in its own
      // second), never in the future of the book's clock.
      const int64_t opened_s = std::min(now, c.opened_at_ms / 1000);
      std::vector<size_t> counted;  // two unknown tags are one "other"
      for (const std::string& tag : c.tags) {
        const size_t i = label_index_.at(tag_label(tag));
        if (std::find(counted.begin(), counted.end(), i) != counted.end()) continue;
        counted.push_back(i);
        contacts_[i][channel]->inc();
        rates_[i].add(opened_s);
      }
      log::info("support", "support contact",
                {{"contact", c.contact}, {"channel", contact_channel_name(c.channel)}, {"tags", joined(c.tags)},
                 {"first_reply_ms", c.first_reply_ms.value_or(-1)}});
    }
    if (seen.new_reply) {
      ++receipt.replies;
      const int64_t reply_ns = *c.first_reply_ms * 1'000'000;
      first_reply_[channel]->observe(reply_ns);
      for (auto& fn : reply_observers_) fn(c.channel, reply_ns, terms_.judges(c.channel));
    }
    if (!seen.new_contact && !seen.new_reply) {
      ++receipt.duplicates;
      duplicates_->inc();
    }
  }
  totals_.contacts += receipt.contacts;
  totals_.replies += receipt.replies;
  totals_.duplicates += receipt.duplicates;
  return receipt;
}

std::vector<SupportDesk::TagSignal> SupportDesk::signals() {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const int64_t now = now_s();
  std::vector<TagSignal> out;
  out.reserve(labels_.size());
  for (size_t i = 0; i < labels_.size(); ++i) {
    ContactRate& r = rates_[i];
    r.advance(now);
    TagSignal s{labels_[i], r.window_contacts(), r.recent_per_minute(), r.baseline_per_minute(), r.warm(), r.ratio()};
    ratio_gauges_[i]->set(static_cast<int64_t>(std::min(s.ratio, 1e6) * 1000));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace inplay
