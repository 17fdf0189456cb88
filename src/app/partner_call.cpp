// PartnerCall (contract in app/partner_call.h).
#include "app/partner_call.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace inplay {

namespace {
constexpr size_t kMaxQueue = 4096;
}  // namespace

PartnerCall::PartnerCall(PartnerTerms terms, const std::string& url, const std::string& url_error,
                         PartnerSeries series, std::string queue_full, const Clock* breaker_clock)
    : terms_(std::move(terms)),
      series_(series),
      queue_full_(std::move(queue_full)),
      breaker_clock_(breaker_clock),
      timeout_ms_(static_cast<int>(std::max<int64_t>(1, terms_.timeout.count() / 1000000))),
      breaker_(terms_.breaker_failures, terms_.breaker_open.count()),
      workers_(terms_.threads, kMaxQueue) {
  if (!parse_http_url(url, host_, port_)) throw std::invalid_argument(url_error);
}

PartnerCall::~PartnerCall() { stop(); }

void PartnerCall::start() {
  stopping_ = false;
  workers_.start();
}

void PartnerCall::stop() {
  stopping_ = true;
  workers_.stop();
  std::lock_guard<std::mutex> lk(pool_mu_);
  idle_.clear();
}

int64_t PartnerCall::breaker_now() const {
  return breaker_clock_ ? to_ns(breaker_clock_->now()) : monotonic_ns();
}

bool PartnerCall::available() const { return breaker_.would_allow(breaker_now()); }

CircuitBreaker::State PartnerCall::breaker_state() const { return breaker_.state(breaker_now()); }

void PartnerCall::queue(std::function<void()> call, std::function<void(const char* why)> never_sent) {
  auto job = [call = std::move(call), never_sent](bool cancelled) {
    if (cancelled) return never_sent("stopping");
    call();
  };
  if (!workers_.post(std::move(job))) never_sent(stopping_ ? "stopping" : queue_full_.c_str());
}

HttpCallResult PartnerCall::call(const std::string& method, const std::string& target,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body) const {
  std::unique_ptr<KeepAliveConnection> c;
  {
    std::lock_guard<std::mutex> lk(pool_mu_);
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!c) c = std::make_unique<KeepAliveConnection>(host_, port_);
  const uint64_t before = c->connects();
  HttpCallResult r = c->call(method, target, headers, body, timeout_ms_);
  connects_ += c->connects() - before;
  if (c->open() && !stopping_) {
    std::lock_guard<std::mutex> lk(pool_mu_);
    idle_.push_back(std::move(c));
  }
  return r;
}

HttpCallResult PartnerCall::get(const std::string& target) const { return call("GET", target, {}, ""); }

PartnerCall::Tried PartnerCall::post(const std::string& target, const std::string& idempotency_key,
                                     const std::string& body, const Read& read) {
  const int64_t start = monotonic_ns();
  Tried t;
  int64_t wait_ms = std::max<int64_t>(1, terms_.retry.count() / 1000000);
  for (int i = 0; i < terms_.attempts && !stopping_; ++i) {
    if (!breaker_.allow(breaker_now())) {
      t.detail = t.attempts ? t.detail + "; then the circuit breaker opened" : "circuit breaker open";
      break;
    }
    ++t.attempts;
    HttpCallResult r =
        call("POST", target, {{"Idempotency-Key", idempotency_key}, {"Content-Type", "application/json"}}, body);
    std::string detail;
    if (read(r, detail)) {
      breaker_.record_success();
      series_.breaker_open->set(0);
      series_.calls_ok->inc();
      t.heard = true;
      t.detail.clear();
      t.took_ns = monotonic_ns() - start;
      return t;
    }
    const uint64_t opened = breaker_.opened_total();
    breaker_.record_failure(breaker_now());
    ++failed_calls_;
    series_.calls_failed->inc();
    if (breaker_.opened_total() != opened) {
      if (series_.breaker_opened) series_.breaker_opened->inc();
      series_.breaker_open->set(1);
    }
    t.detail = std::move(detail);
    if (i + 1 < terms_.attempts && !stopping_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      wait_ms *= 2;
    }
  }
  t.took_ns = monotonic_ns() - start;
  return t;
}

}  // namespace inplay
