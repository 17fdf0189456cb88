#include "app/reconciler.h"

#include <fmt/format.h>

#include <future>

#include "http/client.h"
#include "telemetry/log.h"

namespace inplay {

namespace {
constexpr auto kBookReadWait = std::chrono::seconds(5);
}

Reconciler::Reconciler(Engine& engine, Clock& clock, ReconciliationBoard& board, MetricsRegistry& metrics,
                       std::vector<Route> routes, std::chrono::milliseconds every, std::string currency, int timeout_ms)
    : engine_(engine), clock_(clock), board_(board), routes_(std::move(routes)), currency_(std::move(currency)),
      timeout_ms_(timeout_ms) {
  runs_ = &metrics.counter("payment_reconciliation_runs_total",
                           "Reconciliations of a PSP route against its settlement report, by result: ok or failed "
                           "(the report could not be fetched or read, or the book did not answer)",
                           {"route", "result"});
  mismatches_ = &metrics.gauge("payment_reconciliation_mismatches",
                               "Mismatches the last good reconciliation of a PSP route found, by kind",
                               {"route", "kind"});
  duplicates_ = &metrics
                     .gauge("payment_duplicate_tx",
                            "Book payments a PSP holds more than once (duplicate charges), over every route's last "
                            "reconciliation")
                     .with({});
  for (const Route& r : routes_) {
    runs_->with({r.name, "ok"});
    runs_->with({r.name, "failed"});
    for (MismatchKind k : kMismatchKinds) mismatches_->with({r.name, mismatch_kind_name(k)});
  }
  FollowerLoop::Hooks hooks;
  hooks.pass = [this] { pass(); };
  loop_ = std::make_unique<FollowerLoop>("reconciler", every, std::chrono::milliseconds(100),
                                         std::chrono::milliseconds(5000), std::move(hooks));
}

Reconciler::~Reconciler() { stop(); }

void Reconciler::start() {
  {
    std::lock_guard lk(mu_);
    stopped_ = false;
  }
  board_.set_runner([this](std::function<void()> done) { ask(std::move(done)); });
  loop_->start();  // the first pass at once
}

void Reconciler::stop() {
  board_.set_runner({});
  loop_->stop();
  std::vector<std::function<void()>> left;
  {
    std::lock_guard lk(mu_);
    stopped_ = true;
    left.swap(asked_);
  }
  for (auto& done : left) done();
}

void Reconciler::ask(std::function<void()> done) {
  {
    std::lock_guard lk(mu_);
    if (stopped_) {
      done();
      return;
    }
    asked_.push_back(std::move(done));
  }
  loop_->poke();
}

Reconciler::BookSide Reconciler::read_book(const std::string& route, bool copy) {
  auto promise = std::make_shared<std::promise<BookSide>>();
  std::future<BookSide> got = promise->get_future();
  Engine* e = &engine_;
  const bool queued = engine_.submit(
      [e, promise, route, copy] {
        BookSide b;
        b.ok = true;
        for (const auto& [id, p] : e->state().payments.all()) {
          if (p.route == route && p.status == PaymentStatus::kAuthorised) b.authorised.insert(id);
          if (copy) b.payments.push_back(p);
        }
        promise->set_value(std::move(b));
      },
      [promise](const std::exception&) { promise->set_value(BookSide{}); });
  if (!queued || got.wait_for(kBookReadWait) != std::future_status::ready) return BookSide{};
  return got.get();
}

void Reconciler::pass() {
  std::vector<std::function<void()>> answering;
  {
    std::lock_guard lk(mu_);
    answering.swap(asked_);  // asks made from here on wait for the next pass
  }
  for (const Route& r : routes_) run_route(r);
  duplicates_->set(static_cast<int64_t>(board_.duplicates()));
  for (auto& done : answering) done();
}

void Reconciler::run_route(const Route& r) {
  const int64_t start = monotonic_ns();
  auto failed = [&](std::string why) {
    runs_->with({r.name, "failed"}).inc();
    log::warn("payment", "reconciliation failed", {{"route", r.name}, {"error", why}});
    board_.record_failed(r.name, to_ms(clock_.now()), (monotonic_ns() - start) / 1000000, std::move(why));
  };
  std::string host;
  uint16_t port = 0;
  if (!parse_http_url(r.url, host, port)) return failed("the route's url is not http://host:port");
  BookSide before = read_book(r.name, false);
  if (!before.ok) return failed("the engine did not answer the book's read in time");
  HttpCallResult got = http_call(host, port, "GET", "/v1/settlement-report", {}, "", timeout_ms_);
  if (got.status != 200)
    return failed(got.status == 0 ? fmt::format("no settlement report: {}", got.error)
                                  : fmt::format("no settlement report: the PSP answered {}", got.status));
  auto rows = parse_settlement_report(got.body);
  if (!rows) return failed(rows.error().message);
  BookSide after = read_book(r.name, true);
  if (!after.ok) return failed("the engine did not answer the book's read in time");
  Reconciliation result = reconcile(r.name, after.payments, rows.value(), currency_, &before.authorised);
  runs_->with({r.name, "ok"}).inc();
  for (MismatchKind k : kMismatchKinds)
    mismatches_->with({r.name, mismatch_kind_name(k)}).set(static_cast<int64_t>(result.count(k)));
  const auto level = result.mismatches.empty() ? LogLevel::kInfo : LogLevel::kWarn;
  log::write(level, "payment", "reconciliation ran",
             {{"route", r.name}, {"rows", static_cast<uint64_t>(result.rows)},
              {"book_payments", static_cast<uint64_t>(result.book_payments)},
              {"mismatches", static_cast<uint64_t>(result.mismatches.size())},
              {"duplicates", static_cast<uint64_t>(result.duplicates)},
              {"unsettled", static_cast<uint64_t>(result.unsettled)}});
  board_.record_ok(r.name, to_ms(clock_.now()), (monotonic_ns() - start) / 1000000, std::move(result));
}

}  // namespace inplay
