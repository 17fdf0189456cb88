#include "http/loadgen.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "core/clock.h"
#include "core/json.h"

namespace inplay {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

using Socket = asio::basic_stream_socket<tcp, asio::io_context::executor_type>;
using Timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                         asio::wait_traits<std::chrono::steady_clock>,
                                         asio::io_context::executor_type>;

constexpr auto kReconnectBackoff = std::chrono::milliseconds(10);
// After the window closes, requests still in flight get this long to finish.
constexpr auto kGrace = std::chrono::seconds(1);

void append_request(std::string& out, const LoadgenOptions& o, std::string_view host,
                    std::string_view path, std::string_view body,
                    const std::vector<std::pair<std::string, std::string>>* extra) {
  out.clear();
  out.append(o.method).append(" ").append(path.empty() ? std::string_view(o.path) : path);
  out.append(" HTTP/1.1\r\nHost: ").append(host).append("\r\nUser-Agent: inplay-loadgen\r\n");
  for (const auto& [k, v] : o.headers) out.append(k).append(": ").append(v).append("\r\n");
  if (extra) {
    for (const auto& [k, v] : *extra) out.append(k).append(": ").append(v).append("\r\n");
  }
  if (!body.empty() || (o.method != "GET" && o.method != "HEAD")) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
}

// What one loadgen thread measured; merged after the threads join.
struct ThreadStats {
  std::vector<int64_t> latencies;
  std::vector<int64_t> latencies_2xx;
  std::vector<int64_t> latencies_accepted;
  uint64_t errors = 0;
  uint64_t non_2xx = 0;
  std::map<int, uint64_t> by_status;
  std::map<StatusCode, uint64_t> mix;
};

struct Run {
  const LoadgenOptions& opts;
  tcp::endpoint endpoint;
  std::string host_header;
  std::string fixed_request;  // used when make_request is unset
  int64_t measure_from_ns = 0;
  int64_t end_ns = 0;
  std::atomic<uint64_t> next_n{0};
  // Paced runs (LoadgenOptions::rate): each connection sends every
  // interval_ns, the connections offset_ns apart from t0_ns.
  int64_t t0_ns = 0;
  int64_t interval_ns = 0;
  double offset_ns = 0;
  std::atomic<uint64_t> conn_seq{0};
};

class Worker;

// One connection with one request in flight.
class Conn {
 public:
  Conn(Run& run, Worker& worker, asio::io_context& ioc, size_t index)
      : run_(run), worker_(worker), sock_(ioc), backoff_(ioc), index_(index) {}
  void connect();
  void abort() {
    beast::error_code ec;
    sock_.close(ec);
    backoff_.cancel();
  }

 private:
  void send();
  void send_now(int64_t due_ns);
  void on_read(beast::error_code ec);
  void on_error();
  void finish();

  Run& run_;
  Worker& worker_;
  Socket sock_;
  Timer backoff_;
  size_t index_;
  beast::flat_buffer buf_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::string request_;
  int64_t start_ns_ = 0;
  int64_t due_ns_ = 0;  // paced: when this connection's next request is due
  bool finished_ = false;
};

class Worker {
 public:
  Worker(Run& run, int conns) : run_(run), grace_(ioc_) {
    for (int i = 0; i < conns; ++i) conns_.push_back(std::make_unique<Conn>(run, *this, ioc_, conns_.size()));
    active_ = conns;
  }
  void run() {
    for (auto& c : conns_) c->connect();
    grace_.expires_at(std::chrono::steady_clock::time_point(
                          std::chrono::nanoseconds(run_.end_ns)) +
                      kGrace);
    grace_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      done_ = true;
      for (auto& c : conns_) c->abort();
    });
    ioc_.run();
  }
  bool done() const { return done_; }
  void conn_finished() {
    if (--active_ == 0) grace_.cancel();
  }
  ThreadStats stats;

 private:
  Run& run_;
  asio::io_context ioc_{1};
  Timer grace_;
  std::vector<std::unique_ptr<Conn>> conns_;
  int active_ = 0;
  bool done_ = false;
};

void Conn::connect() {
  if (worker_.done() || monotonic_ns() >= run_.end_ns) return finish();
  sock_.async_connect(run_.endpoint, [this](beast::error_code ec) {
    if (ec) return on_error();
    beast::error_code ignore;
    sock_.set_option(tcp::no_delay(true), ignore);
    buf_.clear();
    send();
  });
}

void Conn::send() {
  if (worker_.done() || monotonic_ns() >= run_.end_ns) return finish();
  if (run_.interval_ns > 0) {
    // Paced: this connection's share of the rate, its first request offset
    // so the connections spread evenly over the interval.
    if (due_ns_ == 0)
      due_ns_ = run_.t0_ns + static_cast<int64_t>(run_.offset_ns * static_cast<double>(run_.conn_seq.fetch_add(1)));
    const int64_t now = monotonic_ns();
    if (due_ns_ > now) {
      backoff_.expires_at(std::chrono::steady_clock::time_point(std::chrono::nanoseconds(due_ns_)));
      backoff_.async_wait([this](beast::error_code ec) {
        if (ec) return finish();
        const int64_t due = due_ns_;
        due_ns_ = 0;  // sentinel off: fire now
        send_now(due);
      });
      return;
    }
    const int64_t due = due_ns_;
    send_now(due);
    return;
  }
  send_now(0);
}

void Conn::send_now(int64_t due_ns) {
  if (worker_.done() || monotonic_ns() >= run_.end_ns) return finish();
  if (due_ns > 0) due_ns_ = due_ns + run_.interval_ns;
  uint64_t n = run_.next_n.fetch_add(1, std::memory_order_relaxed);
  if (run_.opts.max_requests > 0 && n >= static_cast<uint64_t>(run_.opts.max_requests)) {
    return finish();
  }
  const std::string* bytes = &run_.fixed_request;
  if (run_.opts.make_request) {
    LoadRequest r = run_.opts.make_request(n);
    append_request(request_, run_.opts, run_.host_header, r.path, r.body, &r.headers);
    bytes = &request_;
  }
  parser_.emplace();
  parser_->body_limit(std::numeric_limits<uint64_t>::max());
  if (run_.opts.method == "HEAD") parser_->skip(true);
  // Paced: latency counts from when the request was due, so a server that
  // falls behind is charged for the wait it caused (no coordinated omission).
  start_ns_ = due_ns > 0 ? due_ns : monotonic_ns();
  asio::async_write(sock_, asio::buffer(*bytes), [this](beast::error_code ec, size_t) {
    if (ec) return on_error();
    http::async_read(sock_, buf_, *parser_,
                     [this](beast::error_code ec, size_t) { on_read(ec); });
  });
}

void Conn::on_read(beast::error_code ec) {
  if (ec) return on_error();
  int64_t now = monotonic_ns();
  auto& res = parser_->get();
  // Paced runs count the answers that arrive inside the window (a lagging
  // client sends requests due late in the window only after it closes).
  const int64_t at = run_.interval_ns > 0 ? now : start_ns_;
  if (at >= run_.measure_from_ns && at < run_.end_ns) {
    auto& st = worker_.stats;
    st.latencies.push_back(now - start_ns_);
    int status = res.result_int();
    const bool is_2xx = status >= 200 && status <= 299;
    if (is_2xx) st.latencies_2xx.push_back(now - start_ns_);
    const int want = run_.opts.accepted_status;
    if (want == 0 ? is_2xx : status == want) st.latencies_accepted.push_back(now - start_ns_);
    ++st.by_status[status];
    ++st.mix[StatusCode{status, is_2xx ? std::string() : error_code_of(res.body())}];
    if (!is_2xx) ++st.non_2xx;
  }
  if (!res.keep_alive()) {
    beast::error_code ignore;
    sock_.close(ignore);
    return connect();
  }
  send();
}

void Conn::on_error() {
  if (worker_.done() || finished_) return finish();
  ++worker_.stats.errors;
  beast::error_code ignore;
  sock_.close(ignore);
  backoff_.expires_after(kReconnectBackoff);
  backoff_.async_wait([this](beast::error_code ec) {
    if (ec) return finish();
    connect();
  });
}

void Conn::finish() {
  if (finished_) return;
  finished_ = true;
  beast::error_code ignore;
  sock_.close(ignore);
  worker_.conn_finished();
}

int64_t percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

tcp::endpoint resolve(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (!ec) return {ip, port};
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::to_string(port), ec);
  if (ec || results.empty()) {
    throw std::invalid_argument("loadgen: cannot resolve host " + host + ": " + ec.message());
  }
  return *results.begin();
}

}  // namespace

std::string error_code_of(std::string_view body) {
  constexpr std::string_view kError = R"("error":{)";
  constexpr std::string_view kCode = R"("code":")";
  auto e = body.find(kError);
  if (e == std::string_view::npos) return {};
  auto c = body.find(kCode, e + kError.size());
  if (c == std::string_view::npos) return {};
  c += kCode.size();
  auto end = body.find('"', c);
  if (end == std::string_view::npos) return {};
  return std::string(body.substr(c, end - c));
}

std::string format_status_mix(const LoadgenResult& r) {
  std::string out;
  for (const auto& [sc, n] : r.mix) {
    if (!out.empty()) out += ", ";
    out += sc.code.empty() ? fmt::format("{} {}", sc.status, n) : fmt::format("{} {} {}", sc.status, sc.code, n);
    if (r.requests > 0) out += fmt::format(" ({:.1f} %)", 100.0 * static_cast<double>(n) / static_cast<double>(r.requests));
  }
  return out.empty() ? std::string("none") : out;
}

LoadgenResult run_loadgen(const LoadgenOptions& opts) {
  if (opts.port == 0) throw std::invalid_argument("loadgen: port is required");
  if (opts.connections < 1) throw std::invalid_argument("loadgen: connections must be >= 1");
  if (!(opts.duration_s > 0) || opts.warmup_s < 0) {
    throw std::invalid_argument("loadgen: duration must be > 0 and warm-up >= 0");
  }
  Run run{opts, resolve(opts.host, opts.port), opts.host + ":" + std::to_string(opts.port), {}};
  append_request(run.fixed_request, opts, run.host_header, opts.path, {}, nullptr);

  int nthreads = std::clamp(opts.threads, 1, opts.connections);
  int64_t t0 = monotonic_ns();
  run.measure_from_ns = t0 + static_cast<int64_t>(opts.warmup_s * 1e9);
  run.end_ns = run.measure_from_ns + static_cast<int64_t>(opts.duration_s * 1e9);
  if (opts.rate > 0) {
    run.t0_ns = t0 + 50'000'000;  // after the connects
    run.interval_ns = static_cast<int64_t>(1e9 * opts.connections / opts.rate);
    run.offset_ns = 1e9 / opts.rate;
  }

  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < nthreads; ++i) {
    int conns = opts.connections / nthreads + (i < opts.connections % nthreads ? 1 : 0);
    workers.push_back(std::make_unique<Worker>(run, conns));
  }
  std::vector<std::thread> threads;
  std::atomic<size_t> finished{0};
  for (auto& w : workers) threads.emplace_back([&w, &finished] {
    w->run();
    finished.fetch_add(1);
  });
  // Wakes at the window's edges for the callers' hooks; polls so that a
  // capped run (max_requests) that ends early is not waited for.
  auto wait_until = [&](int64_t at) {
    while (finished.load() < workers.size() && monotonic_ns() < at)
      std::this_thread::sleep_for(std::chrono::nanoseconds(std::clamp<int64_t>(at - monotonic_ns(), 0, 5'000'000)));
  };
  wait_until(run.measure_from_ns);
  if (opts.on_window_open) opts.on_window_open();
  wait_until(run.end_ns);
  if (opts.on_window_close) opts.on_window_close();
  for (auto& t : threads) t.join();

  LoadgenResult r;
  std::vector<int64_t> all, ok, accepted;
  for (auto& w : workers) {
    auto& st = w->stats;
    all.insert(all.end(), st.latencies.begin(), st.latencies.end());
    ok.insert(ok.end(), st.latencies_2xx.begin(), st.latencies_2xx.end());
    accepted.insert(accepted.end(), st.latencies_accepted.begin(), st.latencies_accepted.end());
    r.errors += st.errors;
    r.non_2xx += st.non_2xx;
    for (auto [status, n] : st.by_status) r.by_status[status] += n;
    for (const auto& [sc, n] : st.mix) r.mix[sc] += n;
  }
  std::sort(all.begin(), all.end());
  r.requests = all.size();
  // A capped run ends early; an uncapped one measures the whole window.
  int64_t window_end = std::min(run.end_ns, monotonic_ns());
  r.seconds = static_cast<double>(std::max<int64_t>(window_end - run.measure_from_ns, 1)) / 1e9;
  r.rps = static_cast<double>(r.requests) / r.seconds;
  r.accepted = accepted.size();
  r.accepted_per_s = static_cast<double>(r.accepted) / r.seconds;
  r.p50_ns = percentile(all, 0.50);
  r.p90_ns = percentile(all, 0.90);
  r.p99_ns = percentile(all, 0.99);
  r.p999_ns = percentile(all, 0.999);
  r.max_ns = all.empty() ? 0 : all.back();
  std::sort(ok.begin(), ok.end());
  r.ok_p50_ns = percentile(ok, 0.50);
  r.ok_p99_ns = percentile(ok, 0.99);
  std::sort(accepted.begin(), accepted.end());
  r.accepted_p50_ns = percentile(accepted, 0.50);
  r.accepted_p99_ns = percentile(accepted, 0.99);
  return r;
}

std::string format_loadgen_text(const LoadgenResult& r) {
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  std::string out = fmt::format("requests  {} in {:.2f} s = {:.0f} req/s\n", r.requests, r.seconds, r.rps);
  out += fmt::format("errors    {} transport, {} non-2xx\n", r.errors, r.non_2xx);
  out += "mix       " + format_status_mix(r);
  out += fmt::format("\nlatency   p50 {:.3f} ms  p90 {:.3f} ms  p99 {:.3f} ms  p99.9 {:.3f} ms  max {:.3f} ms\n",
                     ms(r.p50_ns), ms(r.p90_ns), ms(r.p99_ns), ms(r.p999_ns), ms(r.max_ns));
  uint64_t ok = 0;
  for (auto [status, n] : r.by_status)
    if (status >= 200 && status <= 299) ok += n;
  out += fmt::format("2xx       {} = {:.0f}/s  p50 {:.3f} ms  p99 {:.3f} ms\n", ok,
                     static_cast<double>(ok) / r.seconds, ms(r.ok_p50_ns), ms(r.ok_p99_ns));
  out += fmt::format("accepted  {} = {:.0f}/s  p50 {:.3f} ms  p99 {:.3f} ms\n", r.accepted, r.accepted_per_s,
                     ms(r.accepted_p50_ns), ms(r.accepted_p99_ns));
  return out;
}

std::string format_loadgen_json(const LoadgenResult& r) {
  JsonWriter w;
  w.begin_object();
  w.field("requests", r.requests).field("errors", r.errors).field("non_2xx", r.non_2xx);
  w.key("by_status").begin_object();
  for (auto [status, n] : r.by_status) w.field(std::to_string(status), n);
  w.end_object();
  w.key("mix").begin_object();
  for (const auto& [sc, n] : r.mix)
    w.field(sc.code.empty() ? std::to_string(sc.status) : fmt::format("{} {}", sc.status, sc.code), n);
  w.end_object();
  w.field("accepted", r.accepted);
  w.key("accepted_per_s").raw(fmt::format("{:.1f}", r.accepted_per_s));
  w.key("seconds").raw(fmt::format("{:.3f}", r.seconds));
  w.key("rps").raw(fmt::format("{:.1f}", r.rps));
  w.key("latency_ns").begin_object();
  w.field("p50", r.p50_ns).field("p90", r.p90_ns).field("p99", r.p99_ns);
  w.field("p999", r.p999_ns).field("max", r.max_ns);
  w.end_object();
  w.key("latency_2xx_ns").begin_object().field("p50", r.ok_p50_ns).field("p99", r.ok_p99_ns).end_object();
  w.key("latency_accepted_ns").begin_object().field("p50", r.accepted_p50_ns).field("p99", r.accepted_p99_ns).end_object();
  w.end_object();
  return w.take();
}

}  // namespace inplay
