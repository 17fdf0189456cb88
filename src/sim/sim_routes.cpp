#include "sim/sim_routes.h"

#include <fmt/format.h>

#include <optional>

#include "core/json.h"
#include "http/body.h"
#include "http/body_fields.h"
#include "http/route_table.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

using namespace body_fields;

// The fault hooks' body; absent fields are left as they are.
Result<FeedFaultPatch> parse_faults_body(std::string_view body) {
  FeedFaultPatch f;
  auto prob = [](sj::value& v, std::string_view k, std::optional<double>& out) -> std::optional<Error> {
    double d;
    if (v.get_double().get(d) || !(d >= 0.0 && d <= 1.0)) return invalid(k, "must be a number from 0 to 1");
    out = d;
    return std::nullopt;
  };
  auto flag = [](sj::value& v, std::string_view k, std::optional<bool>& out) -> std::optional<Error> {
    bool b;
    if (v.get_bool().get(b)) return invalid(k, "must be true or false");
    out = b;
    return std::nullopt;
  };
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    int64_t n;
    if (k == "latency_ms" || k == "jitter_ms") {
      if (auto e = get_int(v, k, n, 0, 600000)) return e;
      (k == "latency_ms" ? f.latency_ms : f.jitter_ms) = n;
    } else if (k == "stall") {
      return flag(v, k, f.stall);
    } else if (k == "disconnect") {
      return flag(v, k, f.disconnect);
    } else if (k == "drop") {
      return prob(v, k, f.drop);
    } else if (k == "duplicate") {
      return prob(v, k, f.duplicate);
    } else if (k == "reorder") {
      return prob(v, k, f.reorder);
    } else if (k == "skew_leagues") {
      sj::array arr;
      if (v.get_array().get(arr)) return invalid(k, "must be a list of league names");
      std::vector<std::string> leagues;
      for (auto item : arr) {
        std::string_view s;
        if (item.get_string().get(s) || s.empty() || s.size() > 64) return invalid(k, "must be a list of league names");
        leagues.emplace_back(s);
      }
      f.skew_leagues = std::move(leagues);
    } else if (k == "skew_mode") {
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (s != "version" && s != "rename") return invalid(k, "must be version or rename");
      f.skew_mode = s == "rename" ? SkewMode::kRenameField : SkewMode::kVersion;
    } else if (k == "skew_version") {
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (s.empty() || s.size() > 32) return invalid(k, "1 to 32 characters");
      f.skew_version = s;
    }
    return std::nullopt;
  });
  if (err) return *err;
  return f;
}

std::string faults_json(const std::string& feed, const FeedFaults& cur) {
  JsonWriter w;
  w.begin_object().field("feed", feed);
  w.field("latency_ms", cur.added_latency_ms).field("jitter_ms", cur.jitter_ms).field("stall", cur.stall);
  w.key("drop").raw(fmt::format("{}", cur.drop)).key("duplicate").raw(fmt::format("{}", cur.duplicate));
  w.key("reorder").raw(fmt::format("{}", cur.reorder));
  w.key("skew_leagues").begin_array();
  for (auto& l : cur.skew.leagues) w.value(l);
  w.end_array().end_object();
  return w.take();
}

// The exchange's fault hooks' body; absent fields are left as they are.
Result<VenueFaultPatch> parse_venue_faults_body(std::string_view body) {
  VenueFaultPatch f;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    int64_t n;
    double d;
    bool b;
    if (k == "latency_ms" || k == "jitter_ms") {
      if (auto e = get_int(v, k, n, 0, 600000)) return e;
      (k == "latency_ms" ? f.latency_ms : f.jitter_ms) = n;
    } else if (k == "error_rate" || k == "reject_rate" || k == "fill_ratio") {
      if (v.get_double().get(d) || !(d >= 0.0 && d <= 1.0)) return invalid(k, "must be a number from 0 to 1");
      (k == "error_rate" ? f.error_rate : k == "reject_rate" ? f.reject_rate : f.fill_ratio) = d;
    } else if (k == "down") {
      if (v.get_bool().get(b)) return invalid(k, "must be true or false");
      f.down = b;
    } else {
      return invalid(k, "unknown field (latency_ms, jitter_ms, error_rate, reject_rate, fill_ratio, down)");
    }
    return std::nullopt;
  });
  if (err) return *err;
  return f;
}

std::string venue_faults_json(const VenueFaults& f) {
  return fmt::format(R"({{"latency_ms":{},"jitter_ms":{},"error_rate":{},"reject_rate":{},"fill_ratio":{},"down":{}}})",
                     f.latency_ms, f.jitter_ms, f.error_rate, f.reject_rate, f.fill_ratio, f.down ? "true" : "false");
}

}  // namespace

void add_sim_routes(Api& api, Engine& engine, SimWorld* world, ExchangeVenue* venue, std::vector<PspServer*> psps,
                    std::vector<KycVendor*> kyc) {
  if (!kyc.empty()) {
    auto find = [kyc](std::string_view name) -> KycVendor* {
      for (KycVendor* k : kyc)
        if (k->name() == name) return k;
      return nullptr;
    };
    const Error unknown{ErrorCode::kNotFound, "no simulated KYC vendor of that name"};
    api.add_route({"POST", "/v1/sim/kyc/{vendor}/faults", Access::kOperator, [find, unknown](Call& c) {
                     KycVendor* k = find(c.params[0]);
                     if (!k) return send_error(c.x, unknown);
                     auto body = parse_kyc_faults_body(c.req.body);
                     if (!body.ok()) return send_error(c.x, body.error());
                     const KycVendorFaults cur = k->apply(body.value());
                     log::warn("sim", "KYC vendor faults set", {{"vendor", k->name()}, {"actor", c.actor}});
                     send(c.x, 200, kyc_faults_json(cur));
                   }});
    api.add_route({"GET", "/v1/sim/kyc/{vendor}/screenings", Access::kOperator, [find, unknown](Call& c) {
                     KycVendor* k = find(c.params[0]);
                     if (!k) return send_error(c.x, unknown);
                     send(c.x, 200, k->screenings_json());
                   }});
  }
  if (!psps.empty()) {
    auto find = [psps](std::string_view name) -> PspServer* {
      for (PspServer* p : psps)
        if (p->name() == name) return p;
      return nullptr;
    };
    const Error unknown{ErrorCode::kNotFound, "no simulated PSP for that route"};
    api.add_route({"POST", "/v1/sim/psps/{route}/faults", Access::kOperator, [find, unknown](Call& c) {
                     PspServer* p = find(c.params[0]);
                     if (!p) return send_error(c.x, unknown);
                     auto body = parse_psp_faults_body(c.req.body);
                     if (!body.ok()) return send_error(c.x, body.error());
                     const PspFaults cur = p->apply(body.value());
                     log::warn("sim", "PSP faults set", {{"route", p->name()}, {"actor", c.actor}});
                     send(c.x, 200, psp_faults_json(cur));
                   }});
    api.add_route({"GET", "/v1/sim/psps/{route}/transactions", Access::kOperator, [find, unknown](Call& c) {
                     PspServer* p = find(c.params[0]);
                     if (!p) return send_error(c.x, unknown);
                     send(c.x, 200, p->transactions_json());
                   }});
    api.add_route({"GET", "/v1/sim/psps/{route}/settlement-report", Access::kOperator, [find, unknown](Call& c) {
                     PspServer* p = find(c.params[0]);
                     if (!p) return send_error(c.x, unknown);
                     HttpResponse r;
                     r.status = 200;
                     r.content_type = "text/csv";
                     r.body = p->settlement_report_csv();
                     finish(c.x, std::move(r));
                   }});
  }
  if (venue) {
    api.add_route({"POST", "/v1/sim/venue/faults", Access::kOperator, [venue](Call& c) {
                     auto body = parse_venue_faults_body(c.req.body);
                     if (!body.ok()) return send_error(c.x, body.error());
                     const VenueFaults cur = venue->apply(body.value());
                     log::warn("sim", "venue faults set", {{"actor", c.actor}});
                     send(c.x, 200, venue_faults_json(cur));
                   }});
    api.add_route({"GET", "/v1/sim/venue/orders", Access::kOperator,
                   [venue](Call& c) { send(c.x, 200, venue->orders_json()); }});
  }
  if (world)
    api.add_route({"POST", "/v1/sim/feeds/{name}/faults", Access::kOperator, [world](Call& c) {
                     const std::string name(c.params[0]);
                     FeedProvider* prov = world->provider(name);
                     if (!prov) return send_error(c.x, Error{ErrorCode::kNotFound, "no simulated feed of that name"});
                     auto body = parse_faults_body(c.req.body);
                     if (!body.ok()) return send_error(c.x, body.error());
                     FeedFaults cur = prov->apply(body.value());
                     log::warn("sim", "feed faults set", {{"feed", name}, {"actor", c.actor}});
                     send(c.x, 200, faults_json(name, cur));
                   }});
  api.add_route({"POST", "/v1/admin/faults/engine-stall", Access::kOperator, [&engine](Call& c) {
                   auto ms = parse_integer_field(c.req.body, "ms");
                   if (!ms.ok()) return send_error(c.x, ms.error());
                   if (ms.value() < 1 || ms.value() > 10000)
                     return send_error(c.x, Error{ErrorCode::kValidationFailed, "ms: between 1 and 10000"});
                   const int64_t stall = ms.value();
                   auto x = c.x;
                   if (!engine.submit([&engine, x, stall] {
                         // Said as it begins, on the engine thread: the stall is now under way.
                         log::warn("engine", "engine stall injected", {{"ms", stall}});
                         const int64_t until = monotonic_ns() + stall * 1000000;
                         while (monotonic_ns() < until) {
                         }
                         engine.after_durable([x, stall] { send(x, 200, fmt::format(R"({{"stalled_ms":{}}})", stall)); });
                       }))
                     send_error(c.x, Error{ErrorCode::kOverloaded, "the engine queue is full; retry shortly"});
                 }});
  // A task that throws on the engine thread (issue 18): the engine refuses
  // it with a log line and carries on; the hook answers 500 INTERNAL.
  api.add_route({"POST", "/v1/admin/faults/engine-throw", Access::kOperator, [&engine](Call& c) {
                   auto x = c.x;
                   if (!engine.submit([] { throw std::runtime_error("fault hook: engine-throw"); },
                                      [x](const std::exception& e) {
                                        send_error(x, Error{ErrorCode::kInternal, std::string("refused: ") + e.what()});
                                      }))
                     send_error(c.x, Error{ErrorCode::kOverloaded, "the engine queue is full; retry shortly"});
                 }});
}

}  // namespace inplay
