#include "alert/slice_finder.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "telemetry/attributes.h"

namespace inplay {

namespace {

bool identity_key(std::string_view k) {
  return k == attr::kBetId || k == attr::kUser || k == attr::kJournalSeq || k == attr::kSelection ||
         k == attr::kOutcome || k == attr::kRejectCode || k == attr::kStatus || k == attr::kRoute;
}

}  // namespace

std::string SliceReport::summary() const {
  std::string s;
  for (auto& v : values)
    s += fmt::format("{}{}={} ({:.0f}% of bad, {:.0f}% of good)", s.empty() ? "" : ", ", v.key, v.value,
                     v.bad_share * 100, v.good_share * 100);
  return s;
}

SliceReport rank_slices(const std::vector<TraceAttrs>& traces, const SliceQuery& q) {
  SliceReport r;
  r.slow_ns = q.slow_ns;
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> counts;
  for (auto& t : traces) {
    (t.bad ? r.bad_traces : r.good_traces)++;
    std::set<std::pair<std::string, std::string>> uniq(t.attrs.begin(), t.attrs.end());
    for (auto& kv : uniq) {
      auto& c = counts[kv];
      (t.bad ? c.first : c.second)++;
    }
  }
  if (!r.bad_traces) return r;
  for (auto& [kv, c] : counts) {
    SliceValue v{kv.first, kv.second, c.first, c.second, 0, 0, 0};
    v.bad_share = static_cast<double>(c.first) / static_cast<double>(r.bad_traces);
    v.good_share = r.good_traces ? static_cast<double>(c.second) / static_cast<double>(r.good_traces) : 0.0;
    double floor = 1.0 / static_cast<double>(r.good_traces + 1);
    v.lift = v.bad_share / std::max(v.good_share, floor);
    // Over-represented, or (for a value most traffic carries, like the
    // biggest league) carried by nearly every bad trace and still favoured.
    bool over = v.bad_share + 1e-12 >= q.min_support && v.lift >= q.min_lift;
    bool dominant = v.bad_share + 1e-12 >= q.dominant_share && v.lift >= q.dominant_lift;
    if (!over && !dominant) continue;
    r.values.push_back(std::move(v));
  }
  std::sort(r.values.begin(), r.values.end(), [](const SliceValue& a, const SliceValue& b) {
    if (a.lift != b.lift) return a.lift > b.lift;
    if (a.bad_share != b.bad_share) return a.bad_share > b.bad_share;
    return std::tie(a.key, a.value) < std::tie(b.key, b.value);
  });
  if (r.values.size() > q.limit) r.values.resize(q.limit);
  return r;
}

SliceReport find_slice(const Tracer& tracer, const SliceQuery& q) {
  std::vector<TraceAttrs> traces;
  tracer.for_each_trace([&](const StoredSpan* const* spans, size_t n) {
    int64_t start = INT64_MAX, end = INT64_MIN, deliberate = 0;
    bool error = false, root_ok = q.with_span.empty();
    for (size_t i = 0; i < n; ++i) {
      start = std::min(start, spans[i]->start_ns);
      end = std::max(end, spans[i]->end_ns);
      if (spans[i]->name() == q.deliberate_span) deliberate += spans[i]->end_ns - spans[i]->start_ns;
      error = error || spans[i]->error();
      if (!root_ok && spans[i]->name() == q.with_span) root_ok = true;
    }
    if (!root_ok || start < q.since_ns) return;
    TraceAttrs t;
    t.bad = error || end - start - deliberate >= q.slow_ns;
    for (size_t i = 0; i < n; ++i)
      spans[i]->visit([&](std::string_view k, std::string_view v) {
        if (!identity_key(k)) t.attrs.emplace_back(std::string(k), std::string(v));
      });
    traces.push_back(std::move(t));
  });
  return rank_slices(traces, q);
}

}  // namespace inplay
