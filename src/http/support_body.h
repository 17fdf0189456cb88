// Support bodies: strict reading of the support routes' JSON bodies
// (docs/api.md "Support signals and the status page").
//
// POST /v1/support/events takes one contact or a batch:
//   {"contact_id":"c-81723","channel":"chat","tags":["delay"],
//    "opened_at_ms":1798812000000,"first_reply_ms":42000}
//   {"events":[{...}, ...]}                       1..kMaxSupportBatch contacts
// contact_id [A-Za-z0-9_.:-]{1,64}, channel chat|email|phone, tags 1..8
// unique [a-z0-9_]{1,32}, opened_at_ms 1..kMaxOpenedAtMs, first_reply_ms
// 0..7 days (optional). Unlike the other bodies, an unknown field is refused:
// chat and CRM records carry customers' words, and none may come in (no
// PII). A batch is all or nothing: the first bad contact refuses it, named
// "events[3].tags: ...".
//
// POST /v1/incidents/{id}/status-note: {"message":"...","status":"degraded"}
// (status operational|degraded|major_outage; message public text,
// support/status_note.h), unknown fields refused.
//
// Errors: MALFORMED_REQUEST (400) when the body is not one JSON object,
// VALIDATION_FAILED (422) naming the field. Thread-safe.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "support/status_note.h"
#include "support/support_contact.h"

namespace inplay {

inline constexpr size_t kMaxSupportBatch = 500;
inline constexpr int64_t kMaxOpenedAtMs = 9'000'000'000'000;  // 2255: book times are int64 ns
inline constexpr int64_t kMaxFirstReplyMs = 7LL * 86400 * 1000;

// A contact as sent: the CRM's own id, not yet pseudonymised.
struct SupportEventBody {
  std::string contact_id;
  ContactChannel channel = ContactChannel::kChat;
  std::vector<std::string> tags;
  int64_t opened_at_ms = 0;
  std::optional<int64_t> first_reply_ms;
};

bool valid_contact_id(std::string_view id);  // [A-Za-z0-9_.:-]{1,64}

struct SupportEventsBody {
  std::vector<SupportEventBody> events;
  bool batch = false;  // sent as {"events": [...]}: fields are named events[i].<field>
};
Result<SupportEventsBody> parse_support_events_body(std::string_view body);

struct StatusNoteBody {
  std::string message;
  PublicStatus status = PublicStatus::kDegraded;
};
Result<StatusNoteBody> parse_status_note_body(std::string_view body);

}  // namespace inplay
