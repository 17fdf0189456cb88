#include "support/status_note.h"

#include <fmt/format.h>

#include <regex>

namespace inplay {

const char* public_status_name(PublicStatus s) {
  switch (s) {
    case PublicStatus::kOperational: return "operational";
    case PublicStatus::kDegraded: return "degraded";
    case PublicStatus::kMajorOutage: return "major_outage";
  }
  return "degraded";
}

bool parse_public_status(std::string_view s, PublicStatus& out) {
  for (PublicStatus p : {PublicStatus::kOperational, PublicStatus::kDegraded, PublicStatus::kMajorOutage})
    if (s == public_status_name(p)) {
      out = p;
      return true;
    }
  return false;
}

std::string public_text_problem(std::string_view m) {
  // The same rules as the OpenAPI pattern of StatusNoteRequest.message.
  size_t chars = 0;
  bool visible = false;
  for (unsigned char c : m) {
    if ((c & 0xC0) != 0x80) ++chars;  // a UTF-8 character starts here
    if (c < 0x20 || c == 0x7f) return "must be one line of printable text (no control characters)";
    if (c == '<' || c == '>') return "must be plain text (no markup)";
    if (c == '@') return "must not contain an e-mail address (@)";
    visible = visible || c != ' ';
  }
  if (chars == 0 || !visible) return "must not be empty";
  if (chars > kMaxStatusNoteChars) return fmt::format("at most {} characters", kMaxStatusNoteChars);
  if (m.find("://") != std::string_view::npos) return "must not contain a link";
  static const std::regex kIpv4(R"([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})");
  if (std::regex_search(m.begin(), m.end(), kIpv4)) return "must not contain an IP address";
  return "";
}

}  // namespace inplay
