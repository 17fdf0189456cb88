// RouteTable (src/http/route_table.h): one dispatch for every route — the
// path (404), then the method (405 with Allow in the order routes were
// added), then the role (403), then the handler with its parameters; a
// literal segment beats a parameter; the matched pattern labels the request.
#include "http/route_table.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace inplay {
namespace {

struct Harness {
  SimClock clock{from_ns(1'800'000'000'000'000'000)};
  Tracer tracer{100};
  MetricsRegistry metrics;
  Family<Counter>* requests = &metrics.counter("requests_total", "", {"route", "code"});
  RouteTable table;
  std::string called;           // which handler ran, with its params
  HttpResponse answer;

  Harness() {
    auto record = [this](std::string name) {
      return [this, name](Call& c) {
        called = name;
        for (auto p : c.params) called += "|" + std::string(p);
        called += "|" + c.actor;
        send(c.x, 200, "{}");
      };
    };
    table.add({"GET", "/v1/markets/{id}", Access::kAnyToken, record("market")});
    table.add({"POST", "/v1/markets/{id}/status", Access::kOperator, record("status")});
    table.add({"GET", "/v1/actions", Access::kOperator, record("actions")});
    table.add({"POST", "/v1/actions", Access::kOperator, record("act")});
    table.add({"GET", "/v1/traces/{id}", Access::kOperator, record("trace")});
    table.add({"GET", "/v1/traces/breakdown", Access::kOperator, record("breakdown")});
    table.add({"POST", "/v1/bets", Access::kCustomer, record("bet")});
    table.add({"POST", "/v1/support/events", Access::kSupport, record("contacts")});
  }

  std::shared_ptr<Exchange> dispatch(const std::string& method, const std::string& target, Role role) {
    HttpRequest req;
    req.method = method;
    req.target = target;
    auto x = std::make_shared<Exchange>();
    x->respond = [this](HttpResponse r) { answer = std::move(r); };
    x->tracer = &tracer;
    x->clock = &clock;
    x->requests = requests;
    x->span = tracer.start("gateway", TraceContext{}, 0);
    called.clear();
    answer = HttpResponse{};
    Principal who{"trader", role};
    table.dispatch(req, x, who);
    return x;
  }
  std::string header(const std::string& name) const {
    for (auto& [k, v] : answer.headers)
      if (k == name) return v;
    return "";
  }
};

TEST(RouteTable, MatchesPatternsAndPassesParameters) {
  Harness h;
  auto x = h.dispatch("POST", "/v1/markets/101/status", Role::kOperator);
  EXPECT_EQ(h.answer.status, 200);
  EXPECT_EQ(h.called, "status|101|operator:trader");
  EXPECT_EQ(x->route, "/v1/markets/{id}/status");
  h.dispatch("GET", "/v1/markets/abc?x=1", Role::kChannel);  // ids are the handler's to check
  EXPECT_EQ(h.called, "market|abc|channel:trader");
}

TEST(RouteTable, ALiteralSegmentBeatsAParameter) {
  Harness h;
  h.dispatch("GET", "/v1/traces/breakdown", Role::kOperator);
  EXPECT_EQ(h.called, "breakdown|operator:trader");
  h.dispatch("GET", "/v1/traces/0af7651916cd43dd8448eb211c80319c", Role::kOperator);
  EXPECT_EQ(h.called, "trace|0af7651916cd43dd8448eb211c80319c|operator:trader");
}

TEST(RouteTable, UnknownPathsAre404) {
  Harness h;
  for (const char* t : {"/v1/nope", "/v1/markets/101/status/extra", "/v1/markets//status", "/v1/markets"}) {
    auto x = h.dispatch("GET", t, Role::kOperator);
    EXPECT_EQ(h.answer.status, 404) << t;
    EXPECT_NE(h.answer.body.find("NOT_FOUND"), std::string::npos) << t;
    EXPECT_EQ(x->route, "unmatched") << t;
    EXPECT_TRUE(h.called.empty()) << t;
  }
}

TEST(RouteTable, MethodBeforeRoleAndAllowListsThePatternsMethods) {
  Harness h;
  // A channel token with the wrong method: 405, not 403 (method first).
  auto x = h.dispatch("DELETE", "/v1/actions", Role::kChannel);
  EXPECT_EQ(h.answer.status, 405);
  EXPECT_EQ(h.header("Allow"), "GET, POST");
  EXPECT_NE(h.answer.body.find("METHOD_NOT_ALLOWED"), std::string::npos);
  EXPECT_EQ(x->route, "/v1/actions");
  h.dispatch("GET", "/v1/markets/101/status", Role::kOperator);
  EXPECT_EQ(h.answer.status, 405);
  EXPECT_EQ(h.header("Allow"), "POST");
  EXPECT_TRUE(h.called.empty());
}

TEST(RouteTable, TheRoleIsCheckedInOnePlace) {
  Harness h;
  h.dispatch("POST", "/v1/markets/101/status", Role::kChannel);
  EXPECT_EQ(h.answer.status, 403);
  EXPECT_NE(h.answer.body.find("FORBIDDEN"), std::string::npos);
  EXPECT_TRUE(h.called.empty());
  h.dispatch("POST", "/v1/bets", Role::kOperator);  // customers' routes refuse operators
  EXPECT_EQ(h.answer.status, 403);
  h.dispatch("POST", "/v1/bets", Role::kSynthetic);
  EXPECT_EQ(h.called, "bet|synthetic:trader");
  h.dispatch("POST", "/v1/bets", Role::kChannel);
  EXPECT_EQ(h.answer.status, 200);
}

TEST(RouteTable, ASupportTokenReportsContactsAndSeesNothingElse) {
  Harness h;
  h.dispatch("POST", "/v1/support/events", Role::kSupport);
  EXPECT_EQ(h.called, "contacts|support:trader");
  h.dispatch("POST", "/v1/support/events", Role::kOperator);
  EXPECT_EQ(h.answer.status, 200);
  h.dispatch("POST", "/v1/support/events", Role::kChannel);
  EXPECT_EQ(h.answer.status, 403);
  // No bet, no control, and none of the book every other token reads.
  for (auto [method, target] : {std::pair{"POST", "/v1/bets"}, std::pair{"GET", "/v1/markets/101"},
                                std::pair{"GET", "/v1/actions"}}) {
    h.dispatch(method, target, Role::kSupport);
    EXPECT_EQ(h.answer.status, 403) << target;
    EXPECT_TRUE(h.called.empty()) << target;
  }
}

}  // namespace
}  // namespace inplay
