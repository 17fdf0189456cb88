#include "support/recent_contacts.h"

namespace inplay {

RecentContacts::Seen RecentContacts::see(const std::string& contact, bool has_reply) {
  auto [it, fresh] = replied_.try_emplace(contact, false);
  Seen s;
  s.new_contact = fresh;
  s.new_reply = has_reply && !it->second;
  it->second = it->second || has_reply;
  if (fresh) {
    order_.push_back(contact);
    while (order_.size() > capacity_) {
      replied_.erase(order_.front());
      order_.pop_front();
    }
  }
  return s;
}

}  // namespace inplay
