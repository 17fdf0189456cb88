#include "warroom/chart_marks.h"

namespace inplay {

const char* chart_mark_kind_name(ChartMarks::Kind k) { return k == ChartMarks::Kind::kAlert ? "alert" : "action"; }

void ChartMarks::add(int64_t t_ms, Kind kind, std::string key, std::string what) {
  if (t_ms < floor_ms_ || !keys_.emplace(key, t_ms).second) return;
  marks_.push_back(Mark{t_ms, kind, std::move(what), std::move(key)});
  while (marks_.size() > kMaxMarks) marks_.pop_front();
}

void ChartMarks::prune(int64_t now_ms) {
  floor_ms_ = now_ms - kWindowMs;
  // Marks arrive roughly in time order; an old one behind a newer one waits
  // for it (the page ignores marks left of its axis).
  while (!marks_.empty() && marks_.front().t_ms < floor_ms_) marks_.pop_front();
  std::erase_if(keys_, [&](const auto& kv) { return kv.second < floor_ms_; });
}

void ChartMarks::write_json(JsonWriter& w) const {
  w.begin_array();
  for (const Mark& m : marks_)
    w.begin_object().field("t_ms", m.t_ms).field("kind", chart_mark_kind_name(m.kind)).field("what", m.what).end_object();
  w.end_array();
}

}  // namespace inplay
