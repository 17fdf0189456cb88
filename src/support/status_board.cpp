#include "support/status_board.h"

#include <algorithm>

#include "core/json.h"
#include "core/time_format.h"

namespace inplay {

std::string status_page_json(std::vector<StatusNote> notes) {
  std::stable_sort(notes.begin(), notes.end(), [](const StatusNote& a, const StatusNote& b) {
    if (a.status != b.status) return a.status > b.status;
    return a.updated_ns > b.updated_ns;
  });
  PublicStatus overall = notes.empty() ? PublicStatus::kOperational : notes.front().status;
  JsonWriter w;
  w.begin_object().field("status", public_status_name(overall));
  w.key("notes").begin_array();
  for (const StatusNote& n : notes) {
    w.begin_object().field("status", public_status_name(n.status)).field("message", n.message);
    w.field("published_at", rfc3339_ms(n.published_ns)).field("updated_at", rfc3339_ms(n.updated_ns));
    w.end_object();
  }
  w.end_array().end_object();
  return w.take();
}

StatusBoard::StatusBoard() : body_(status_page_json({})) {}

void StatusBoard::publish(std::vector<StatusNote> notes) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (notes == notes_) return;
  }
  std::string body = status_page_json(notes);
  std::lock_guard<std::mutex> g(mu_);
  notes_ = std::move(notes);
  body_ = std::move(body);
}

std::string StatusBoard::body() const {
  std::lock_guard<std::mutex> g(mu_);
  return body_;
}

}  // namespace inplay
