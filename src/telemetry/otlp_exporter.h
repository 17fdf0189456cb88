// OtlpExporter: finished spans to an OpenTelemetry collector over OTLP/HTTP
// with the JSON encoding (POST ExportTraceServiceRequest to e.g.
// http://127.0.0.1:4318/v1/traces).
//
// enqueue() is the Tracer's sink (Tracer::set_exporter): it copies the spans
// into a bounded queue under a short lock and returns - never waits on the
// network; spans that do not fit are dropped and counted. A background
// thread takes batches (up to batch_spans, or whatever is queued after
// flush_ms), encodes them (ids as lower-case hex, times as decimal strings,
// integer-looking attributes as intValue) and POSTs them, retrying transport
// errors, 408, 429 and 5xx with exponential backoff; a batch that still
// fails, or gets another 4xx, is counted as failed. stop() drains what is
// queued (one attempt per batch) and joins the thread.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "telemetry/metrics.h"
#include "telemetry/trace.h"

namespace inplay {

struct OtlpExporterOptions {
  std::string endpoint;         // http://host:port/path (plain HTTP)
  std::string service_name = "inplay";
  size_t queue_spans = 65536;   // bounded queue; overflow is dropped
  size_t batch_spans = 512;
  int flush_ms = 500;           // a partial batch waits at most this long
  int timeout_ms = 5000;        // per POST
  int max_attempts = 5;         // per batch, including the first
  int backoff_ms = 100;         // first retry delay; doubles, capped below
  int max_backoff_ms = 5000;
};

// Optional metrics registry series; the exporter also keeps its own totals
// for exported()/dropped()/failed().
struct OtlpExporterCounters {
  Counter* exported = nullptr;
  Counter* dropped = nullptr;
  Counter* failed = nullptr;
};

class OtlpExporter {
 public:
  using Counters = OtlpExporterCounters;
  // One POST of a JSON body to the endpoint: the HTTP status, or 0 with
  // error set on a transport failure (the runtime passes http_call).
  using Transport = std::function<int(const std::string& body, std::string& error)>;
  OtlpExporter(OtlpExporterOptions opt, Transport transport, Counters counters = {});
  ~OtlpExporter();  // stop()
  OtlpExporter(const OtlpExporter&) = delete;
  OtlpExporter& operator=(const OtlpExporter&) = delete;

  // False (with a message) if the endpoint is not http://host:port/path.
  static bool parse_endpoint(const std::string& url, std::string& host, uint16_t& port,
                             std::string& path, std::string& err);

  void start();
  void stop();
  // Never blocks on I/O: queues copies of the spans or counts them dropped.
  void enqueue(const std::vector<Span>& spans);

  uint64_t exported() const { return exported_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  uint64_t failed() const { return failed_.load(); }

  // The OTLP/JSON ExportTraceServiceRequest for these spans.
  static std::string encode(const std::vector<Span>& spans, std::string_view service_name);

 private:
  void run();
  bool post(const std::string& body, bool draining);

  OtlpExporterOptions opt_;
  Transport transport_;
  Counters counters_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Span> queue_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<uint64_t> exported_{0}, dropped_{0}, failed_{0};
};

}  // namespace inplay
