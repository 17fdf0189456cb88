// ChartMarks: the marks the war-room charts draw — where an alert started
// firing and where an action ran (a playbook's, a budget guard's, or an
// operator's through the API) — over the charts' last 15 minutes.
//
// Engine thread only. The war room offers it what it sees each second (the
// alert pipeline's alerts, the incidents' and manual actions) and the API's
// operator controls add theirs when they succeed; a mark is kept once per
// key (an alert name and the second it started, an action's id), so offering
// the same alert or action every second adds nothing. Bounded: marks older
// than the window are dropped at each prune(), and at most kMaxMarks are
// kept (the oldest go first). A key stays known until the window has passed
// it, even when its mark was dropped for the bound, so a dropped mark is not
// offered back in.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

#include "core/json.h"

namespace inplay {

class ChartMarks {
 public:
  enum class Kind { kAlert, kAction };
  struct Mark {
    int64_t t_ms;
    Kind kind;
    std::string what;  // for a tooltip: "FeedSchemaSkew feed=football-primary", "suspend market 101 (operator:trader)"
    std::string key;
  };
  static constexpr size_t kMaxMarks = 200;
  static constexpr int64_t kWindowMs = 15 * 60 * 1000;

  // Adds the mark unless its key is known. A mark already older than the
  // window (as of the last prune) is ignored.
  void add(int64_t t_ms, Kind kind, std::string key, std::string what);
  // Drops marks older than now_ms - kWindowMs.
  void prune(int64_t now_ms);
  const std::deque<Mark>& marks() const { return marks_; }  // oldest first (by insertion)
  // [{"t_ms":..,"kind":"alert"|"action","what":".."}, ...]
  void write_json(JsonWriter& w) const;

 private:
  std::deque<Mark> marks_;
  std::unordered_map<std::string, int64_t> keys_;  // key -> t_ms, until the window passes it
  int64_t floor_ms_ = INT64_MIN;
};

const char* chart_mark_kind_name(ChartMarks::Kind k);

}  // namespace inplay
