#include "alert/alert_wire.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "core/json.h"
#include "core/time_format.h"

namespace inplay {

namespace {

void write_labels(JsonWriter& w, std::string_view key, const LabelSet& l) {
  w.key(key).begin_object();
  for (auto& [k, v] : l) w.field(k, v);
  w.end_object();
}

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
  auto bad = [](std::string why) { return Error{ErrorCode::kMalformedRequest, std::move(why)}; };
  simdjson::padded_string padded(body);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return bad("body is not JSON");
  simdjson::dom::object root;
  if (doc.get(root)) return bad("body must be a JSON object");
  ReceivedWebhook out;
  std::string_view sv;
  if (!root["status"].get(sv)) out.status = std::string(sv);
  if (!root["groupKey"].get(sv)) out.group_key = std::string(sv);
  simdjson::dom::array alerts;
  if (root["alerts"].get(alerts)) return bad("'alerts' must be an array");
  for (auto el : alerts) {
    simdjson::dom::object ao;
    if (el.get(ao)) return bad("each alert must be an object");
    Alert a;
    a.source = "alertmanager";
    simdjson::dom::object labels;
    if (ao["labels"].get(labels)) return bad("an alert has no 'labels' object");
    for (auto [k, v] : labels) {
      std::string_view val;
      if (v.get(val)) return bad(fmt::format("label '{}' must be a string", std::string(k)));
      if (k == "alertname") a.name = std::string(val);
      else a.labels[std::string(k)] = std::string(val);
    }
    if (a.name.empty()) return bad("an alert has no alertname label");
    simdjson::dom::object ann;
    if (!ao["annotations"].get(ann))
      for (auto [k, v] : ann) {
        std::string_view val;
        if (!v.get(val)) a.annotations[std::string(k)] = std::string(val);
      }
    std::string_view t;
    if (ao["startsAt"].get(t) || !parse_rfc3339_ns(t, a.starts_ns)) return bad("an alert has a bad startsAt");
    std::string_view status;
    bool resolved = !ao["status"].get(status) && status == "resolved";
    if (resolved) {
      if (ao["endsAt"].get(t) || !parse_rfc3339_ns(t, a.ends_ns)) return bad("a resolved alert has a bad endsAt");
      if (a.ends_ns <= 0) a.ends_ns = 1;
    }
    out.alerts.push_back(std::move(a));
  }
  return out;
}

}  // namespace inplay
