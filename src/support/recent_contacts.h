// RecentContacts: the contacts the support desk has already counted, so a
// CRM that sends a contact again (a retry, or the same contact once more
// when its first reply comes) never counts it twice. A contact is counted
// once when first seen; its first reply is recorded once, whichever send
// carries it. Keyed by the contact's pseudonym (no raw id is kept). Bounded:
// it remembers the last `capacity` contacts; an older one sent again counts
// again (a CRM resends within minutes, not days). Single-threaded (the
// support desk's, on the engine thread).
#pragma once
#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

namespace inplay {

class RecentContacts {
 public:
  explicit RecentContacts(size_t capacity) : capacity_(capacity) {}

  // What a send of this contact adds.
  struct Seen {
    bool new_contact = false;  // first time: count it and its tags
    bool new_reply = false;    // carries the first reply not yet recorded
  };
  Seen see(const std::string& contact, bool has_reply);
  size_t size() const { return replied_.size(); }

 private:
  size_t capacity_;
  std::unordered_map<std::string, bool> replied_;  // contact -> its first reply recorded
  std::deque<std::string> order_;                  // oldest first, for the bound
};

}  // namespace inplay
