// StatusNote: what the public status page says about one incident (SUP-1
// "status-page update"). An operator publishes it from the incident
// (POST /v1/incidents/{id}/status-note) and takes it down (DELETE, or the
// incident resolves); it is journaled with the incident (playbook/
// incident_codec.h), so a restart keeps it.
//
// The message is written for customers and shown to anyone: public_text_
// problem() refuses what must never reach a public page — control
// characters, markup, links, e-mail addresses, IP addresses — and bounds its
// length. Internals (market ids, host names, error text) are the operator's
// to leave out; the page itself adds none (support/status_board.h).
// Plain values and pure functions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace inplay {

// Worst first: the page's overall status is the worst of its notes'.
enum class PublicStatus : uint8_t { kOperational, kDegraded, kMajorOutage };
const char* public_status_name(PublicStatus s);  // "operational", "degraded", "major_outage"
bool parse_public_status(std::string_view s, PublicStatus& out);

inline constexpr size_t kMaxStatusNoteChars = 280;

struct StatusNote {
  std::string message;  // "" : no note
  PublicStatus status = PublicStatus::kDegraded;
  int64_t published_ns = 0;  // first published (book clock)
  int64_t updated_ns = 0;    // last replaced
  std::string actor;         // who published it last ("operator:<token>")
  bool published() const { return !message.empty(); }
  bool operator==(const StatusNote&) const = default;
};

// Why `message` may not go on a public page ("" when it may): 1 to
// kMaxStatusNoteChars characters of printable text, without markup (< >),
// links (://, www.), e-mail addresses (@) or IPv4 addresses.
std::string public_text_problem(std::string_view message);

}  // namespace inplay
