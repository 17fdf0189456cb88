#include "http/request_deadline.h"

#include <algorithm>
#include <charconv>

namespace inplay {

Result<int64_t> request_deadline_ns(const HttpRequest& req, const AdmissionConfig& cfg, int64_t read_ns) {
  std::string_view v = req.header(kDeadlineHeader);
  int64_t budget_ns = cfg.default_deadline.count();
  if (!v.empty()) {
    int64_t ms = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
    if (ec != std::errc() || p != v.data() + v.size() || ms < 1 || ms > 86'400'000)
      return Error{ErrorCode::kValidationFailed,
                   "X-Request-Deadline-Ms: must be a whole number of milliseconds from 1 to 86400000"};
    budget_ns = ms * 1'000'000;
    if (cfg.max_deadline.count() > 0) budget_ns = std::min(budget_ns, cfg.max_deadline.count());
  }
  if (budget_ns <= 0) return int64_t{0};
  return read_ns + budget_ns;
}

}  // namespace inplay
