#include "telemetry/trace_query.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "core/json.h"
#include "core/time_format.h"

namespace inplay {

namespace {

// What the scan keeps of one matching trace (copied under the lock).
struct Hit {
  TraceId id;
  int64_t start_ns;
  int64_t duration_ns;
  uint32_t group;  // breakdown only: index of the attribute value, or kNoGroup
};
constexpr uint32_t kNoGroup = UINT32_MAX;

struct Extent {
  int64_t start, duration;
};

Extent extent(const StoredSpan* const* s, size_t n) {
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = std::numeric_limits<int64_t>::min();
  for (size_t i = 0; i < n; ++i) {
    lo = std::min(lo, s[i]->start_ns);
    hi = std::max(hi, std::max(s[i]->end_ns, s[i]->start_ns));
  }
  return {lo, hi - lo};
}

// The stored spans' attributes are read without rendering them (TraceStore::for_each_trace).
std::optional<std::string_view> find_attr(const StoredSpan* const* s, size_t n, std::string_view key, char (&buf)[20]) {
  for (size_t i = 0; i < n; ++i)
    if (auto v = s[i]->find(key, buf)) return v;
  return std::nullopt;
}

bool matches(const StoredSpan* const* s, size_t n, const std::vector<TraceAttrFilter>& attrs) {
  for (const auto& f : attrs) {
    bool found = false;
    for (size_t i = 0; i < n && !found; ++i) found = s[i]->contains(f.key, f.value);
    if (!found) return false;
  }
  return true;
}

// Nearest-rank percentile of a sorted, non-empty vector.
int64_t percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  if (rank == 0) rank = 1;
  return sorted[std::min(rank, sorted.size()) - 1];
}

struct SvHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

void fill_details(const Tracer& tracer, TraceSummary& t) {
  std::vector<Span> spans = tracer.trace(t.trace_id);  // ordered by start
  t.spans = spans.size();
  const Span* root = nullptr;
  for (const Span& s : spans) {
    t.error = t.error || s.error;
    bool parent_here = std::any_of(spans.begin(), spans.end(),
                                   [&](const Span& o) { return o.span_id == s.parent_id; });
    if (!parent_here && !root) root = &s;
    auto it = std::find_if(t.by_name.begin(), t.by_name.end(),
                           [&](const SpanNameTime& x) { return x.name == s.name; });
    if (it == t.by_name.end()) {
      t.by_name.push_back(SpanNameTime{s.name, 0, 0});
      it = t.by_name.end() - 1;
    }
    it->count++;
    it->total_ns += std::max<int64_t>(0, s.end_ns - s.start_ns);
  }
  if (!root && !spans.empty()) root = &spans.front();
  if (root) t.root = root->name;
  std::stable_sort(t.by_name.begin(), t.by_name.end(),
                   [](const SpanNameTime& a, const SpanNameTime& b) { return a.total_ns > b.total_ns; });
}

}  // namespace

TraceSearchResult search_traces(const Tracer& tracer, const TraceQuery& q) {
  TraceSearchResult r;
  std::vector<Hit> hits;
  tracer.for_each_trace([&](const StoredSpan* const* s, size_t n) {
    ++r.scanned;
    Extent e = extent(s, n);
    if (e.start < q.since_ns || e.duration < q.min_ns || e.duration > q.max_ns) return;
    if (!matches(s, n, q.attrs)) return;
    hits.push_back(Hit{s[0]->trace_id, e.start, e.duration, kNoGroup});
  });
  r.matched = hits.size();
  auto slower = [](const Hit& a, const Hit& b) {
    if (a.duration_ns != b.duration_ns) return a.duration_ns > b.duration_ns;
    if (a.start_ns != b.start_ns) return a.start_ns > b.start_ns;
    return a.id < b.id;
  };
  size_t k = std::min(q.limit, hits.size());
  std::partial_sort(hits.begin(), hits.begin() + static_cast<ptrdiff_t>(k), hits.end(), slower);
  for (size_t i = 0; i < k; ++i) {
    TraceSummary t;
    t.trace_id = hits[i].id;
    t.start_ns = hits[i].start_ns;
    t.duration_ns = hits[i].duration_ns;
    fill_details(tracer, t);
    if (t.spans == 0) {  // evicted since the scan: report what the scan saw
      t.root = "";
    }
    r.traces.push_back(std::move(t));
  }
  return r;
}

BreakdownResult breakdown_traces(const Tracer& tracer, const BreakdownQuery& q) {
  BreakdownResult r;
  r.by = q.by;
  std::vector<Hit> hits;
  std::vector<std::string> values;
  std::unordered_map<std::string, uint32_t, SvHash, std::equal_to<>> value_ids;
  char buf[20];
  tracer.for_each_trace([&](const StoredSpan* const* s, size_t n) {
    ++r.scanned;
    Extent e = extent(s, n);
    if (e.start < q.since_ns) return;
    if (!matches(s, n, q.attrs)) return;
    uint32_t g = kNoGroup;
    if (auto v = find_attr(s, n, q.by, buf)) {
      auto it = value_ids.find(*v);
      if (it == value_ids.end()) {
        it = value_ids.emplace(std::string(*v), static_cast<uint32_t>(values.size())).first;
        values.emplace_back(*v);
      }
      g = it->second;
    }
    hits.push_back(Hit{s[0]->trace_id, e.start, e.duration, g});
  });
  // Everything below runs without the store's lock.
  r.matched = hits.size();
  r.groups_total = values.size();
  std::vector<int64_t> all(hits.size());
  for (size_t i = 0; i < hits.size(); ++i) all[i] = hits[i].duration_ns;
  std::sort(all.begin(), all.end());
  r.p50_ns = percentile(all, 0.50);
  r.p99_ns = percentile(all, 0.99);
  r.slow_ns = q.slow_ns >= 0 ? q.slow_ns : r.p99_ns;

  // Durations grouped by value: counting sort by group index.
  std::vector<uint32_t> offset(values.size() + 1, 0);
  for (const Hit& h : hits) {
    if (h.group == kNoGroup) ++r.without_attribute;
    else ++offset[h.group + 1];
    if (h.duration_ns >= r.slow_ns && !hits.empty()) ++r.slow;
  }
  for (size_t i = 1; i < offset.size(); ++i) offset[i] += offset[i - 1];
  std::vector<int64_t> durs(offset.back());
  std::vector<uint32_t> fill(offset.begin(), offset.end() - 1);
  for (const Hit& h : hits)
    if (h.group != kNoGroup) durs[fill[h.group]++] = h.duration_ns;
  r.groups.reserve(values.size());
  for (size_t g = 0; g < values.size(); ++g) {
    auto b = durs.begin() + offset[g], e = durs.begin() + offset[g + 1];
    std::sort(b, e);
    BreakdownGroup out;
    out.value = std::move(values[g]);
    out.count = static_cast<uint64_t>(e - b);
    auto pct = [&](double p) {
      size_t n = out.count;
      size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(n)));
      if (rank == 0) rank = 1;
      return *(b + static_cast<ptrdiff_t>(std::min(rank, n) - 1));
    };
    out.p50_ns = pct(0.50);
    out.p99_ns = pct(0.99);
    out.max_ns = *(e - 1);
    out.slow = static_cast<uint64_t>(e - std::lower_bound(b, e, r.slow_ns));
    r.groups.push_back(std::move(out));
  }
  auto worse = [](const BreakdownGroup& a, const BreakdownGroup& b) {
    if (a.slow != b.slow) return a.slow > b.slow;
    if (a.p99_ns != b.p99_ns) return a.p99_ns > b.p99_ns;
    if (a.count != b.count) return a.count > b.count;
    return a.value < b.value;
  };
  size_t k = std::min(q.limit, r.groups.size());
  std::partial_sort(r.groups.begin(), r.groups.begin() + static_cast<ptrdiff_t>(k), r.groups.end(), worse);
  r.groups.resize(k);
  return r;
}

// ------------------------------------------------------------ HTTP glue

namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return true;
}

// Characters (UTF-8 code points, as JSON Schema's maxLength counts them).
size_t code_points(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

constexpr size_t kMaxValueChars = 256;
constexpr double kMaxMs = 86400000.0;          // one day
constexpr int64_t kMaxSinceMs = 9000000000000;  // year 2255: ms * 1e6 fits int64

using Params = std::vector<std::pair<std::string, std::string>>;

bool split_query(std::string_view q, Params& out, std::string& err) {
  size_t i = 0;
  while (i < q.size()) {
    size_t j = q.find('&', i);
    if (j == std::string_view::npos) j = q.size();
    std::string_view part = q.substr(i, j - i);
    i = j + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string k, v;
    if (!percent_decode(part.substr(0, eq), k) ||
        (eq != std::string_view::npos && !percent_decode(part.substr(eq + 1), v))) {
      err = "query: malformed percent-encoding";
      return false;
    }
    for (const auto& [seen, unused] : out)
      if (seen == k) {
        err = "query: a parameter may be given only once";
        return false;
      }
    out.emplace_back(std::move(k), std::move(v));
  }
  return true;
}

bool parse_ms(const std::string& name, const std::string& v, int64_t& ns, std::string& err) {
  const char* b = v.c_str();
  char* end = nullptr;
  double d = v.empty() || std::isspace(static_cast<unsigned char>(v[0])) ? NAN : std::strtod(b, &end);
  if (v.empty() || end != b + v.size() || !std::isfinite(d) || d < 0 || d > kMaxMs) {
    err = fmt::format("{}: a number of milliseconds from 0 to {}", name, static_cast<int64_t>(kMaxMs));
    return false;
  }
  ns = std::llround(d * 1e6);
  return true;
}

bool parse_int(const std::string& name, const std::string& v, int64_t lo, int64_t hi, int64_t& out,
               std::string& err) {
  int64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi) {
    err = fmt::format("{}: an integer from {} to {}", name, lo, hi);
    return false;
  }
  out = x;
  return true;
}

// attr.<key>=<value>; true if the parameter was one (ok says if valid).
bool attr_param(const std::string& k, const std::string& v, std::vector<TraceAttrFilter>& attrs,
                bool& ok, std::string& err) {
  if (k.rfind("attr.", 0) != 0) return false;
  std::string key = k.substr(5);
  ok = !key.empty() && code_points(key) <= 64 && code_points(v) <= kMaxValueChars;
  if (!ok) err = fmt::format("attr.<key>=<value>: a key of 1 to 64 characters, a value of at most {}",
                             kMaxValueChars);
  else attrs.push_back(TraceAttrFilter{std::move(key), v});
  return true;
}

std::string ms(int64_t ns) { return fmt::format("{:.3f}", static_cast<double>(ns) / 1e6); }

}  // namespace

bool parse_trace_query(std::string_view query, TraceQuery& out, std::string& err) {
  Params ps;
  if (!split_query(query, ps, err)) return false;
  for (auto& [k, v] : ps) {
    bool ok = true;
    if (attr_param(k, v, out.attrs, ok, err)) {
      if (!ok) return false;
    } else if (k == "min_ms") {
      if (!parse_ms(k, v, out.min_ns, err)) return false;
    } else if (k == "max_ms") {
      if (!parse_ms(k, v, out.max_ns, err)) return false;
    } else if (k == "since") {
      int64_t s;
      if (!parse_int(k, v, 0, kMaxSinceMs, s, err)) return false;
      out.since_ns = s * 1000000;
    } else if (k == "limit") {
      int64_t l;
      if (!parse_int(k, v, 1, 1000, l, err)) return false;
      out.limit = static_cast<size_t>(l);
    } else {
      err = "unknown query parameter (use attr.<key>, min_ms, max_ms, since, limit)";
      return false;
    }
  }
  return true;
}

bool parse_breakdown_query(std::string_view query, BreakdownQuery& out, std::string& err) {
  Params ps;
  if (!split_query(query, ps, err)) return false;
  bool have_by = false;
  for (auto& [k, v] : ps) {
    bool ok = true;
    if (attr_param(k, v, out.attrs, ok, err)) {
      if (!ok) return false;
    } else if (k == "by") {
      if (v.empty() || code_points(v) > 64) {
        err = "by: an attribute key of 1 to 64 characters";
        return false;
      }
      out.by = v;
      have_by = true;
    } else if (k == "min_ms") {
      if (!parse_ms(k, v, out.slow_ns, err)) return false;
    } else if (k == "since") {
      int64_t s;
      if (!parse_int(k, v, 0, kMaxSinceMs, s, err)) return false;
      out.since_ns = s * 1000000;
    } else if (k == "limit") {
      int64_t l;
      if (!parse_int(k, v, 1, 1000, l, err)) return false;
      out.limit = static_cast<size_t>(l);
    } else {
      err = "unknown query parameter (use by, attr.<key>, min_ms, since, limit)";
      return false;
    }
  }
  if (!have_by) {
    err = "by: required (the attribute key to group by, e.g. league)";
    return false;
  }
  return true;
}

std::string trace_search_json(const TraceSearchResult& r) {
  JsonWriter w;
  w.begin_object().field("scanned", r.scanned).field("matched", r.matched).key("traces").begin_array();
  for (const TraceSummary& t : r.traces) {
    w.begin_object().field("trace_id", to_hex(t.trace_id));
    w.field("start", rfc3339_ms(t.start_ns)).field("start_ns", t.start_ns);
    w.key("duration_ms").raw(ms(t.duration_ns)).field("duration_ns", t.duration_ns);
    w.field("root", t.root).field("spans", static_cast<uint64_t>(t.spans)).field("error", t.error);
    w.key("by_name").begin_array();
    for (const SpanNameTime& n : t.by_name) {
      w.begin_object().field("name", n.name).field("count", static_cast<uint64_t>(n.count));
      w.key("total_ms").raw(ms(n.total_ns)).field("total_ns", n.total_ns).end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object();
  return w.take();
}

std::string breakdown_json(const BreakdownResult& r) {
  JsonWriter w;
  auto share = [](uint64_t a, uint64_t b) { return fmt::format("{:.4f}", b ? double(a) / double(b) : 0.0); };
  w.begin_object().field("by", r.by).field("scanned", r.scanned).field("matched", r.matched);
  w.field("without_attribute", r.without_attribute);
  w.key("p50_ms").raw(ms(r.p50_ns)).key("p99_ms").raw(ms(r.p99_ns));
  w.key("slow_threshold_ms").raw(ms(r.slow_ns)).field("slow", r.slow);
  w.field("groups_total", static_cast<uint64_t>(r.groups_total));
  w.key("groups").begin_array();
  for (const BreakdownGroup& g : r.groups) {
    w.begin_object().field("value", g.value).field("count", g.count);
    w.key("p50_ms").raw(ms(g.p50_ns)).key("p99_ms").raw(ms(g.p99_ns)).key("max_ms").raw(ms(g.max_ns));
    w.field("slow", g.slow);
    w.key("slow_share").raw(share(g.slow, g.count));   // of this value's traces, how many are slow
    w.key("share_of_slow").raw(share(g.slow, r.slow));  // of all slow traces, how many have this value
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace inplay
