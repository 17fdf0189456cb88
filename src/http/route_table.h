// RouteTable: every route of the API as data — {method, pattern, access,
// handler} — and the one dispatch that applies them, the same for all:
//   1. the path is matched against the patterns (404 NOT_FOUND "no such
//      route"); a literal segment beats a parameter ("/v1/traces/breakdown"
//      over "/v1/traces/{id}");
//   2. the method (405 METHOD_NOT_ALLOWED, Allow naming the pattern's
//      methods in the order they were added);
//   3. the caller's role (403 FORBIDDEN): the only place a role is checked;
//   4. the handler, with the parameters ({...} segments, in order). Ids,
//      headers and bodies are the handler's to check.
// The matched pattern labels the exchange (http_requests_total{route}).
// Routes are added before the server starts; dispatch runs on I/O threads.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/auth.h"
#include "http/exchange.h"
#include "http/server.h"

namespace inplay {

// Who may call a route (after authentication).
enum class Access : uint8_t {
  kAnyToken,  // every role that sees the book: operator, channel, synthetic (not support)
  kOperator,  // traders and on-call
  kCustomer,  // the roles that bet and move money for customers: channel, synthetic
  kSupport,   // customer contacts from chat and the CRM: support, and operators
};

// One dispatched request, as a handler sees it.
struct Call {
  HttpRequest& req;
  std::shared_ptr<Exchange> x;
  const Principal& who;
  std::vector<std::string_view> params;  // the {...} segments, in pattern order
  std::string actor;                     // "<role>:<token name>", for audit and logs
};
using RouteHandler = std::function<void(Call&)>;

struct Route {
  std::string method;   // "GET", "POST", "PUT"
  std::string pattern;  // "/v1/markets/{id}/status"
  Access access = Access::kOperator;
  RouteHandler handler;
};

class RouteTable {
 public:
  void add(Route r);
  // 404 when nothing matches, else 405, 403 or the handler (see above).
  void dispatch(HttpRequest& req, const std::shared_ptr<Exchange>& x, const Principal& who) const;
  size_t size() const { return routes_.size(); }

 private:
  struct Compiled {
    Route route;
    std::vector<std::string> segments;  // "{...}" for a parameter
    int literals = 0;
  };
  std::vector<Compiled> routes_;
};

}  // namespace inplay
