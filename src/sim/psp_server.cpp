// PspServer (contract in sim/psp_server.h).
#include "sim/psp_server.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include "core/hmac.h"
#include "core/json.h"
#include "core/money.h"
#include "http/body.h"
#include "http/body_fields.h"
#include "http/client.h"
#include "sim/partner_http.h"

namespace inplay {

using namespace body_fields;
using namespace partner_http;

namespace {

constexpr int kCallbackTimeoutMs = 2000;
// Waits before the 2nd, 3rd and 4th (last) try of a callback.
constexpr std::array<int64_t, 3> kCallbackBackoffMs = {50, 200, 1000};
constexpr std::string_view kDeclineReason = "do_not_honour";

struct CallbackTarget {
  std::string host;
  uint16_t port = 0;
  std::string target;  // path and query
};

// "http://127.0.0.1:<port>[/<path>]": loopback only, as the simulated world is.
std::optional<CallbackTarget> parse_callback_url(std::string_view url) {
  constexpr std::string_view kPrefix = "http://127.0.0.1:";
  if (url.size() > 512 || url.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string_view rest = url.substr(kPrefix.size());
  size_t digits = 0;
  uint32_t port = 0;
  while (digits < rest.size() && digits < 6 && std::isdigit(static_cast<unsigned char>(rest[digits])))
    port = port * 10 + static_cast<uint32_t>(rest[digits++] - '0');
  if (digits == 0 || port == 0 || port > 65535) return std::nullopt;
  std::string_view path = rest.substr(digits);
  if (!path.empty() && path[0] != '/') return std::nullopt;
  for (char c : path)
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  return CallbackTarget{"127.0.0.1", static_cast<uint16_t>(port), path.empty() ? "/" : std::string(path)};
}

HttpResponse unavailable() { return error_response(503, "PSP_UNAVAILABLE", "the payment provider is unavailable"); }

// A payment request's body, as read.
struct PaymentBody {
  std::string payment_id;
  PspKind kind = PspKind::kDeposit;
  int64_t amount_minor = 0;
  std::string currency;
  std::string account_ref;
  std::string callback_url;
  std::optional<CallbackTarget> callback;
};

Result<PaymentBody> parse_payment_body(std::string_view body) {
  PaymentBody b;
  bool has_id = false, has_kind = false, has_amount = false, has_ccy = false, has_ref = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "payment_id") {
      has_id = true;
      if (auto e = get_string(v, k, b.payment_id)) return e;
      if (!valid_ref(b.payment_id)) return invalid(k, "must match [A-Za-z0-9._~:-]{1,128}");
    } else if (k == "kind") {
      has_kind = true;
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (s != "deposit" && s != "payout") return invalid(k, "must be deposit or payout");
      b.kind = s == "deposit" ? PspKind::kDeposit : PspKind::kPayout;
    } else if (k == "amount_minor") {
      has_amount = true;
      if (auto e = get_int(v, k, b.amount_minor, 1, kMaxAmountMinor)) return e;
    } else if (k == "currency") {
      has_ccy = true;
      Currency c;
      if (auto e = get_string(v, k, b.currency)) return e;
      if (!Currency::parse(b.currency, c)) return invalid(k, "must be a 3-letter ISO 4217 code");
    } else if (k == "account_ref") {
      has_ref = true;
      if (auto e = get_string(v, k, b.account_ref)) return e;
      if (b.account_ref.empty() || b.account_ref.size() > 256) return invalid(k, "must be 1 to 256 characters");
    } else if (k == "callback_url") {
      if (auto e = get_string(v, k, b.callback_url)) return e;
      b.callback = parse_callback_url(b.callback_url);
      if (!b.callback) return invalid(k, "must be http://127.0.0.1:<port>/<path>");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_id) return invalid("payment_id", "is required");
  if (!has_kind) return invalid("kind", "is required");
  if (!has_amount) return invalid("amount_minor", "is required");
  if (!has_ccy) return invalid("currency", "is required");
  if (!has_ref) return invalid("account_ref", "is required");
  return b;
}

void write_transaction(JsonWriter& w, const PspTransaction& t) {
  w.begin_object()
      .field("payment_id", t.payment_id)
      .field("psp_ref", t.psp_ref)
      .field("idempotency_key", t.idempotency_key)
      .field("kind", psp_kind_name(t.kind))
      .field("amount_minor", t.amount_minor)
      .field("currency", t.currency)
      .field("status", psp_status_name(t.status))
      .field("reason", t.reason)
      .field("requests", t.requests)
      .field("created_ms", t.created_ms)
      .end_object();
}

std::string notice_body(const PspTransaction& t, PspStatus status, std::string_view reason, int event_seq) {
  JsonWriter w;
  w.begin_object()
      .field("payment_id", t.payment_id)
      .field("psp_ref", t.psp_ref)
      .field("status", psp_status_name(status))
      .field("reason", reason)
      .field("event_seq", event_seq)
      .end_object();
  return w.take();
}

}  // namespace

// ------------------------------------------------------------ faults

Result<PspFaultPatch> parse_psp_faults_body(std::string_view body) {
  PspFaultPatch f;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "latency_ms") return fault_ms(v, k, f.latency_ms);
    if (k == "jitter_ms") return fault_ms(v, k, f.jitter_ms);
    if (k == "hang_ms") return fault_ms(v, k, f.hang_ms);
    if (k == "callback_delay_ms") return fault_ms(v, k, f.callback_delay_ms);
    if (k == "error_rate") return fault_rate(v, k, f.error_rate);
    if (k == "timeout_rate") return fault_rate(v, k, f.timeout_rate);
    if (k == "decline_rate") return fault_rate(v, k, f.decline_rate);
    if (k == "async_rate") return fault_rate(v, k, f.async_rate);
    if (k == "duplicate_callback_rate") return fault_rate(v, k, f.duplicate_callback_rate);
    if (k == "out_of_order_rate") return fault_rate(v, k, f.out_of_order_rate);
    if (k == "down") return fault_flag(v, k, f.down);
    return invalid(k,
                   "unknown field (latency_ms, jitter_ms, error_rate, timeout_rate, hang_ms, decline_rate, "
                   "async_rate, callback_delay_ms, duplicate_callback_rate, out_of_order_rate, down)");
  });
  if (err) return *err;
  return f;
}

std::string psp_faults_json(const PspFaults& f) {
  JsonWriter w;
  w.begin_object()
      .field("latency_ms", f.latency_ms)
      .field("jitter_ms", f.jitter_ms)
      .key("error_rate")
      .raw(rate_json(f.error_rate))
      .key("timeout_rate")
      .raw(rate_json(f.timeout_rate))
      .field("hang_ms", f.hang_ms)
      .key("decline_rate")
      .raw(rate_json(f.decline_rate))
      .key("async_rate")
      .raw(rate_json(f.async_rate))
      .field("callback_delay_ms", f.callback_delay_ms)
      .key("duplicate_callback_rate")
      .raw(rate_json(f.duplicate_callback_rate))
      .key("out_of_order_rate")
      .raw(rate_json(f.out_of_order_rate))
      .field("down", f.down)
      .end_object();
  return w.take();
}

std::string_view psp_kind_name(PspKind k) { return k == PspKind::kDeposit ? "deposit" : "payout"; }

std::string_view psp_status_name(PspStatus s) {
  switch (s) {
    case PspStatus::kPending: return "pending";
    case PspStatus::kAuthorised: return "authorised";
    case PspStatus::kDeclined: return "declined";
  }
  return "pending";
}

// ------------------------------------------------------------ the PSP

// A transaction as recorded: its final status and when it shows.
struct PspServer::Entry {
  PspTransaction tx;      // status and reason: the final ones
  int64_t final_at_ns = 0;  // monotonic; "pending" before
  int event_seq = 0;        // notifications made so far
};

// The callbacks one transaction's final status makes, sent in order to one
// receiver: the notification, its duplicate, a stale one.
struct PspServer::Notice {
  CallbackTarget to;
  std::vector<std::string> bodies;
  std::vector<std::string> signatures;
};

PspServer::PspServer(std::string name, std::string callback_secret, uint64_t seed)
    : name_(std::move(name)), secret_(std::move(callback_secret)), rng_(seed ^ 0x707370ULL) {
  if (!valid_name(name_)) throw std::invalid_argument("psp: the name must match [A-Za-z0-9_.-]{1,64}");
  if (secret_.empty()) throw std::invalid_argument("psp: the callback secret is empty");
}

PspServer::~PspServer() { stop(); }

uint16_t PspServer::start() {
  server_ = start_loopback(*this, port_);
  return port_;
}

void PspServer::stop() {
  // The server first: no handle() runs after it, so nothing adds answers or
  // callbacks once the lines shut down (held answers are released, to a
  // server that drops them).
  if (server_) server_->stop();
  answers_.shutdown();
  callbacks_.shutdown();
}

std::string PspServer::url() const { return loopback_url(port_); }

PspFaults PspServer::apply(const PspFaultPatch& p) {
  std::lock_guard<std::mutex> lk(mu_);
  if (p.latency_ms) faults_.latency_ms = *p.latency_ms;
  if (p.jitter_ms) faults_.jitter_ms = *p.jitter_ms;
  if (p.error_rate) faults_.error_rate = *p.error_rate;
  if (p.timeout_rate) faults_.timeout_rate = *p.timeout_rate;
  if (p.hang_ms) faults_.hang_ms = *p.hang_ms;
  if (p.decline_rate) faults_.decline_rate = *p.decline_rate;
  if (p.async_rate) faults_.async_rate = *p.async_rate;
  if (p.callback_delay_ms) faults_.callback_delay_ms = *p.callback_delay_ms;
  if (p.duplicate_callback_rate) faults_.duplicate_callback_rate = *p.duplicate_callback_rate;
  if (p.out_of_order_rate) faults_.out_of_order_rate = *p.out_of_order_rate;
  if (p.down) faults_.down = *p.down;
  return faults_;
}

PspFaults PspServer::faults() const {
  std::lock_guard<std::mutex> lk(mu_);
  return faults_;
}

bool PspServer::chance(double p) { return partner_http::chance(rng_, p); }

PspTransaction PspServer::view(const Entry& e, int64_t now_ns) const {
  PspTransaction t = e.tx;
  if (now_ns < e.final_at_ns) {
    t.status = PspStatus::kPending;
    t.reason.clear();
  }
  return t;
}

std::vector<PspTransaction> PspServer::transactions() const {
  std::lock_guard<std::mutex> lk(mu_);
  const int64_t now = monotonic_ns();
  std::vector<PspTransaction> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(view(e, now));
  return out;
}

std::string PspServer::transactions_json() const {
  JsonWriter w;
  w.begin_object().key("transactions").begin_array();
  for (const PspTransaction& t : transactions()) write_transaction(w, t);
  w.end_array().end_object();
  return w.take();
}

std::string PspServer::settlement_report_csv() const {
  // payment_id's characters need no CSV quoting (valid_payment_id).
  std::string out = "psp_ref,payment_id,kind,amount_minor,currency,status,created_ms\n";
  for (const PspTransaction& t : transactions()) {
    if (t.status == PspStatus::kPending) continue;
    out += fmt::format("{},{},{},{},{},{},{}\n", t.psp_ref, t.payment_id, psp_kind_name(t.kind), t.amount_minor,
                       t.currency, psp_status_name(t.status), t.created_ms);
  }
  return out;
}

HttpResponse PspServer::read_payment(std::string_view payment_id) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = newest_by_payment_.find(std::string(payment_id));
  if (it == newest_by_payment_.end()) return error_response(404, "NOT_FOUND", "no transaction for this payment_id");
  JsonWriter w;
  write_transaction(w, view(entries_[it->second], monotonic_ns()));
  return json_response(200, w.take());
}

HttpResponse PspServer::faults_call(const HttpRequest& req) {
  if (req.method == "GET") return json_response(200, psp_faults_json(faults()));
  if (req.method != "POST") return error_response(405, "METHOD_NOT_ALLOWED", "GET or POST");
  auto patch = parse_psp_faults_body(req.body);
  if (!patch) return error_response(400, "BAD_REQUEST", patch.error().message);
  return json_response(200, psp_faults_json(apply(patch.value())));
}

// Records and decides a new key, or answers a repeat; sets answer_ms, how
// long the answer waits. Callbacks the new transaction makes are sent from
// the callback line, after the mutex is let go.
HttpResponse PspServer::take_payment(const HttpRequest& req, int64_t& answer_ms) {
  answer_ms = 0;
  const std::string_view key = req.header("idempotency-key");
  if (key.empty()) return error_response(400, "IDEMPOTENCY_KEY_MISSING", "the Idempotency-Key header is required");
  if (!valid_idempotency_key(key))
    return error_response(400, "BAD_REQUEST", "Idempotency-Key: 1 to 128 visible ASCII characters");
  auto parsed = parse_payment_body(req.body);
  if (!parsed) return error_response(400, "BAD_REQUEST", parsed.error().message);
  PaymentBody& b = parsed.value();

  std::shared_ptr<Notice> notice;
  int64_t notice_ms = 0;
  PspTransaction answer;
  {
    std::lock_guard<std::mutex> lk(mu_);
    const int64_t now = monotonic_ns();
    auto found = by_key_.find(std::string(key));
    bool hang = false;
    if (found != by_key_.end()) {
      Entry& e = entries_[found->second];
      if (e.tx.payment_id != b.payment_id || e.tx.kind != b.kind || e.tx.amount_minor != b.amount_minor ||
          e.tx.currency != b.currency)
        return error_response(409, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was sent with another payment");
      ++e.tx.requests;
      answer = view(e, now);
    } else {
      Entry e;
      PspTransaction& t = e.tx;
      t.psp_ref = fmt::format("{}-{}", name_, entries_.size() + 1);
      t.payment_id = b.payment_id;
      t.idempotency_key = std::string(key);
      t.kind = b.kind;
      t.amount_minor = b.amount_minor;
      t.currency = b.currency;
      t.account_ref = b.account_ref;
      t.callback_url = b.callback_url;
      t.requests = 1;
      t.created_ms = to_ms(wall_.now());
      bool pending = false;
      if (chance(faults_.decline_rate)) {
        t.status = PspStatus::kDeclined;
      } else if (chance(faults_.async_rate)) {
        pending = true;
        t.status = chance(faults_.decline_rate) ? PspStatus::kDeclined : PspStatus::kAuthorised;
      } else {
        t.status = PspStatus::kAuthorised;
      }
      if (t.status == PspStatus::kDeclined) t.reason = kDeclineReason;
      e.final_at_ns = now + (pending ? faults_.callback_delay_ms * 1'000'000 : 0);
      hang = chance(faults_.timeout_rate);
      if (b.callback) {
        notice = std::make_shared<Notice>();
        notice->to = *b.callback;
        notice->bodies.push_back(notice_body(t, t.status, t.reason, ++e.event_seq));
        if (chance(faults_.duplicate_callback_rate)) notice->bodies.push_back(notice->bodies.front());
        if (chance(faults_.out_of_order_rate)) notice->bodies.push_back(notice_body(t, PspStatus::kPending, "", 0));
        notice_ms = pending ? faults_.callback_delay_ms : -1;  // -1: when the answer is due
      }
      answer = view(e, now);
      by_key_.emplace(t.idempotency_key, entries_.size());
      newest_by_payment_[t.payment_id] = entries_.size();
      entries_.push_back(std::move(e));
    }
    answer_ms = answer_delay_ms(rng_, faults_.latency_ms, faults_.jitter_ms);
    if (notice_ms < 0) notice_ms = answer_ms;
    if (hang) answer_ms = faults_.hang_ms;
  }
  if (notice) {
    for (const std::string& body : notice->bodies)
      notice->signatures.push_back("sha256=" + hmac_sha256_hex(secret_, body));
    std::shared_ptr<const Notice> sent = std::move(notice);
    callbacks_.add(std::chrono::milliseconds(notice_ms), [this, sent] { deliver(sent, 0, 0); });
  }
  JsonWriter w;
  w.begin_object()
      .field("payment_id", answer.payment_id)
      .field("psp_ref", answer.psp_ref)
      .field("status", psp_status_name(answer.status))
      .field("reason", answer.reason)
      .end_object();
  return json_response(200, w.take());
}

// On a callback thread: sends notification i of n; on failure tries again
// later, at most kCallbackBackoffMs.size() times; then the next one.
void PspServer::deliver(std::shared_ptr<const Notice> n, size_t i, int attempt) {
  const HttpCallResult r =
      http_call(n->to.host, n->to.port, "POST", n->to.target,
                {{"Content-Type", "application/json"}, {"X-Psp-Signature", n->signatures[i]}}, n->bodies[i],
                kCallbackTimeoutMs);
  const bool delivered = r.status >= 200 && r.status < 300;
  if (!delivered && attempt < static_cast<int>(kCallbackBackoffMs.size())) {
    callbacks_.add(std::chrono::milliseconds(kCallbackBackoffMs[static_cast<size_t>(attempt)]),
                   [this, n, i, attempt] { deliver(n, i, attempt + 1); });
    return;
  }
  if (i + 1 < n->bodies.size()) callbacks_.add(std::chrono::nanoseconds(0), [this, n, i] { deliver(n, i + 1, 0); });
}

void PspServer::handle(HttpRequest&& req, Responder respond) {
  const std::string_view path = req.path();
  if (path == "/v1/faults") return respond(faults_call(req));
  bool post_payment = req.method == "POST" && path == "/v1/payments";
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (faults_.down || (post_payment && chance(faults_.error_rate))) return respond(unavailable());
  }
  if (post_payment) {
    int64_t answer_ms = 0;
    HttpResponse res = take_payment(req, answer_ms);
    if (answer_ms <= 0) return respond(std::move(res));
    answers_.add(std::chrono::milliseconds(answer_ms),
                 [respond = std::move(respond), res = std::move(res)]() mutable { respond(std::move(res)); });
    return;
  }
  constexpr std::string_view kOne = "/v1/payments/";
  const bool is_get = req.method == "GET";
  if (path == "/v1/payments")
    return respond(is_get ? json_response(200, transactions_json())
                          : error_response(405, "METHOD_NOT_ALLOWED", "GET or POST"));
  if (path == "/v1/settlement-report") {
    if (!is_get) return respond(error_response(405, "METHOD_NOT_ALLOWED", "GET"));
    HttpResponse r = json_response(200, settlement_report_csv());
    r.content_type = "text/csv";
    return respond(std::move(r));
  }
  if (path.substr(0, kOne.size()) == kOne) {
    const std::string_view id = path.substr(kOne.size());
    if (!is_get) return respond(error_response(405, "METHOD_NOT_ALLOWED", "GET"));
    if (!valid_ref(id)) return respond(error_response(404, "NOT_FOUND", "no transaction for this payment_id"));
    return respond(read_payment(id));
  }
  respond(error_response(404, "NOT_FOUND", "no such route"));
}

}  // namespace inplay
