// KYC/AML screening (KYC-1; docs/kyc.md, docs/api.md "KYC/AML screening"):
//   GET  /v1/kyc/reviews         operator: the referred screenings, oldest
//                                referral first, and the vendors
//   POST /v1/kyc/reviews/{id}    operator: {"decision":"clear"|"reject",
//                                "note":"..."} decides a referred screening
//                                (journaled with the actor, audited)
//   GET  /v1/kyc/screenings/{id} operator: one screening
//   POST /v1/kyc/vendor          operator: {"vendor":".."} the active vendor
//   POST /v1/kyc/rules/withdrawal operator: {"paused":true|false,"reason":..}
// A refused body changes nothing.
#include "core/time_format.h"
#include "http/api_internal.h"
#include "http/body_fields.h"
#include "kyc/kyc_desk.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

using namespace body_fields;

const Error kUnknownScreening{ErrorCode::kScreeningNotFound, "unknown screening"};
constexpr size_t kMaxNote = 1000;

struct ReviewBody {
  bool clear = false;
  std::string note;
};

Result<ReviewBody> parse_review_body(std::string_view body) {
  ReviewBody b;
  bool has_decision = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "decision") {
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (s != "clear" && s != "reject") return invalid(k, "must be clear or reject");
      has_decision = true;
      b.clear = s == "clear";
    } else if (k == "note") {
      if (auto e = get_string(v, k, b.note)) return e;
      if (b.note.size() > kMaxNote) return invalid(k, "at most 1000 characters");
    } else {
      return invalid(k, "unknown field (decision, note)");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_decision) return invalid("decision", "is required (clear or reject)");
  return b;
}

std::string vendors_json(const KycDesk& desk) {
  JsonWriter w;
  w.begin_object().field("active", desk.active()).field("withdrawal_rule_paused", desk.withdrawal_rule_paused());
  w.field("withdrawal_threshold", desk.terms().withdrawal_threshold);
  w.key("vendors").begin_array();
  for (const KycDesk::VendorSeen& v : desk.vendors_seen()) {
    w.begin_object().field("name", v.name).field("available", v.available);
    w.field("sent", v.sent).field("clear", v.clear).field("refer", v.refer).field("reject", v.reject);
    w.field("failed", v.failed).field("last_error", v.last_error);
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace

void Api::Impl::add_kyc_routes() {
  routes.add({"GET", "/v1/kyc/reviews", Access::kOperator, [this](Call& c) {
                read(c.x, [desk = d.kyc](Engine& e) {
                  const BookState& s = e.state();
                  JsonWriter w;
                  w.begin_object().key("reviews").begin_array();
                  for (const Screening* k : s.screenings.referred()) {
                    w.begin_object();
                    screening_fields(w, *k);
                    w.field("referred_at", rfc3339_ms(k->referred_ns)).field("reason", k->note);
                    if (desk) w.field("review_due_at", rfc3339_ms(k->referred_ns + desk->terms().review_within.count()));
                    w.end_object();
                  }
                  w.end_array();
                  w.field("pending", static_cast<uint64_t>(s.screenings.pending_count()));
                  w.field("referred", static_cast<uint64_t>(s.screenings.referred_count()));
                  if (desk && desk->enabled()) w.key("kyc").raw(vendors_json(*desk));
                  w.end_object();
                  return Reply{200, w.take()};
                });
              }});

  routes.add({"GET", "/v1/kyc/screenings/{id}", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kScreeningNotFound, "unknown screening", id)) return;
                read(c.x, [id](Engine& e) {
                  const Screening* k = e.state().screenings.find(id);
                  if (!k) return Reply{404, error_body(kUnknownScreening)};
                  JsonWriter w;
                  w.begin_object();
                  screening_fields(w, *k);
                  w.field("vendor_ref", k->vendor_ref).field("note", k->note).field("actor", k->actor);
                  w.end_object();
                  return Reply{200, w.take()};
                });
              }});

  routes.add({"POST", "/v1/kyc/reviews/{id}", Access::kOperator, [this](Call& c) {
                uint64_t id = 0;
                if (!id_param(c, 0, ErrorCode::kScreeningNotFound, "unknown screening", id)) return;
                auto body = parse_review_body(c.req.body);
                if (!body.ok()) return send_error(c.x, body.error());
                if (!d.kyc) return send_error(c.x, kUnknownScreening);
                read(c.x, [desk = d.kyc, id, b = body.value(), actor = c.actor](Engine& e) {
                  Result<bool> r = desk->review(id, b.clear, b.note, actor);
                  if (!r.ok()) return error_reply(r.error());
                  log::info("kyc", "screening reviewed", {{"screening_id", id}, {"actor", actor}});
                  return Reply{200, screening_json(*e.state().screenings.find(id))};
                });
              }});

  routes.add({"POST", "/v1/kyc/vendor", Access::kOperator, [this](Call& c) {
                std::string vendor;
                auto err = each_field(c.req.body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
                  if (k == "vendor") return get_string(v, k, vendor);
                  return invalid(k, "unknown field (vendor)");
                });
                if (err) return send_error(c.x, *err);
                if (vendor.empty()) return send_error(c.x, Error{ErrorCode::kValidationFailed, "vendor: is required"});
                if (!d.kyc || !d.kyc->enabled())
                  return send_error(c.x, Error{ErrorCode::kValidationFailed, "vendor: the book has no KYC vendors"});
                read(c.x, [desk = d.kyc, vendor, actor = c.actor](Engine&) {
                  Result<bool> r = desk->switch_vendor(vendor, actor);
                  if (!r.ok()) return error_reply(r.error());
                  return Reply{200, vendors_json(*desk)};
                });
              }});

  routes.add({"POST", "/v1/kyc/rules/withdrawal", Access::kOperator, [this](Call& c) {
                std::optional<bool> paused;
                std::string reason;
                auto err = each_field(c.req.body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
                  if (k == "paused") {
                    bool b;
                    if (v.get_bool().get(b)) return invalid(k, "must be true or false");
                    paused = b;
                    return std::nullopt;
                  }
                  if (k == "reason") {
                    if (auto e = get_string(v, k, reason)) return e;
                    if (reason.size() > kMaxNote) return invalid(k, "at most 1000 characters");
                    return std::nullopt;
                  }
                  return invalid(k, "unknown field (paused, reason)");
                });
                if (err) return send_error(c.x, *err);
                if (!paused) return send_error(c.x, Error{ErrorCode::kValidationFailed, "paused: is required"});
                if (!d.kyc || !d.kyc->enabled())
                  return send_error(c.x, Error{ErrorCode::kValidationFailed, "paused: the book has no KYC vendors"});
                read(c.x, [desk = d.kyc, p = *paused, reason, actor = c.actor](Engine&) {
                  desk->pause_withdrawal_rule(p, actor, reason);
                  return Reply{200, vendors_json(*desk)};
                });
              }});
}

}  // namespace inplay
