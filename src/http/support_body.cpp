#include "http/support_body.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "http/body_fields.h"

namespace inplay {

namespace {

using namespace body_fields;

Error unknown_field(std::string_view name) {
  return invalid(name, "unknown field: support events carry ids, channels, tags and times only, never text (no PII)");
}

// The fields of one contact, read in any order; each at most once.
class ContactReader {
 public:
  explicit ContactReader(std::string prefix) : prefix_(std::move(prefix)) {}

  std::optional<Error> field(std::string_view k, sj::value& v) {
    const std::string name = prefix_ + std::string(k);
    if (!seen_.insert(std::string(k)).second) return invalid(name, "is given twice");
    if (k == "contact_id") {
      if (auto e = get_string(v, name, b_.contact_id)) return e;
      if (!valid_contact_id(b_.contact_id)) return invalid(name, "must match [A-Za-z0-9_.:-]{1,64}");
    } else if (k == "channel") {
      std::string s;
      if (auto e = get_string(v, name, s)) return e;
      if (!parse_contact_channel(s, b_.channel)) return invalid(name, "must be chat, email or phone");
    } else if (k == "tags") {
      return tags(v, name);
    } else if (k == "opened_at_ms") {
      return get_int(v, name, b_.opened_at_ms, 1, kMaxOpenedAtMs);
    } else if (k == "first_reply_ms") {
      int64_t ms = 0;
      if (auto e = get_int(v, name, ms, 0, kMaxFirstReplyMs)) return e;
      b_.first_reply_ms = ms;
    } else {
      return unknown_field(name);
    }
    return std::nullopt;
  }

  // The contact once every field is read: the required ones present.
  Result<SupportEventBody> finish() {
    for (const char* k : {"contact_id", "channel", "tags", "opened_at_ms"})
      if (!seen_.count(k)) return invalid(prefix_ + k, "is required");
    return std::move(b_);
  }

 private:
  std::optional<Error> tags(sj::value& v, const std::string& name) {
    sj::array arr;
    if (v.get_array().get(arr)) return invalid(name, "must be a list of tags");
    for (auto item : arr) {
      std::string_view t;
      if (item.get_string().get(t) || !valid_support_tag(t)) return invalid(name, "each tag is [a-z0-9_]{1,32}");
      if (std::find(b_.tags.begin(), b_.tags.end(), t) != b_.tags.end())
        return invalid(name, fmt::format("'{}' is given twice", t));
      if (b_.tags.size() == kMaxTagsPerContact)
        return invalid(name, fmt::format("at most {} tags", kMaxTagsPerContact));
      b_.tags.emplace_back(t);
    }
    if (b_.tags.empty()) return invalid(name, "must name at least one tag");
    return std::nullopt;
  }

  std::string prefix_;
  std::set<std::string> seen_;
  SupportEventBody b_;
};

std::optional<Error> read_batch(sj::value& v, std::vector<SupportEventBody>& out) {
  sj::array arr;
  if (v.get_array().get(arr)) return invalid("events", "must be a list of contacts");
  for (auto item : arr) {
    const std::string prefix = fmt::format("events[{}].", out.size());
    if (out.size() == kMaxSupportBatch) return invalid("events", fmt::format("at most {} contacts", kMaxSupportBatch));
    sj::object obj;
    if (item.get_object().get(obj)) return invalid(prefix.substr(0, prefix.size() - 1), "must be an object");
    ContactReader r(prefix);
    for (auto f : obj) {
      std::string_view k;
      sj::value fv;
      if (f.unescaped_key().get(k) || f.value().get(fv)) return invalid(prefix + "?", "invalid field");
      if (auto e = r.field(k, fv)) return e;
    }
    auto c = r.finish();
    if (!c.ok()) return c.error();
    out.push_back(std::move(c.value()));
  }
  if (out.empty()) return invalid("events", "must hold at least one contact");
  return std::nullopt;
}

}  // namespace

bool valid_contact_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' || c == '-')) return false;
  return true;
}

Result<SupportEventsBody> parse_support_events_body(std::string_view body) {
  std::vector<SupportEventBody> batch;
  ContactReader single("");
  bool batched = false, fields = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "events") {
      if (batched) return invalid("events", "is given twice");
      if (fields) return invalid("events", "a batch carries only events (or send one contact's fields)");
      batched = true;
      return read_batch(v, batch);
    }
    if (batched) return invalid(k, "a batch carries only events (or send one contact's fields)");
    fields = true;
    return single.field(k, v);
  });
  if (err) return *err;
  if (batched) return SupportEventsBody{std::move(batch), true};
  auto c = single.finish();
  if (!c.ok()) return c.error();
  batch.push_back(std::move(c.value()));
  return SupportEventsBody{std::move(batch), false};
}

Result<StatusNoteBody> parse_status_note_body(std::string_view body) {
  StatusNoteBody b;
  bool has_message = false, has_status = false;
  auto err = each_field(body, [&](std::string_view k, sj::value v) -> std::optional<Error> {
    if (k == "message") {
      if (has_message) return invalid(k, "is given twice");
      has_message = true;
      if (auto e = get_string(v, k, b.message)) return e;
      if (std::string why = public_text_problem(b.message); !why.empty()) return invalid(k, why);
    } else if (k == "status") {
      if (has_status) return invalid(k, "is given twice");
      has_status = true;
      std::string s;
      if (auto e = get_string(v, k, s)) return e;
      if (!parse_public_status(s, b.status)) return invalid(k, "must be operational, degraded or major_outage");
    } else {
      return invalid(k, "unknown field (a status note is a message and a status)");
    }
    return std::nullopt;
  });
  if (err) return *err;
  if (!has_message) return invalid("message", "is required");
  if (!has_status) return invalid("status", "is required");
  return b;
}

}  // namespace inplay
