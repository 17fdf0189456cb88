// SupportContact: one customer contact as chat or the CRM reports it
// (SUP-1): the channel it came in on, its tags, when it opened and, once an
// agent has answered, how long the first reply took. It carries no text a
// customer wrote and no raw contact id: `contact` is the pseudonym the HTTP
// edge made of the CRM's id (telemetry/pseudonym.h), so nothing past the
// edge can tell who wrote in. Plain values; the desk (support_desk.h)
// counts them.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace inplay {

enum class ContactChannel : uint8_t { kChat, kEmail, kPhone };
inline constexpr ContactChannel kContactChannels[] = {ContactChannel::kChat, ContactChannel::kEmail,
                                                      ContactChannel::kPhone};
const char* contact_channel_name(ContactChannel c);  // "chat", "email", "phone"
bool parse_contact_channel(std::string_view s, ContactChannel& out);

// A tag as chat and the CRM send it and config names it: [a-z0-9_]{1,32}.
bool valid_support_tag(std::string_view tag);
inline constexpr size_t kMaxTagsPerContact = 8;

struct SupportContact {
  std::string contact;  // the pseudonym of the CRM's contact id, never the id
  ContactChannel channel = ContactChannel::kChat;
  std::vector<std::string> tags;  // valid_support_tag, unique, 1..kMaxTagsPerContact
  int64_t opened_at_ms = 0;       // on the CRM's clock, ms since the epoch
  std::optional<int64_t> first_reply_ms;  // opened to the first agent reply; absent: not answered yet
};

}  // namespace inplay
