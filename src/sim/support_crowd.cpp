#include "sim/support_crowd.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace inplay {

namespace {

// How often a live book's customers write in about each usual tag.
double usual_weight(const std::string& tag) {
  static const std::map<std::string, double> kWeights{{"delay", 30},   {"payment", 20}, {"cashout", 15},
                                                      {"settlement", 15}, {"account", 12}, {"odds", 8}};
  auto it = kWeights.find(tag);
  return it == kWeights.end() ? 10 : it->second;
}

}  // namespace

SupportCrowd::SupportCrowd(SupportDesk& desk, Engine& engine, SupportCrowdConfig cfg, uint64_t seed)
    : desk_(desk), engine_(engine), cfg_(cfg), rng_(seed + 0x50C1A1) {
  for (const std::string& t : desk_.terms().tags) tag_weights_.push_back(usual_weight(t));
}

void SupportCrowd::start() {
  run_ms_ = to_ms(engine_.clock().now());
  timer_ = engine_.every(std::chrono::seconds(1), [this] { tick(to_ms(engine_.clock().now())); });
}

void SupportCrowd::spike(std::string tag, double per_minute, int64_t until_ms) {
  spikes_.push_back(Spike{std::move(tag), per_minute, until_ms});
}

std::string SupportCrowd::draw_tag() {
  std::discrete_distribution<size_t> pick(tag_weights_.begin(), tag_weights_.end());
  return desk_.terms().tags[pick(rng_)];
}

int64_t SupportCrowd::draw_reply_ms(ContactChannel c) {
  // Medians: chat 20 s, phone 30 s (both under 60 s ~99 % of the time),
  // e-mail 45 minutes.
  const double median_s = c == ContactChannel::kChat ? 20 : c == ContactChannel::kPhone ? 30 : 2700;
  const double sigma = c == ContactChannel::kEmail ? 0.8 : c == ContactChannel::kChat ? 0.45 : 0.3;
  std::lognormal_distribution<double> reply(std::log(median_s), sigma);
  return std::clamp<int64_t>(static_cast<int64_t>(reply(rng_) * 1000), 1000, 6LL * 3600 * 1000);
}

void SupportCrowd::open_one(int64_t now_ms, const std::string* tag) {
  SupportContact c;
  c.contact = fmt::format("s_sim-{}-{}", run_ms_, ++opened_);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double ch = u(rng_);
  c.channel = ch < 0.7 ? ContactChannel::kChat : ch < 0.9 ? ContactChannel::kEmail : ContactChannel::kPhone;
  c.tags.push_back(tag ? *tag : draw_tag());
  if (!tag && u(rng_) < 0.1) {
    std::string second = draw_tag();
    if (second != c.tags.front()) c.tags.push_back(second);
  }
  c.opened_at_ms = now_ms;
  batch_.push_back(c);  // opened: reported without a reply
  c.first_reply_ms = draw_reply_ms(c.channel);
  Pending p{now_ms + *c.first_reply_ms, std::move(c)};
  auto at = std::upper_bound(pending_.begin(), pending_.end(), p.reply_at_ms,
                             [](int64_t t, const Pending& q) { return t < q.reply_at_ms; });
  pending_.insert(at, std::move(p));
}

void SupportCrowd::tick(int64_t now_ms) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const int64_t dt = last_tick_ms_ ? now_ms - last_tick_ms_ : 1000;
  last_tick_ms_ = now_ms;
  batch_.clear();
  if (cfg_.contacts_per_min > 0 && !tag_weights_.empty()) {
    std::poisson_distribution<int> n(cfg_.contacts_per_min * static_cast<double>(dt) / 60000.0);
    for (int k = n(rng_); k > 0; --k) open_one(now_ms, nullptr);
  }
  for (auto it = spikes_.begin(); it != spikes_.end();) {
    if (now_ms >= it->until_ms) {
      it = spikes_.erase(it);
      continue;
    }
    std::poisson_distribution<int> n(it->per_minute * static_cast<double>(dt) / 60000.0);
    for (int k = n(rng_); k > 0; --k) open_one(now_ms, &it->tag);
    ++it;
  }
  // An agent's first reply, reported when it happens.
  while (!pending_.empty() && pending_.front().reply_at_ms <= now_ms) {
    batch_.push_back(std::move(pending_.front().contact));
    pending_.pop_front();
  }
  if (!batch_.empty()) desk_.record(batch_);
}

}  // namespace inplay
