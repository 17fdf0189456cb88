// StatusBoard: the public status page (GET /v1/status, no token), ready to
// serve. The engine thread publishes the notes of the unresolved incidents
// whenever they change (the incident loop, after each tick and each
// operator's change); HTTP threads read the rendered body under a short
// lock, so a crowd refreshing the page during an incident never reaches the
// engine's inbox, where bets wait.
//
// The page says only what the notes say: the overall status (the worst
// note's; "operational" without notes) and each note's status, message and
// times. No incident id, market id, host or error text is added.
//   {"status":"degraded","notes":[{"status":"degraded","message":"...",
//    "published_at":"2026-11-28T15:02:10.000Z","updated_at":"..."}]}
// Notes are listed worst first, then newest first. Thread-safe.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "support/status_note.h"

namespace inplay {

// The page for these notes (pure; order as above).
std::string status_page_json(std::vector<StatusNote> notes);

class StatusBoard {
 public:
  StatusBoard();
  // Engine thread: the published notes now; renders only when they changed.
  void publish(std::vector<StatusNote> notes);
  // Any thread.
  std::string body() const;

 private:
  mutable std::mutex mu_;
  std::vector<StatusNote> notes_;  // as last published
  std::string body_;
};

}  // namespace inplay
