#include "market/market_desk.h"

#include "telemetry/log.h"

namespace inplay {

MarketDesk::MarketDesk(Engine& engine) : engine_(engine) {}

void MarketDesk::price_moved(uint64_t market_id) {
  for (auto& fn : listeners_) fn(market_id);
}

Result<bool> MarketDesk::set_market_status(uint64_t market_id, MarketStatus s, std::string reason,
                                           std::string actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const Market* m = engine_.state().book.market(market_id);
  if (!m) return Error{ErrorCode::kMarketNotFound, "unknown market"};
  // Only settlement (its own events) moves a settled market.
  if (m->status == MarketStatus::kSettled) return Error{ErrorCode::kMarketSettled, "the market is settled"};
  if (s == MarketStatus::kSettled) return Error{ErrorCode::kValidationFailed, "a market is settled by its result"};
  log::info("engine", "market status set",
            {{"market_id", market_id}, {"status", market_status_name(s)}, {"reason", reason}, {"actor", actor}});
  engine_.commit(MarketStatusSet{market_id, static_cast<uint8_t>(s), std::move(reason), std::move(actor),
                                 to_ns(engine_.clock().now())});
  if (s == MarketStatus::kOpen) price_moved(market_id);
  return true;
}

Result<bool> MarketDesk::set_stake_cap(uint64_t market_id, int64_t cap, std::string actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!engine_.state().book.market(market_id)) return Error{ErrorCode::kMarketNotFound, "unknown market"};
  if (cap < 0) return Error{ErrorCode::kValidationFailed, "cap must be >= 0"};
  log::info("engine", "stake cap set", {{"market_id", market_id}, {"cap", cap}, {"actor", actor}});
  engine_.commit(StakeCapSet{market_id, cap, std::move(actor), to_ns(engine_.clock().now())});
  return true;
}

Result<bool> MarketDesk::set_event_state(uint64_t event_id, EventState s, std::string actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!engine_.state().book.event(event_id)) return Error{ErrorCode::kNotFound, "unknown event"};
  engine_.commit(EventStateSet{event_id, static_cast<uint8_t>(s), std::move(actor), to_ns(engine_.clock().now())});
  return true;
}

Result<bool> MarketDesk::set_market_control(uint64_t market_id, MarketControl c, int64_t value, std::string reason,
                                            std::string actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (!engine_.state().book.market(market_id)) return Error{ErrorCode::kMarketNotFound, "unknown market"};
  if (value < 0) return Error{ErrorCode::kValidationFailed, "value must be >= 0"};
  if (c == MarketControl::kExtraDelayMs && value > 60000)
    return Error{ErrorCode::kValidationFailed, "extra delay must be at most 60000 ms"};
  log::info("engine", "market control set",
            {{"market_id", market_id}, {"control", market_control_name(c)}, {"value", value},
             {"reason", reason}, {"actor", actor}});
  engine_.commit(MarketControlSet{market_id, static_cast<uint8_t>(c), value, std::move(reason), std::move(actor),
                                  to_ns(engine_.clock().now())});
  return true;
}

Result<bool> MarketDesk::set_book_intake(int64_t per_second, std::string reason, std::string actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (per_second < 0) return Error{ErrorCode::kValidationFailed, "value must be >= 0"};
  log::info("engine", "book intake limit set", {{"value", per_second}, {"reason", reason}, {"actor", actor}});
  engine_.commit(MarketControlSet{kWholeBook, static_cast<uint8_t>(MarketControl::kIntakePerSecond), per_second,
                                  std::move(reason), std::move(actor), to_ns(engine_.clock().now())});
  return true;
}

void MarketDesk::record_action(std::string action, std::string target, std::string actor, std::string detail) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  engine_.commit(ActionRecorded{std::move(action), std::move(target), std::move(actor), std::move(detail),
                                to_ns(engine_.clock().now())});
}

Result<bool> MarketDesk::price_market(uint64_t market_id, const std::vector<Odds>& odds, int64_t provider_ts_ms) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const Market* m = engine_.state().book.market(market_id);
  if (!m) return Error{ErrorCode::kMarketNotFound, "unknown market"};
  if (m->status == MarketStatus::kSettled) return Error{ErrorCode::kMarketSettled, "the market is settled"};
  if (odds.size() != m->selections.size())
    return Error{ErrorCode::kValidationFailed, "one price per selection of the market"};
  MarketPriced e{market_id, provider_ts_ms, to_ns(engine_.clock().now()), {}};
  e.prices.reserve(odds.size());
  for (size_t i = 0; i < odds.size(); ++i) e.prices.emplace_back(m->selections[i], odds[i].scaled);
  engine_.commit(std::move(e));
  engine_.metrics().price_updates->inc(odds.size());
  price_moved(market_id);
  return true;
}

bool MarketDesk::set_scoreboard(uint64_t event_id, const Scoreboard& s) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  Event* e = engine_.state().book.event(event_id);
  if (!e) return false;
  e->scoreboard = s;
  return true;
}

Result<bool> MarketDesk::apply_price(uint64_t selection_id, Odds odds, int64_t provider_ts_ms) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  const Selection* sel = engine_.state().book.selection(selection_id);
  if (!sel) return Error{ErrorCode::kSelectionNotFound, "unknown selection"};
  uint64_t market_id = sel->market_id;
  if (engine_.state().book.market(market_id)->status == MarketStatus::kSettled)
    return Error{ErrorCode::kMarketSettled, "the market is settled"};
  engine_.commit(PriceApplied{selection_id, odds.scaled, provider_ts_ms, to_ns(engine_.clock().now())});
  engine_.metrics().price_updates->inc();
  price_moved(market_id);
  return true;
}

}  // namespace inplay
