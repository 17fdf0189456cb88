#include "alert/alert_pipeline.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace inplay {

namespace {
constexpr int64_t kMinute = 60'000'000'000;

int severity_rank(const std::string& s) { return s == "page" ? 2 : s == "ticket" ? 1 : 0; }
}  // namespace

std::vector<InhibitRule> default_inhibit_rules() {
  auto rule = [](const char* src, LabelSet target, const char* equal) {
    InhibitRule r;
    r.source.emplace("alertname", src);
    r.target = std::move(target);
    r.equal.push_back(equal);
    return r;
  };
  auto name = [](const char* n) {
    LabelSet l;
    l.emplace("alertname", n);
    return l;
  };
  LabelSet parse_slo = name("slo_burn");
  parse_slo.emplace("slo", "feed_parse_success");
  return {rule("feed_down", name("odds_stale"), "sport"),
          rule("feed_schema_skew", name("feed_parser_errors"), "feed"),
          rule("feed_schema_skew", parse_slo, "feed")};
}

bool AlertGroup::firing() const {
  for (auto& [fp, a] : alerts)
    if (a.ends_ns == 0) return true;
  return false;
}

std::string AlertPipeline::group_key(const Alert& a, LabelSet& labels) const {
  std::string key;
  for (auto& l : cfg_.group_by) {
    std::string v = a.label(l);
    labels[l] = v;
    key += (key.empty() ? "" : ",") + l + "=" + v;
  }
  return key;
}

bool AlertPipeline::quiet(int64_t now_ns, bool match_day) const {
  if (match_day || cfg_.quiet_from_minute < 0) return false;
  int minute = static_cast<int>((now_ns / kMinute) % 1440);
  if (cfg_.quiet_from_minute <= cfg_.quiet_to_minute)
    return minute >= cfg_.quiet_from_minute && minute < cfg_.quiet_to_minute;
  return minute >= cfg_.quiet_from_minute || minute < cfg_.quiet_to_minute;  // over midnight
}

std::vector<Notification> AlertPipeline::update(int64_t now_ns, std::vector<Alert> firing,
                                                const Liability& liability, bool match_day) {
  // Inhibition: a firing source silences matching targets with equal labels.
  inhibited_now_.clear();
  std::vector<Alert> kept;
  kept.reserve(firing.size());
  for (auto& a : firing) {
    const Alert* by = nullptr;
    for (auto& rule : cfg_.inhibit) {
      if (!alert_matches(a, rule.target)) continue;
      for (auto& src : firing) {
        if (&src == &a || !alert_matches(src, rule.source)) continue;
        bool equal = true;
        for (auto& l : rule.equal) equal = equal && src.label(l) == a.label(l);
        if (equal) {
          by = &src;
          break;
        }
      }
      if (by) break;
    }
    if (by) {
      ++inhibited_;
      inhibited_now_.push_back(a);
      inhibited_now_.back().annotations["inhibited_by"] = by->name;
    } else {
      kept.push_back(a);
    }
  }

  // Dedupe into groups; mark the ones that stopped firing resolved.
  std::set<std::pair<std::string, uint64_t>> seen;
  for (auto& a : kept) {
    LabelSet gl;
    std::string key = group_key(a, gl);
    auto [git, created] = groups_.try_emplace(key);
    AlertGroup& g = git->second;
    if (created) {
      g.id = next_group_++;
      g.key = key;
      g.group_labels = gl;
      g.created_ns = now_ns;
    }
    uint64_t fp = a.fingerprint();
    seen.emplace(key, fp);
    auto [ait, fresh] = g.alerts.try_emplace(fp, a);
    if (!fresh) {
      int64_t starts = ait->second.ends_ns == 0 ? ait->second.starts_ns : a.starts_ns;
      ait->second = a;
      ait->second.starts_ns = starts ? starts : now_ns;
    } else if (!ait->second.starts_ns) {
      ait->second.starts_ns = now_ns;
    }
    ait->second.ends_ns = 0;
  }
  for (auto& [key, g] : groups_)
    for (auto& [fp, a] : g.alerts)
      if (a.ends_ns == 0 && !seen.count({key, fp})) a.ends_ns = now_ns;

  // Business impact and severity per group.
  for (auto& [key, g] : groups_) {
    std::set<uint64_t> markets, affected;
    std::string sev = "none";
    for (auto& [fp, a] : g.alerts) {
      if (a.ends_ns) continue;
      std::string m = a.label("market_id");
      uint64_t id = 0;
      auto [p, ec] = std::from_chars(m.data(), m.data() + m.size(), id);
      if (!m.empty() && ec == std::errc() && p == m.data() + m.size() && id > 0) markets.insert(id);
      else if (affected_)
        for (uint64_t x : affected_(a)) affected.insert(x);
      std::string s = a.label("severity");
      if (severity_rank(s) > severity_rank(sev)) sev = s;
    }
    if (!markets.empty()) g.markets.assign(markets.begin(), markets.end());
    affected.insert(g.markets.begin(), g.markets.end());
    g.affected.assign(affected.begin(), affected.end());
    g.liability_minor = 0;
    if (liability)
      for (uint64_t m : g.affected) g.liability_minor += liability(m);
    g.high_exposure = g.high_exposure || g.liability_minor >= cfg_.high_exposure_minor;
    if (sev != "none") g.severity = sev;
  }

  // What is due, in routing order.
  std::vector<AlertGroup*> due;
  for (auto& [key, g] : groups_) {
    uint64_t digest = 0;
    for (auto& [fp, a] : g.alerts)
      if (!a.ends_ns) digest ^= fp * 0x9E3779B97F4A7C15ULL;
    bool is_firing = g.firing();
    bool send = false;
    if (is_firing) {
      if (!g.notified_firing) send = now_ns - g.created_ns >= cfg_.group_wait_ns;
      else if (digest != g.notified_digest) send = now_ns - g.last_notified_ns >= cfg_.group_interval_ns;
      else send = now_ns - g.last_notified_ns >= cfg_.repeat_interval_ns;
      if (send && g.severity == "ticket" && quiet(now_ns, match_day)) send = false;
    } else {
      send = g.notified_firing;  // a resolved notice only for what was announced
    }
    if (send) due.push_back(&g);
  }
  std::stable_sort(due.begin(), due.end(), [](const AlertGroup* a, const AlertGroup* b) {
    if (a->high_exposure != b->high_exposure) return a->high_exposure;
    return severity_rank(a->severity) > severity_rank(b->severity);
  });

  std::vector<Notification> out;
  sent_times_.erase(std::remove_if(sent_times_.begin(), sent_times_.end(),
                                   [&](int64_t t) { return now_ns - t >= kMinute; }),
                    sent_times_.end());
  for (AlertGroup* g : due) {
    if (static_cast<int>(sent_times_.size()) >= cfg_.max_notifications_per_minute) {
      ++rate_limited_;
      continue;  // stays due: goes out at a later update
    }
    sent_times_.push_back(now_ns);
    ++sent_;
    bool is_firing = g->firing();
    g->last_notified_ns = now_ns;
    g->notified_firing = is_firing;
    uint64_t digest = 0;
    for (auto& [fp, a] : g->alerts)
      if (!a.ends_ns) digest ^= fp * 0x9E3779B97F4A7C15ULL;
    g->notified_digest = digest;
    out.push_back(Notification{is_firing ? "firing" : "resolved", *g});
    for (auto it = g->alerts.begin(); it != g->alerts.end();)  // announced: forget
      it = (it->second.ends_ns && is_firing) ? g->alerts.erase(it) : std::next(it);
  }
  // Close groups that are resolved and announced (or never announced).
  for (auto it = groups_.begin(); it != groups_.end();) {
    AlertGroup& g = it->second;
    it = (!g.firing() && !g.notified_firing) ? groups_.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace inplay
