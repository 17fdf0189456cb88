#include "cli/bet_load.h"

#include <fmt/format.h>
#include <simdjson.h>


#include "core/entropy.h"
#include "http/client.h"

namespace inplay {

LoadRequest BetLoadPlan::make(uint64_t n) const {
  const auto& [sel, odds] = selections[n % selections.size()];
  const std::string& acct = accounts[(n / selections.size()) % accounts.size()];
  LoadRequest r;
  r.path = "/v1/bets";
  r.body = fmt::format(
      R"({{"account":"{}","selection_id":{},"stake":{},"currency":"GBP","odds":"{}","price_change":"any"}})",
      acct, sel, stake, odds);
  r.headers = {{"Authorization", "Bearer " + token},
               {"Idempotency-Key", fmt::format("{}-{}", run_id, n)},
               {"Content-Type", "application/json"}};
  return r;
}

std::string BetLoadPlan::describe() const {
  std::string sels;
  for (const auto& [sel, odds] : selections) sels += fmt::format("{}{}:{}", sels.empty() ? "" : ",", sel, odds);
  return fmt::format("selections {}\naccounts load- {}\n", sels, accounts.size());
}

BetLoadPlan prepare_bet_load(const std::string& host, uint16_t port, const std::string& token,
                             int accounts, int64_t deposit_minor, uint64_t market_id) {
  BetLoadPlan plan;
  plan.token = token;
  plan.run_id = fmt::format("lg{:x}", entropy64());
  std::vector<std::pair<std::string, std::string>> auth = {{"Authorization", "Bearer " + token}};

  auto events = http_call(host, port, "GET", "/v1/events", auth);
  if (events.status == 0) throw std::runtime_error("cannot reach the book: " + events.error);
  if (events.status != 200)
    throw std::runtime_error(fmt::format("GET /v1/events answered {}: {}", events.status, events.body));
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(events.body);
  std::string currency = "GBP";
  for (auto ev : doc["events"].get_array()) {
    if (std::string_view(ev["state"].get_string()) != "pre_match") continue;
    for (auto m : ev["markets"].get_array()) {
      if (std::string_view(m["status"].get_string()) != "open") continue;
      if (market_id != 0 && uint64_t(m["market_id"].get_uint64()) != market_id) continue;
      for (auto s : m["selections"].get_array()) {
        std::string_view odds = s["odds"].get_string();
        if (odds.empty()) continue;
        plan.selections.emplace_back(uint64_t(s["selection_id"].get_uint64()), std::string(odds));
      }
    }
  }
  if (plan.selections.empty())
    throw std::runtime_error(market_id != 0 ? fmt::format("market {} has no open pre-match selection to bet on", market_id)
                                            : std::string("no open pre-match selection to bet on"));

  for (int i = 0; i < accounts; ++i) {
    std::string id = fmt::format("load-{}", i);
    // Opened by this token's channel (200: already its own, from a run before).
    auto o = http_call(host, port, "POST", "/v1/accounts", {auth[0], {"Content-Type", "application/json"}},
                       fmt::format(R"({{"account":"{}"}})", id));
    if (o.status != 201 && o.status != 200)
      throw std::runtime_error(fmt::format("opening account {} answered {}: {}", id, o.status, o.body));
    auto r = http_call(host, port, "POST", fmt::format("/v1/accounts/{}/deposits", id),
                       {auth[0], {"Idempotency-Key", fmt::format("{}-deposit-{}", plan.run_id, i)}},
                       fmt::format(R"({{"amount":{},"currency":"{}"}})", deposit_minor, currency));
    if (r.status != 201)
      throw std::runtime_error(fmt::format("deposit for {} answered {}: {}", id, r.status, r.body));
    plan.accounts.push_back(id);
  }
  return plan;
}

}  // namespace inplay
