// KycVendor (contract in sim/kyc_vendor.h).
#include "sim/kyc_vendor.h"

#include <fmt/format.h>

#include <stdexcept>

#include "core/json.h"
#include "http/body.h"
#include "http/body_fields.h"
#include "sim/partner_http.h"

namespace inplay {

using namespace body_fields;
using namespace partner_http;

namespace {

struct ScreeningBody {
  std::string screening_id, subject, subject_ref;
  int64_t amount_minor = 0;
};

Result<ScreeningBody> parse_screening_body(std::string_view body) {
  ScreeningBody b;
  bool has_id = false, has_subject = false, has_ref = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "screening_id") {
      has_id = true;
      if (auto e = get_string(v, k, b.screening_id)) return e;
      if (!valid_ref(b.screening_id)) return invalid(k, "must match [A-Za-z0-9._~:-]{1,128}");
    } else if (k == "subject") {
      has_subject = true;
      if (auto e = get_string(v, k, b.subject)) return e;
      if (b.subject != "account" && b.subject != "withdrawal") return invalid(k, "must be account or withdrawal");
    } else if (k == "subject_ref") {
      has_ref = true;
      if (auto e = get_string(v, k, b.subject_ref)) return e;
      if (b.subject_ref.empty() || b.subject_ref.size() > 256) return invalid(k, "must be 1 to 256 characters");
    } else if (k == "amount_minor") {
      if (auto e = get_int(v, k, b.amount_minor, 0, 1'000'000'000'000LL)) return e;
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_id) return invalid("screening_id", "is required");
  if (!has_subject) return invalid("subject", "is required");
  if (!has_ref) return invalid("subject_ref", "is required");
  return b;
}

}  // namespace

Result<KycVendorFaultPatch> parse_kyc_faults_body(std::string_view body) {
  KycVendorFaultPatch f;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "latency_ms") return fault_ms(v, k, f.latency_ms);
    if (k == "jitter_ms") return fault_ms(v, k, f.jitter_ms);
    if (k == "error_rate") return fault_rate(v, k, f.error_rate);
    if (k == "refer_rate") return fault_rate(v, k, f.refer_rate);
    if (k == "reject_rate") return fault_rate(v, k, f.reject_rate);
    if (k == "false_positive_rate") return fault_rate(v, k, f.false_positive_rate);
    if (k == "down") return fault_flag(v, k, f.down);
    return invalid(k,
                   "unknown field (latency_ms, jitter_ms, error_rate, down, refer_rate, reject_rate, "
                   "false_positive_rate)");
  });
  if (err) return *err;
  return f;
}

std::string kyc_faults_json(const KycVendorFaults& f) {
  JsonWriter w;
  w.begin_object()
      .field("latency_ms", f.latency_ms)
      .field("jitter_ms", f.jitter_ms)
      .key("error_rate")
      .raw(rate_json(f.error_rate))
      .field("down", f.down)
      .key("refer_rate")
      .raw(rate_json(f.refer_rate))
      .key("reject_rate")
      .raw(rate_json(f.reject_rate))
      .key("false_positive_rate")
      .raw(rate_json(f.false_positive_rate))
      .end_object();
  return w.take();
}

KycVendor::KycVendor(std::string name, uint64_t seed) : name_(std::move(name)), rng_(seed ^ 0x6b7963ULL) {
  if (!valid_name(name_)) throw std::invalid_argument("kyc vendor: the name must match [A-Za-z0-9_.-]{1,64}");
}

KycVendor::~KycVendor() { stop(); }

uint16_t KycVendor::start() {
  server_ = start_loopback(*this, port_);
  return port_;
}

void KycVendor::stop() {
  if (server_) server_->stop();
  answers_.shutdown();
}

std::string KycVendor::url() const { return loopback_url(port_); }

KycVendorFaults KycVendor::apply(const KycVendorFaultPatch& p) {
  std::lock_guard<std::mutex> lk(mu_);
  if (p.latency_ms) faults_.latency_ms = *p.latency_ms;
  if (p.jitter_ms) faults_.jitter_ms = *p.jitter_ms;
  if (p.error_rate) faults_.error_rate = *p.error_rate;
  if (p.down) faults_.down = *p.down;
  if (p.refer_rate) faults_.refer_rate = *p.refer_rate;
  if (p.reject_rate) faults_.reject_rate = *p.reject_rate;
  if (p.false_positive_rate) faults_.false_positive_rate = *p.false_positive_rate;
  return faults_;
}

KycVendorFaults KycVendor::faults() const {
  std::lock_guard<std::mutex> lk(mu_);
  return faults_;
}

bool KycVendor::chance(double p) { return partner_http::chance(rng_, p); }

std::vector<VendorScreening> KycVendor::screenings() const {
  std::lock_guard<std::mutex> lk(mu_);
  return entries_;
}

std::string KycVendor::screenings_json() const {
  JsonWriter w;
  w.begin_object().field("vendor", name_).key("screenings").begin_array();
  for (const VendorScreening& s : screenings()) {
    w.begin_object()
        .field("vendor_ref", s.vendor_ref)
        .field("screening_id", s.screening_id)
        .field("idempotency_key", s.idempotency_key)
        .field("subject", s.subject)
        .field("subject_ref", s.subject_ref)
        .field("amount_minor", s.amount_minor)
        .field("result", s.result)
        .field("reason", s.reason)
        .field("requests", s.requests)
        .end_object();
  }
  w.end_array().end_object();
  return w.take();
}

HttpResponse KycVendor::take_screening(const HttpRequest& req, int64_t& answer_ms) {
  answer_ms = 0;
  const std::string_view key = req.header("idempotency-key");
  if (key.empty()) return error_response(400, "IDEMPOTENCY_KEY_MISSING", "the Idempotency-Key header is required");
  if (!valid_idempotency_key(key))
    return error_response(400, "BAD_REQUEST", "Idempotency-Key: 1 to 128 visible ASCII characters");
  auto parsed = parse_screening_body(req.body);
  if (!parsed) return error_response(400, "BAD_REQUEST", parsed.error().message);
  ScreeningBody& b = parsed.value();
  VendorScreening answer;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto found = by_key_.find(std::string(key));
    if (found != by_key_.end()) {
      VendorScreening& e = entries_[found->second];
      if (e.screening_id != b.screening_id)
        return error_response(409, "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was sent with another screening");
      ++e.requests;
      answer = e;
    } else {
      VendorScreening e;
      e.vendor_ref = fmt::format("{}-{}", name_, entries_.size() + 1);
      e.screening_id = b.screening_id;
      e.idempotency_key = std::string(key);
      e.subject = b.subject;
      e.subject_ref = b.subject_ref;
      e.amount_minor = b.amount_minor;
      e.requests = 1;
      if (chance(faults_.reject_rate)) {
        e.result = "reject";
        e.reason = "sanctions_match";
      } else if (chance(faults_.refer_rate)) {
        e.result = "refer";
        e.reason = "possible_match";
      } else if (chance(faults_.false_positive_rate)) {
        e.result = "refer";
        e.reason = "possible_match";
      } else {
        e.result = "clear";
      }
      answer = e;
      by_key_.emplace(e.idempotency_key, entries_.size());
      entries_.push_back(std::move(e));
    }
    answer_ms = answer_delay_ms(rng_, faults_.latency_ms, faults_.jitter_ms);
  }
  JsonWriter w;
  w.begin_object()
      .field("screening_id", answer.screening_id)
      .field("vendor_ref", answer.vendor_ref)
      .field("result", answer.result)
      .field("reason", answer.reason)
      .end_object();
  return json_response(200, w.take());
}

void KycVendor::handle(HttpRequest&& req, Responder respond) {
  const std::string_view path = req.path();
  if (path == "/v1/faults") {
    if (req.method == "GET") return respond(json_response(200, kyc_faults_json(faults())));
    if (req.method != "POST") return respond(error_response(405, "METHOD_NOT_ALLOWED", "GET or POST"));
    auto patch = parse_kyc_faults_body(req.body);
    if (!patch) return respond(error_response(400, "BAD_REQUEST", patch.error().message));
    return respond(json_response(200, kyc_faults_json(apply(patch.value()))));
  }
  const bool post = req.method == "POST" && path == "/v1/screenings";
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (faults_.down || (post && chance(faults_.error_rate)))
      return respond(error_response(503, "VENDOR_UNAVAILABLE", "the screening vendor is unavailable"));
  }
  if (post) {
    int64_t answer_ms = 0;
    HttpResponse res = take_screening(req, answer_ms);
    if (answer_ms <= 0) return respond(std::move(res));
    answers_.add(std::chrono::milliseconds(answer_ms),
                 [respond = std::move(respond), res = std::move(res)]() mutable { respond(std::move(res)); });
    return;
  }
  if (path == "/v1/screenings") {
    if (req.method != "GET") return respond(error_response(405, "METHOD_NOT_ALLOWED", "GET or POST"));
    return respond(json_response(200, screenings_json()));
  }
  respond(error_response(404, "NOT_FOUND", "no such route"));
}

}  // namespace inplay
