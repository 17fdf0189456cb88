#include "playbook/incident_codec.h"

#include <simdjson.h>

#include "core/json.h"

namespace inplay {

namespace {

void put_ids(JsonWriter& w, std::string_view key, const std::vector<uint64_t>& ids) {
  w.key(key).begin_array();
  for (uint64_t id : ids) w.value(id);
  w.end_array();
}

void put_action(JsonWriter& w, const IncidentAction& a) {
  w.begin_object();
  w.field("id", a.id).field("playbook", a.playbook);
  w.key("spec").begin_object();
  w.field("type", action_type_name(a.spec.type)).field("value", a.spec.value).field("league_scope", a.spec.league_scope);
  w.field("share_pct", a.spec.share_pct).field("fallback", a.spec.fallback);
  w.end_object();
  w.key("target").begin_object();
  w.field("sport", a.target.sport).field("feed", a.target.feed).field("league", a.target.league);
  put_ids(w, "markets", a.target.markets);
  w.end_object();
  w.field("status", a.status).field("actor", a.actor).field("detail", a.detail);
  w.field("at_ns", a.at_ns).field("reverted_ns", a.reverted_ns);
  w.field("automatic", a.automatic).field("revert_on_resolve", a.revert_on_resolve);
  w.key("outcome").begin_object();
  w.field("detail", a.outcome.detail);
  w.key("previous").begin_array();
  for (auto& [market, value] : a.outcome.previous) w.begin_array().value(market).value(value).end_array();
  w.end_array();
  w.field("previous_feed", a.outcome.previous_feed);
  put_ids(w, "markets", a.outcome.markets);
  w.field("applied_by", a.outcome.applied_by);
  w.field("book_intake", a.outcome.book_intake);
  w.end_object();
  w.field("error", error_code_name(a.error));
  w.end_object();
}

// Reading: a missing field keeps the default; a field of the wrong type is
// an error (the snapshot was not written by encode_incident).
using simdjson::dom::element;
using simdjson::dom::object;

[[noreturn]] void bad(std::string_view what) {
  throw IncidentDecodeError("incident snapshot: " + std::string(what));
}

template <class T>
void get(const object& o, std::string_view key, T& out) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return;
  if constexpr (std::is_same_v<T, std::string>) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) bad(key);
    out.assign(s);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (e.get_bool().get(out) != simdjson::SUCCESS) bad(key);
  } else if constexpr (std::is_same_v<T, uint64_t>) {
    if (e.get_uint64().get(out) != simdjson::SUCCESS) bad(key);
  } else {
    if (e.get_int64().get(out) != simdjson::SUCCESS) bad(key);
  }
}

object child(const object& o, std::string_view key) {
  object c;
  if (o.at_key(key).get_object().get(c) != simdjson::SUCCESS) bad(key);
  return c;
}

// Calls f for each item of the array at key (none when the key is absent).
template <class F>
void each(const object& o, std::string_view key, F&& f) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return;
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS) bad(key);
  for (element v : a) f(v);
}

std::vector<uint64_t> ids(const object& o, std::string_view key) {
  std::vector<uint64_t> out;
  each(o, key, [&](element v) {
    uint64_t id = 0;
    if (v.get_uint64().get(id) != simdjson::SUCCESS) bad(key);
    out.push_back(id);
  });
  return out;
}

std::vector<std::string> strings(const object& o, std::string_view key) {
  std::vector<std::string> out;
  each(o, key, [&](element v) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) bad(key);
    out.emplace_back(s);
  });
  return out;
}

LabelSet labels(const object& o, std::string_view key) {
  LabelSet out;
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return out;
  for (auto field : child(o, key)) {
    std::string_view v;
    if (field.value.get_string().get(v) != simdjson::SUCCESS) bad(key);
    out.emplace(std::string(field.key), std::string(v));
  }
  return out;
}

ErrorCode error_code_of(std::string_view name) {
  for (int c = 0; c < 256; ++c)
    if (error_code_name(static_cast<ErrorCode>(c)) == name) return static_cast<ErrorCode>(c);
  return ErrorCode::kInternal;
}

IncidentAction read_action(const object& o) {
  IncidentAction a;
  get(o, "id", a.id);
  get(o, "playbook", a.playbook);
  object spec = child(o, "spec");
  std::string type;
  get(spec, "type", type);
  if (!parse_action_type(type, a.spec.type)) bad("spec.type");
  get(spec, "value", a.spec.value);
  get(spec, "league_scope", a.spec.league_scope);
  get(spec, "share_pct", a.spec.share_pct);
  get(spec, "fallback", a.spec.fallback);
  object target = child(o, "target");  // written by every encoder
  get(target, "sport", a.target.sport);
  get(target, "feed", a.target.feed);
  get(target, "league", a.target.league);
  a.target.markets = ids(target, "markets");
  get(o, "status", a.status);
  get(o, "actor", a.actor);
  get(o, "detail", a.detail);
  get(o, "at_ns", a.at_ns);
  get(o, "reverted_ns", a.reverted_ns);
  get(o, "automatic", a.automatic);
  get(o, "revert_on_resolve", a.revert_on_resolve);
  object outcome = child(o, "outcome");
  get(outcome, "detail", a.outcome.detail);
  each(outcome, "previous", [&](element pair) {
    simdjson::dom::array kv;
    uint64_t market = 0;
    int64_t value = 0;
    if (pair.get_array().get(kv) != simdjson::SUCCESS || kv.size() != 2 ||
        kv.at(0).get_uint64().get(market) != simdjson::SUCCESS ||
        kv.at(1).get_int64().get(value) != simdjson::SUCCESS)
      bad("outcome.previous");
    a.outcome.previous[market] = value;
  });
  get(outcome, "previous_feed", a.outcome.previous_feed);
  get(outcome, "book_intake", a.outcome.book_intake);
  a.outcome.markets = ids(outcome, "markets");
  get(outcome, "applied_by", a.outcome.applied_by);
  std::string error;
  get(o, "error", error);
  a.error = error_code_of(error);
  return a;
}

}  // namespace

std::string encode_incident(const Incident& i) {
  JsonWriter w;
  w.begin_object();
  w.field("id", i.id).field("group_key", i.group_key);
  if (!i.joined_groups.empty()) {  // only then: older snapshots read the same
    w.key("joined_groups").begin_array();
    for (auto& g : i.joined_groups) w.value(g);
    w.end_array();
  }
  write_labels(w, "group_labels", i.group_labels);
  w.field("title", i.title).field("severity", i.severity).field("status", i.status);
  w.field("high_exposure", i.high_exposure).field("exposure_minor", i.exposure_minor);
  put_ids(w, "markets", i.markets);
  w.key("alerts").begin_array();
  for (auto& a : i.alerts) w.value(a);
  w.end_array();
  w.field("slice", i.slice).field("slice_from_traces", i.slice_from_traces);
  w.field("slice_checked_ns", i.slice_checked_ns);
  w.key("trace_ids").begin_array();
  for (auto& t : i.trace_ids) w.value(t);
  w.end_array();
  w.field("fault_ns", i.fault_ns).field("opened_ns", i.opened_ns).field("contained_ns", i.contained_ns);
  w.field("recovered_ns", i.recovered_ns).field("resolved_ns", i.resolved_ns);
  w.key("timeline").begin_array();
  for (auto& t : i.timeline) w.begin_object().field("at_ns", t.at_ns).field("step", t.step).field("what", t.what).end_object();
  w.end_array();
  w.key("actions").begin_array();
  for (auto& a : i.actions) put_action(w, a);
  w.end_array();
  if (i.status_note.published()) {  // absent from older snapshots and without a note
    const StatusNote& n = i.status_note;
    w.key("status_note").begin_object();
    w.field("message", n.message).field("status", public_status_name(n.status));
    w.field("published_ns", n.published_ns).field("updated_ns", n.updated_ns).field("actor", n.actor);
    w.end_object();
  }
  w.end_object();
  return w.take();
}

Incident decode_incident(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  object o;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS || doc.get_object().get(o) != simdjson::SUCCESS)
    bad("not a JSON object");
  Incident i;
  get(o, "id", i.id);
  if (i.id == 0) bad("id");
  get(o, "group_key", i.group_key);
  i.joined_groups = strings(o, "joined_groups");
  i.group_labels = labels(o, "group_labels");
  get(o, "title", i.title);
  get(o, "severity", i.severity);
  get(o, "status", i.status);
  get(o, "high_exposure", i.high_exposure);
  get(o, "exposure_minor", i.exposure_minor);
  i.markets = ids(o, "markets");
  i.alerts = strings(o, "alerts");
  get(o, "slice", i.slice);
  get(o, "slice_from_traces", i.slice_from_traces);
  get(o, "slice_checked_ns", i.slice_checked_ns);
  i.trace_ids = strings(o, "trace_ids");
  get(o, "fault_ns", i.fault_ns);
  get(o, "opened_ns", i.opened_ns);
  get(o, "contained_ns", i.contained_ns);
  get(o, "recovered_ns", i.recovered_ns);
  get(o, "resolved_ns", i.resolved_ns);
  each(o, "timeline", [&](element t) {
    object e;
    if (t.get_object().get(e) != simdjson::SUCCESS) bad("timeline");
    TimelineEntry te;
    get(e, "at_ns", te.at_ns);
    get(e, "step", te.step);
    get(e, "what", te.what);
    i.timeline.push_back(std::move(te));
  });
  each(o, "actions", [&](element a) {
    object ao;
    if (a.get_object().get(ao) != simdjson::SUCCESS) bad("actions");
    i.actions.push_back(read_action(ao));
  });
  element note;
  if (o.at_key("status_note").get(note) == simdjson::SUCCESS) {
    object n = child(o, "status_note");
    StatusNote& sn = i.status_note;
    get(n, "message", sn.message);
    std::string status;
    get(n, "status", status);
    if (!parse_public_status(status, sn.status)) bad("status_note.status");
    get(n, "published_ns", sn.published_ns);
    get(n, "updated_ns", sn.updated_ns);
    get(n, "actor", sn.actor);
  }
  return i;
}

}  // namespace inplay
