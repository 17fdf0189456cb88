#include "telemetry/otlp_exporter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "core/json.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

// OTLP SpanKind / StatusCode (opentelemetry/proto/trace/v1/trace.proto).
constexpr int kSpanKindInternal = 1;
constexpr int kSpanKindServer = 2;
constexpr int kStatusError = 2;

template <size_t N>
bool all_zero(const std::array<uint8_t, N>& a) {
  return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

// Attribute values are kept as strings (Span::attr(int64_t) renders them);
// ones that read back as an int64 go out as intValue.
bool is_int64(std::string_view v) {
  if (v.empty() || v.size() > 20) return false;
  int64_t x;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || p != v.data() + v.size()) return false;
  // Canonical only ("007" and "-0" stay strings).
  return v == std::to_string(x);
}

}  // namespace

OtlpExporter::OtlpExporter(OtlpExporterOptions opt, Transport transport, Counters counters)
    : opt_(std::move(opt)), transport_(std::move(transport)), counters_(counters) {
  opt_.batch_spans = std::max<size_t>(1, opt_.batch_spans);
  opt_.queue_spans = std::max(opt_.queue_spans, opt_.batch_spans);
  opt_.max_attempts = std::max(1, opt_.max_attempts);
}

OtlpExporter::~OtlpExporter() { stop(); }

bool OtlpExporter::parse_endpoint(const std::string& url, std::string& host, uint16_t& port,
                                  std::string& path, std::string& err) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    err = "must start with http:// (plain OTLP/HTTP, e.g. http://127.0.0.1:4318/v1/traces)";
    return false;
  }
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view hostport = rest.substr(0, slash);
  path = slash == std::string_view::npos ? "/v1/traces" : std::string(rest.substr(slash));
  size_t colon = hostport.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    err = "must name host and port (http://host:port/path)";
    return false;
  }
  host = std::string(hostport.substr(0, colon));
  std::string_view ps = hostport.substr(colon + 1);
  unsigned p = 0;
  auto [e, ec] = std::from_chars(ps.data(), ps.data() + ps.size(), p);
  if (ps.empty() || ec != std::errc() || e != ps.data() + ps.size() || p == 0 || p > 65535) {
    err = "bad port (1..65535)";
    return false;
  }
  port = static_cast<uint16_t>(p);
  return true;
}

std::string OtlpExporter::encode(const std::vector<Span>& spans, std::string_view service_name) {
  JsonWriter w;
  w.begin_object().key("resourceSpans").begin_array().begin_object();
  w.key("resource").begin_object().key("attributes").begin_array();
  w.begin_object().field("key", "service.name").key("value").begin_object().field("stringValue", service_name);
  w.end_object().end_object();
  w.end_array().end_object();
  w.key("scopeSpans").begin_array().begin_object();
  w.key("scope").begin_object().field("name", "inplay").end_object();
  w.key("spans").begin_array();
  for (const Span& s : spans) {
    w.begin_object();
    w.field("traceId", to_hex(s.trace_id)).field("spanId", to_hex(s.span_id));
    if (!all_zero(s.parent_id)) w.field("parentSpanId", to_hex(s.parent_id));
    w.field("name", s.name);
    w.field("kind", s.name == "gateway" ? kSpanKindServer : kSpanKindInternal);
    w.field("startTimeUnixNano", std::to_string(s.start_ns));
    w.field("endTimeUnixNano", std::to_string(std::max(s.end_ns, s.start_ns)));
    w.key("attributes").begin_array();
    for (const auto& [k, v] : s.attributes) {
      w.begin_object().field("key", k).key("value").begin_object();
      if (is_int64(v)) w.field("intValue", v);  // int64 is a JSON string in OTLP/JSON
      else w.field("stringValue", v);
      w.end_object().end_object();
    }
    w.end_array();
    w.key("status").begin_object();
    if (s.error) w.field("code", kStatusError);
    w.end_object();
    w.end_object();
  }
  w.end_array().end_object().end_array();
  w.end_object().end_array().end_object();
  return w.take();
}

void OtlpExporter::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void OtlpExporter::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OtlpExporter::enqueue(const std::vector<Span>& spans) {
  size_t dropped = 0;
  bool wake = false;
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stopping_) {
      dropped = spans.size();
    } else {
      for (const Span& s : spans) {
        if (queue_.size() >= opt_.queue_spans) {
          ++dropped;
          continue;
        }
        queue_.push_back(s);
      }
      wake = queue_.size() >= opt_.batch_spans;
    }
  }
  if (dropped) {
    dropped_.fetch_add(dropped, std::memory_order_relaxed);
    if (counters_.dropped) counters_.dropped->inc(dropped);
  }
  if (wake) cv_.notify_one();
}

void OtlpExporter::run() {
  std::vector<Span> batch;
  for (;;) {
    bool draining;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait_for(lk, std::chrono::milliseconds(opt_.flush_ms),
                   [&] { return stopping_ || queue_.size() >= opt_.batch_spans; });
      draining = stopping_;
      if (queue_.empty()) {
        if (draining) return;
        continue;
      }
      size_t n = std::min(queue_.size(), opt_.batch_spans);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    }
    std::string body = encode(batch, opt_.service_name);
    if (post(body, draining)) {
      exported_.fetch_add(batch.size(), std::memory_order_relaxed);
      if (counters_.exported) counters_.exported->inc(batch.size());
    } else {
      failed_.fetch_add(batch.size(), std::memory_order_relaxed);
      if (counters_.failed) counters_.failed->inc(batch.size());
    }
    batch.clear();
  }
}

bool OtlpExporter::post(const std::string& body, bool draining) {
  int backoff = opt_.backoff_ms;
  int attempts = draining ? 1 : opt_.max_attempts;
  for (int i = 0; i < attempts; ++i) {
    std::string err;
    int status = transport_ ? transport_(body, err) : 0;
    if (status >= 200 && status < 300) return true;
    bool retryable = status == 0 || status == 408 || status == 429 || status >= 500;
    if (!retryable || i + 1 == attempts) {
      log::warn("otlp", "export failed",
                {{"status", static_cast<int64_t>(status)}, {"error", err}, {"attempts", static_cast<int64_t>(i + 1)}});
      return false;
    }
    std::unique_lock<std::mutex> lk(mu_);
    if (cv_.wait_for(lk, std::chrono::milliseconds(backoff), [&] { return stopping_; }))
      attempts = std::min(attempts, i + 2);  // stopping: one last try
    backoff = std::min(backoff * 2, opt_.max_backoff_ms);
  }
  return false;
}

}  // namespace inplay
