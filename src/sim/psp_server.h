// PspServer: a simulated payment service provider (WAL-1, WAL-5, WAL-6),
// one per payment route, beside the simulated feeds and exchange: a real
// HTTP server on loopback that takes the book's deposits and payouts,
// honours their idempotency keys, calls back with signed notifications and
// keeps its own record — what reconciliation checks the book against.
//
//   POST /v1/payments        Idempotency-Key (1..128 visible ASCII) and
//       {"payment_id","kind":"deposit"|"payout","amount_minor":>0,
//        "currency":"GBP","account_ref","callback_url"?}
//       payment_id: 1..128 of [A-Za-z0-9._~:-] (it goes in a URL path and
//       the CSV unquoted); amount_minor: 1..10^12; currency: three upper-case
//       letters; account_ref: 1..256 chars, opaque; callback_url (optional):
//       http://127.0.0.1:<port>[/<path>]. Unknown fields are ignored.
//       A new key records a transaction, psp_ref "<name>-<n>", and decides
//       it: declined ("do_not_honour") by decline_rate, else pending by
//       async_rate (its final status, declined by decline_rate or
//       authorised, decided now and due callback_delay_ms later), else
//       authorised. 200 {"payment_id","psp_ref","status","reason"}.
//       The same key with the same payment_id, kind, amount and currency:
//       200 with the transaction's status now (never a second one; counted
//       in `requests`). The same key with another body: 409
//       IDEMPOTENCY_KEY_REUSED. No key: 400 IDEMPOTENCY_KEY_MISSING; a bad
//       body: 400 BAD_REQUEST naming the field.
//   GET  /v1/payments/{payment_id}  the newest transaction for it (404
//       NOT_FOUND): {"payment_id","psp_ref","idempotency_key","kind",
//       "amount_minor","currency","status","reason","requests","created_ms"}
//       — a pending one reads "pending" until its due time, then final.
//   GET  /v1/payments        {"transactions":[...]}: all, in psp_ref order.
//   GET  /v1/settlement-report  text/csv, the T+0 report: the header
//       psp_ref,payment_id,kind,amount_minor,currency,status,created_ms and
//       a row per transaction whose status is final, in psp_ref order.
//   GET/POST /v1/faults      the faults below (POST: a patch; absent fields
//       stay; an unknown field or a bad value is 400 naming it); answers
//       the full set.
// Errors are {"error":"<CODE>","message":"..."}; created_ms is wall-clock
// milliseconds since the Unix epoch.
//
// Callbacks: when a transaction is final and its request had a
// callback_url, the PSP POSTs {"payment_id","psp_ref","status","reason",
// "event_seq"} (event_seq counts the transaction's notifications from 1)
// signed "X-Psp-Signature: sha256=<hex HMAC-SHA256(callback_secret,
// body)>" — for every final status, the synchronous ones too (due when
// their answer is, so usually just after it), as real PSPs send webhooks
// for everything and the book deduplicates. A non-2xx answer or a transport
// failure is retried 3 more times, after 50, 200 and 1000 ms; then given up.
//
// Faults (apply(), POST /v1/faults, or the book's operator API):
// latency_ms (+ up to jitter_ms) before every POST /v1/payments answer —
// the transaction is recorded at once, so an answer that comes after the
// client gave up still stands; error_rate answers a POST /v1/payments 503
// PSP_UNAVAILABLE before reading it (nothing recorded); timeout_rate holds
// a new transaction's answer for hang_ms (or until stop()) though it is
// recorded and decided (and its callback due as if answered) — a repeat
// never hangs, so the retry with the same key gets the status; decline_rate,
// async_rate and callback_delay_ms as above; duplicate_callback_rate sends
// a transaction's final callback twice (same body and event_seq);
// out_of_order_rate sends, after the final callback, a stale
// {"status":"pending","event_seq":0} one; down answers every request but
// /v1/faults 503 PSP_UNAVAILABLE (callbacks already due still go: the
// webhook sender is apart from the API). Every random choice comes from one
// std::mt19937_64 seeded by `seed`, in request order: reproducible runs.
//
// Threading: thread-safe. The I/O thread only records and decides (under
// the mutex, no I/O); late answers go out from a delay thread and callbacks
// from two sender threads, never under the mutex. start() once, stop() once
// (the destructor stops): held answers are released, undelivered callbacks
// dropped.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "http/server.h"
#include "sim/delay_line.h"

namespace inplay {

struct PspFaults {
  int64_t latency_ms = 5;
  int64_t jitter_ms = 0;
  double error_rate = 0.0;
  double timeout_rate = 0.0;
  int64_t hang_ms = 30000;
  double decline_rate = 0.0;
  double async_rate = 0.0;
  int64_t callback_delay_ms = 50;
  double duplicate_callback_rate = 0.0;
  double out_of_order_rate = 0.0;
  bool down = false;
};

struct PspFaultPatch {
  std::optional<int64_t> latency_ms = {};
  std::optional<int64_t> jitter_ms = {};
  std::optional<double> error_rate = {};
  std::optional<double> timeout_rate = {};
  std::optional<int64_t> hang_ms = {};
  std::optional<double> decline_rate = {};
  std::optional<double> async_rate = {};
  std::optional<int64_t> callback_delay_ms = {};
  std::optional<double> duplicate_callback_rate = {};
  std::optional<double> out_of_order_rate = {};
  std::optional<bool> down = {};
};

// A fault patch from a JSON body (POST /v1/faults here, and the book's
// operator route for a route's PSP): absent fields stay. Durations are
// integers from 0 to 600000 ms, rates numbers from 0 to 1, down a boolean;
// an unknown field or a bad value is VALIDATION_FAILED naming it, a body
// that is not a JSON object MALFORMED_REQUEST.
Result<PspFaultPatch> parse_psp_faults_body(std::string_view body);
// Every fault, as one JSON object with the field names above.
std::string psp_faults_json(const PspFaults& f);

enum class PspKind { kDeposit, kPayout };
enum class PspStatus { kPending, kAuthorised, kDeclined };
std::string_view psp_kind_name(PspKind k);      // "deposit", "payout"
std::string_view psp_status_name(PspStatus s);  // "pending", "authorised", "declined"

// A transaction as the PSP records it, its status as of the reading.
struct PspTransaction {
  std::string psp_ref;  // "<name>-<n>", n from 1 in arrival order
  std::string payment_id;
  std::string idempotency_key;
  PspKind kind = PspKind::kDeposit;
  int64_t amount_minor = 0;
  std::string currency;
  std::string account_ref;
  std::string callback_url;  // empty: none asked for
  PspStatus status = PspStatus::kPending;
  std::string reason;      // "do_not_honour" when declined, else empty
  int requests = 0;        // times its key was sent, the first included
  int64_t created_ms = 0;  // wall clock, ms since the Unix epoch
};

class PspServer final : public HttpHandler {
 public:
  // name: [A-Za-z0-9_.-]{1,64}, the route's name (psp_ref's prefix);
  // callback_secret: non-empty. Throws std::invalid_argument otherwise.
  PspServer(std::string name, std::string callback_secret, uint64_t seed);
  ~PspServer() override;
  PspServer(const PspServer&) = delete;
  PspServer& operator=(const PspServer&) = delete;

  uint16_t start();  // binds 127.0.0.1 on an ephemeral port; throws on bind error
  void stop();
  const std::string& name() const { return name_; }
  uint16_t port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:<port>"

  PspFaults apply(const PspFaultPatch& p);  // returns the faults now in force
  PspFaults faults() const;
  std::vector<PspTransaction> transactions() const;  // in psp_ref order
  std::string transactions_json() const;             // GET /v1/payments' body
  std::string settlement_report_csv() const;

  void handle(HttpRequest&& req, Responder respond) override;

 private:
  struct Entry;
  struct Notice;
  HttpResponse take_payment(const HttpRequest& req, int64_t& answer_ms);
  HttpResponse read_payment(std::string_view payment_id) const;
  HttpResponse faults_call(const HttpRequest& req);
  PspTransaction view(const Entry& e, int64_t now_ns) const;
  void deliver(std::shared_ptr<const Notice> n, size_t i, int attempt);
  bool chance(double p);  // under mu_

  const std::string name_;
  const std::string secret_;
  RealClock wall_;
  mutable std::mutex mu_;
  PspFaults faults_;
  std::vector<Entry> entries_;                               // in psp_ref order (n - 1)
  std::unordered_map<std::string, size_t> by_key_;           // idempotency key -> entry
  std::unordered_map<std::string, size_t> newest_by_payment_;  // payment_id -> newest entry
  std::mt19937_64 rng_;
  DelayLine answers_{1, DelayLine::AtShutdown::kRun};     // late HTTP answers
  DelayLine callbacks_{2, DelayLine::AtShutdown::kDrop};  // callback sends and retries
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace inplay
