#include "alert/alert_wire.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json.h"
#include "core/time_format.h"

namespace inplay {

namespace {

LabelSet with_name(const Alert& a) {
  LabelSet l = a.labels;
  l["alertname"] = a.name;
  return l;
}

// Labels every alert shares (Alertmanager's commonLabels).
LabelSet common(const std::vector<LabelSet>& sets) {
  if (sets.empty()) return {};
  LabelSet c = sets[0];
  for (size_t i = 1; i < sets.size(); ++i)
    for (auto it = c.begin(); it != c.end();) {
      auto f = sets[i].find(it->first);
      it = (f == sets[i].end() || f->second != it->second) ? c.erase(it) : std::next(it);
    }
  return c;
}

constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

}  // namespace

std::string webhook_payload(const Notification& n, std::string_view receiver, std::string_view external_url) {
  const AlertGroup& g = n.group;
  std::vector<LabelSet> labels, annotations;
  for (auto& [fp, a] : g.alerts) {
    labels.push_back(with_name(a));
    annotations.push_back(a.annotations);
  }
  JsonWriter w;
  w.begin_object();
  w.field("version", "4");
  w.field("groupKey", g.key);
  w.field("truncatedAlerts", 0);
  w.field("status", n.status);
  w.field("receiver", receiver);
  write_labels(w, "groupLabels", g.group_labels);
  write_labels(w, "commonLabels", common(labels));
  write_labels(w, "commonAnnotations", common(annotations));
  w.field("externalURL", external_url);
  w.key("alerts").begin_array();
  for (auto& [fp, a] : g.alerts) {
    w.begin_object();
    w.field("status", a.ends_ns ? "resolved" : "firing");
    write_labels(w, "labels", with_name(a));
    write_labels(w, "annotations", a.annotations);
    w.field("startsAt", rfc3339_ms(a.starts_ns));
    w.field("endsAt", a.ends_ns ? rfc3339_ms(a.ends_ns) : std::string(kZeroTime));
    w.field("generatorURL", external_url);
    w.field("fingerprint", fmt::format("{:016x}", fp));
    w.end_object();
  }
  w.end_array();
  w.field("high_exposure", g.high_exposure);
  w.field("exposure_minor", g.liability_minor);
  w.key("markets").begin_array();
  for (uint64_t m : g.markets) w.value(m);
  w.end_array();
  w.field("severity", g.severity);
  w.end_object();
  return w.take();
}

std::string alertmanager_v2_alerts(const std::vector<Alert>& alerts, std::string_view generator_url) {
  JsonWriter w;
  w.begin_array();
  for (auto& a : alerts) {
    w.begin_object();
    write_labels(w, "labels", with_name(a));
    write_labels(w, "annotations", a.annotations);
    w.field("startsAt", rfc3339_ms(a.starts_ns));
    if (a.ends_ns) w.field("endsAt", rfc3339_ms(a.ends_ns));
    w.field("generatorURL", generator_url);
    w.end_object();
  }
  w.end_array();
  return w.take();
}

Result<ReceivedWebhook> parse_alertmanager_webhook(std::string_view body) {
  namespace sj = simdjson::ondemand;
  auto bad = [](std::string why) { return Error{ErrorCode::kMalformedRequest, std::move(why)}; };
  // A full parse first, so invalid JSON anywhere is refused; numbers too big
  // for 64 bits in fields we ignore are not an error (as for every route).
  thread_local simdjson::dom::parser validator;
  thread_local sj::parser parser;
  simdjson::padded_string padded(body);
  auto valid = validator.parse(padded).error();
  if (valid && valid != simdjson::NUMBER_ERROR) return bad("body is not JSON");
  sj::document doc;
  sj::object root;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(root)) return bad("body must be a JSON object");
  ReceivedWebhook out;
  bool have_alerts = false;
  for (auto field : root) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return bad("invalid key");
    sj::value v;
    if (field.value().get(v)) return bad("invalid value");
    std::string_view sv;
    if (key == "status") {
      if (!v.get_string().get(sv)) out.status = std::string(sv);
    } else if (key == "groupKey") {
      if (!v.get_string().get(sv)) out.group_key = std::string(sv);
    } else if (key == "alerts") {
      sj::array alerts;
      if (v.get_array().get(alerts)) return bad("'alerts' must be an array");
      have_alerts = true;
      for (auto el : alerts) {
        sj::object ao;
        if (el.get_object().get(ao)) return bad("each alert must be an object");
        Alert a;
        a.source = "alertmanager";
        bool have_labels = false, have_start = false, resolved = false, have_end = false;
        for (auto af : ao) {
          std::string_view ak;
          if (af.unescaped_key().get(ak)) return bad("invalid key");
          sj::value av;
          if (af.value().get(av)) return bad("invalid value");
          if (ak == "labels" || ak == "annotations") {
            sj::object lo;
            if (av.get_object().get(lo)) {
              if (ak == "annotations") continue;  // informational: anything but an object is ignored
              return bad("'labels' must be an object");
            }
            for (auto lf : lo) {
              std::string_view lk, lv;
              if (lf.unescaped_key().get(lk)) return bad("invalid key");
              if (lf.value().get_string().get(lv)) {
                if (ak == "labels") return bad(fmt::format("label '{}' must be a string", lk));
                continue;  // a non-string annotation is ignored
              }
              if (ak == "annotations") a.annotations[std::string(lk)] = std::string(lv);
              else if (lk == "alertname") a.name = std::string(lv);
              else a.labels[std::string(lk)] = std::string(lv);
            }
            have_labels = have_labels || ak == "labels";
          } else if (ak == "startsAt") {
            if (av.get_string().get(sv) || !parse_rfc3339_ns(sv, a.starts_ns)) return bad("an alert has a bad startsAt");
            have_start = true;
          } else if (ak == "endsAt") {
            // Read only for a resolved alert (checked below); else ignored.
            have_end = !av.get_string().get(sv) && parse_rfc3339_ns(sv, a.ends_ns);
          } else if (ak == "status") {
            resolved = !av.get_string().get(sv) && sv == "resolved";
          }
        }
        if (!have_labels) return bad("an alert has no 'labels' object");
        if (a.name.empty()) return bad("an alert has no alertname label");
        if (!have_start) return bad("an alert has a bad startsAt");
        if (resolved) {
          if (!have_end) return bad("a resolved alert has a bad endsAt");
          if (a.ends_ns <= 0) a.ends_ns = 1;
        } else {
          a.ends_ns = 0;
        }
        out.alerts.push_back(std::move(a));
      }
    }
  }
  if (!have_alerts) return bad("'alerts' must be an array");
  return out;
}

}  // namespace inplay
