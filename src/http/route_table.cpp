#include "http/route_table.h"

#include <fmt/format.h>

namespace inplay {

namespace {

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_param(std::string_view s) { return s.size() >= 2 && s.front() == '{' && s.back() == '}'; }

bool allows(Access a, Role r) {
  switch (a) {
    // A support token reports contacts; it never reads accounts or bets
    // (its channel name could be a betting channel's).
    case Access::kAnyToken: return r != Role::kSupport;
    case Access::kOperator: return r == Role::kOperator;
    case Access::kCustomer: return r == Role::kChannel || r == Role::kSynthetic;
    case Access::kSupport: return r == Role::kSupport || r == Role::kOperator;
  }
  return false;
}

}  // namespace

void RouteTable::add(Route r) {
  Compiled c;
  for (std::string_view s : segments_of(r.pattern)) {
    c.segments.emplace_back(s);
    if (!is_param(s)) ++c.literals;
  }
  c.route = std::move(r);
  routes_.push_back(std::move(c));
}

void RouteTable::dispatch(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who) const {
  const std::vector<std::string_view> path = segments_of(req.path());
  // The most specific pattern that matches, and every route sharing it.
  int best = -1;
  std::vector<const Compiled*> matched;
  for (const Compiled& c : routes_) {
    if (c.segments.size() != path.size() || c.literals < best) continue;
    bool ok = true;
    for (size_t i = 0; ok && i < path.size(); ++i)
      ok = is_param(c.segments[i]) ? !path[i].empty() : c.segments[i] == path[i];
    if (!ok) continue;
    if (c.literals > best) {
      best = c.literals;
      matched.clear();
    }
    if (matched.empty() || matched.front()->route.pattern == c.route.pattern) matched.push_back(&c);
  }
  if (matched.empty()) {
    x->route = "unmatched";
    return send_error(x, Error{ErrorCode::kNotFound, "no such route"});
  }
  x->route = matched.front()->route.pattern;
  const Compiled* hit = nullptr;
  std::string allow;
  for (const Compiled* c : matched) {
    if (c->route.method == req.method) hit = c;
    allow += (allow.empty() ? "" : ", ") + c->route.method;
  }
  if (!hit)
    return send(x, 405, error_body(Error{ErrorCode::kMethodNotAllowed, fmt::format("use {}", allow)}), {{"Allow", allow}});
  if (!allows(hit->route.access, who.role))
    return send_error(x, Error{ErrorCode::kForbidden, "this token's role may not do this"});
  Call call{req, x, who, {}, fmt::format("{}:{}", role_name(who.role), who.name)};
  for (size_t i = 0; i < path.size(); ++i)
    if (is_param(hit->segments[i])) call.params.push_back(path[i]);
  hit->route.handler(call);
}

}  // namespace inplay
