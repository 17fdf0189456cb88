#include "app/notifier.h"

#include "http/client.h"
#include "telemetry/log.h"

namespace inplay {

Notifier::Notifier(MetricsRegistry& metrics, size_t max_queue) : max_queue_(max_queue) {
  auto& f = metrics.counter("alert_deliveries_total", "Notification deliveries to webhooks and Alertmanager",
                            {"result"});
  sent_ = &f.with({"sent"});
  failed_ = &f.with({"failed"});
  dropped_ = &f.with({"dropped"});
}

Notifier::~Notifier() { stop(); }

void Notifier::start() { thread_ = std::thread([this] { run(); }); }

void Notifier::stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::post(const std::string& url, const std::string& body) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (queue_.size() >= max_queue_) {
      dropped_->inc();
      return;
    }
    queue_.emplace_back(url, body);
  }
  cv_.notify_one();
}

bool Notifier::deliver(const std::string& url, const std::string& body) {
  std::string host;
  uint16_t port = 0;
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  std::string base = slash == std::string::npos ? url : url.substr(0, slash);
  std::string path = slash == std::string::npos ? "/" : url.substr(slash);
  if (!parse_http_url(base, host, port)) return false;
  HttpCallResult r = http_call(host, port, "POST", path, {{"Content-Type", "application/json"}}, body, 2000);
  return r.status >= 200 && r.status < 300;
}

void Notifier::run() {
  for (;;) {
    std::pair<std::string, std::string> item;
    bool last_call;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      last_call = stopping_;
    }
    bool ok = false;
    for (int attempt = 0; attempt < (last_call ? 1 : 3) && !ok; ++attempt) {
      if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(200 << attempt));
      ok = deliver(item.first, item.second);
    }
    (ok ? sent_ : failed_)->inc();
    if (!ok) log::warn("alert", "notification not delivered", {{"url", item.first}});
  }
}

}  // namespace inplay
