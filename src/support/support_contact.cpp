#include "support/support_contact.h"

namespace inplay {

const char* contact_channel_name(ContactChannel c) {
  switch (c) {
    case ContactChannel::kChat: return "chat";
    case ContactChannel::kEmail: return "email";
    case ContactChannel::kPhone: return "phone";
  }
  return "chat";
}

bool parse_contact_channel(std::string_view s, ContactChannel& out) {
  for (ContactChannel c : kContactChannels)
    if (s == contact_channel_name(c)) {
      out = c;
      return true;
    }
  return false;
}

bool valid_support_tag(std::string_view tag) {
  if (tag.empty() || tag.size() > 32) return false;
  for (char c : tag)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace inplay
