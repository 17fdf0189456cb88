#include "playbook/book_action_port.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace inplay {

std::vector<uint64_t> BookActionPort::markets_of(const ActionTarget& t) {
  if (!t.markets.empty()) return t.markets;
  std::vector<uint64_t> out;
  const Book& book = engine_.state().book;
  for (uint64_t eid : book.event_ids()) {
    const Event* e = book.event(eid);
    if (e->state == EventState::kEnded) continue;
    if (!t.league.empty() && e->league != t.league) continue;
    if (t.league.empty() && !t.sport.empty() && e->sport != t.sport) continue;
    if (t.league.empty() && t.sport.empty()) continue;
    for (uint64_t mid : e->markets) {
      const Market* m = book.market(mid);
      if (m->status == MarketStatus::kOpen || m->status == MarketStatus::kSuspended) out.push_back(mid);
    }
  }
  return out;
}

std::string BookActionPort::sport_of(const ActionTarget& t) {
  if (!t.sport.empty()) return t.sport;
  const Book& book = engine_.state().book;
  for (uint64_t mid : t.markets)
    if (const Market* m = book.market(mid)) return book.event(m->event_id)->sport;
  for (uint64_t eid : book.event_ids())
    if (!t.league.empty() && book.event(eid)->league == t.league) return book.event(eid)->sport;
  return "";
}

Result<ActionOutcome> BookActionPort::switch_feed(const ActionTarget& t, const std::string& actor) {
  if (!desk_) return Error{ErrorCode::kFeedUnavailable, "the book has no feeds to switch"};
  std::string sport = sport_of(t);
  if (sport.empty()) return Error{ErrorCode::kValidationFailed, "no sport to switch"};
  ActionOutcome o;
  o.applied_by = actor;
  o.previous_feed = desk_->active_feed(sport);
  if (!t.feed.empty() && t.feed != o.previous_feed) {
    // The alerts blame a feed that no longer prices the sport (switched
    // already): switching "to the other one" would go back to it.
    o.detail = fmt::format("{} already off {} (active: {})", sport, t.feed, o.previous_feed);
    o.previous_feed.clear();  // nothing to undo
    o.changed = false;
    return o;
  }
  for (auto& s : desk_->signals()) {
    if (s.sport != sport || s.active || s.role == "reference") continue;
    if (s.state == FeedState::kUp && !s.fresh)
      return Error{ErrorCode::kFeedUnavailable, fmt::format("feed {} is up but late (not fresh)", s.name)};
    // A switch for one league's schema skew goes only to a feed that
    // carries that league in a schema we accept.
    // A switch blamed on the whole feed (parse errors) goes only to a feed
    // refusing no league's lines right now (a skew in the last 10 s).
    const int64_t now = to_ns(engine_.clock().now());
    for (auto& ls : s.schemas) {
      if (!t.league.empty() && ls.league == t.league && ls.skewed)
        return Error{ErrorCode::kFeedUnavailable,
                     fmt::format("feed {} skews {} too (schema {})", s.name, t.league, ls.version)};
      if (t.league.empty() && ls.skewed && now - ls.last_ns < 10'000'000'000)
        return Error{ErrorCode::kFeedUnavailable,
                     fmt::format("feed {} skews {} now (schema {})", s.name, ls.league, ls.version)};
    }
  }
  auto r = desk_->switch_feed(sport, std::nullopt, actor);
  if (!r.ok()) return r.error();
  o.detail = fmt::format("switched {} from {} to {}", sport, o.previous_feed, desk_->active_feed(sport));
  return o;
}

Result<ActionOutcome> BookActionPort::apply(const ActionSpec& a, const ActionTarget& t, const std::string& actor,
                                            const std::string& reason) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  ActionOutcome o;
  o.applied_by = actor;
  Book& book = engine_.state().book;
  if (a.type == ActionType::kSwitchFeed) return switch_feed(t, actor);
  if (a.type == ActionType::kSwitchPspRoute) return switch_psp_route(t, actor, reason);
  if (a.type == ActionType::kSwitchKycVendor) return switch_kyc_vendor(t, actor);
  if (a.type == ActionType::kPauseKycRule) return pause_kyc_rule(actor, reason);
  if (a.type == ActionType::kShedLoad && t.markets.empty() && t.league.empty() && t.sport.empty())
    return shed_book(a, actor, reason);
  std::vector<uint64_t> markets = markets_of(t);
  if (markets.empty()) return Error{ErrorCode::kMarketNotFound, "no market to act on"};
  for (uint64_t mid : markets) {
    Market* m = book.market(mid);
    if (!m) return Error{ErrorCode::kMarketNotFound, fmt::format("unknown market {}", mid)};
  }
  for (uint64_t mid : markets) {
    Market* m = book.market(mid);
    Result<bool> r = true;
    switch (a.type) {
      case ActionType::kSuspendMarket:
        if (m->status != MarketStatus::kOpen) continue;
        r = markets_.set_market_status(mid, MarketStatus::kSuspended, reason, actor);
        break;
      case ActionType::kFreezeCashout:
        if (m->cashout_frozen) continue;
        r = markets_.set_market_control(mid, MarketControl::kCashoutFrozen, 1, reason, actor);
        break;
      case ActionType::kLowerStakeCap:
        o.previous[mid] = m->stake_cap_minor;
        if (m->stake_cap_minor > 0 && m->stake_cap_minor <= a.value) continue;
        r = markets_.set_stake_cap(mid, a.value, actor);
        break;
      case ActionType::kExtendDelay:
        o.previous[mid] = m->extra_delay_ms;
        if (m->extra_delay_ms >= a.value) continue;
        r = markets_.set_market_control(mid, MarketControl::kExtraDelayMs, a.value, reason, actor);
        break;
      case ActionType::kShedLoad:
        o.previous[mid] = m->intake_per_second;
        if (m->intake_per_second > 0 && m->intake_per_second <= a.value) continue;
        r = markets_.set_market_control(mid, MarketControl::kIntakePerSecond, a.value, reason, actor);
        break;
      case ActionType::kSwitchFeed:
      case ActionType::kSwitchPspRoute:
      case ActionType::kSwitchKycVendor:
      case ActionType::kPauseKycRule: break;
    }
    if (!r.ok()) return r.error();
    o.markets.push_back(mid);
  }
  const char* what = a.type == ActionType::kSuspendMarket   ? "suspended"
                     : a.type == ActionType::kFreezeCashout ? "froze cash-out on"
                     : a.type == ActionType::kLowerStakeCap ? "capped stakes on"
                     : a.type == ActionType::kExtendDelay   ? "extended the in-play delay on"
                                                            : "limited intake on";
  o.detail = fmt::format("{} {} market(s)", what, o.markets.size());
  o.changed = !o.markets.empty();
  if (a.type == ActionType::kLowerStakeCap) o.detail += fmt::format(" at {} minor units", a.value);
  if (a.type == ActionType::kExtendDelay) o.detail += fmt::format(" by {} ms", a.value);
  if (a.type == ActionType::kShedLoad) o.detail += fmt::format(" to {} bets/s", a.value);
  return o;
}

Result<ActionOutcome> BookActionPort::shed_book(const ActionSpec& a, const std::string& actor,
                                                const std::string& reason) {
  ActionOutcome o;
  o.applied_by = actor;
  int64_t limit = a.value;
  std::string why;
  if (a.share_pct > 0) {
    if (!decided_per_second_) return Error{ErrorCode::kValidationFailed, "the book measures no decided bets"};
    const double rate = decided_per_second_();
    const auto share = std::max<int64_t>(1, std::llround(rate * static_cast<double>(a.share_pct) / 100.0));
    limit = a.value > 0 ? std::min(a.value, share) : share;
    why = fmt::format(" ({} % of the {:.1f} bets/s it decided over the last 10 s)", a.share_pct, rate);
  }
  const int64_t before = engine_.state().book_intake_per_second;
  o.previous[kWholeBook] = before;
  if (before > 0 && before <= limit) {
    o.changed = false;
    o.detail = fmt::format("the book's intake is already limited to {} bets/s", before);
    return o;
  }
  auto r = markets_.set_book_intake(limit, reason, actor);
  if (!r.ok()) return r.error();
  o.book_intake = limit;
  o.detail = fmt::format("limited the book's intake to {} bets/s{}", limit, why);
  return o;
}

Result<std::string> BookActionPort::unshed_book(const ActionOutcome& done, const std::string& actor) {
  const int64_t now = engine_.state().book_intake_per_second;
  if (now != done.book_intake)  // someone set another limit since: theirs stays
    return fmt::format("left the book's intake limit at {} bets/s (changed since)", now);
  auto prev = done.previous.find(kWholeBook);
  const int64_t back = prev == done.previous.end() ? 0 : prev->second;
  auto r = markets_.set_book_intake(back, "revert", actor);
  if (!r.ok()) return r.error();
  return back ? fmt::format("set the book's intake back to {} bets/s", back) : std::string("lifted the book's intake limit");
}

Result<ActionOutcome> BookActionPort::switch_psp_route(const ActionTarget& t, const std::string& actor,
                                                       const std::string& reason) {
  if (!payments_ || !payments_->enabled())
    return Error{ErrorCode::kPaymentRouteUnavailable, "the book has no payment route"};
  ActionOutcome o;
  o.applied_by = actor;
  const std::string active = payments_->active();
  if (!t.feed.empty() && t.feed != active) {
    o.changed = false;
    o.detail = fmt::format("{} is not the active route ({} is): nothing to switch", t.feed, active);
    return o;
  }
  const std::string to = payments_->next_route_after(active);
  if (to.empty()) return Error{ErrorCode::kPaymentRouteUnavailable, "no other payment route is available"};
  auto r = payments_->switch_route(to, actor, reason);
  if (!r.ok()) return r.error();
  o.previous_feed = active;
  o.detail = fmt::format("switched new payments from {} to {}", active, to);
  return o;
}

Result<std::string> BookActionPort::switch_psp_route_back(const ActionOutcome& done, const std::string& actor) {
  if (!payments_ || done.previous_feed.empty()) return std::string("nothing to undo: no switch was made");
  if (payments_->active() == done.previous_feed) return fmt::format("{} is already active", done.previous_feed);
  // Back only once the route switched away from takes payments again.
  bool available = false;
  for (const auto& r : payments_->routes_seen())
    if (r.name == done.previous_feed) available = r.available;
  if (!available) return Error{ErrorCode::kNotReady, fmt::format("waits until {} is available again", done.previous_feed)};
  auto r = payments_->switch_route(done.previous_feed, actor, "revert");
  if (!r.ok()) return r.error();
  return fmt::format("switched new payments back to {}", done.previous_feed);
}

Result<ActionOutcome> BookActionPort::switch_kyc_vendor(const ActionTarget& t, const std::string& actor) {
  if (!kyc_ || !kyc_->enabled()) return Error{ErrorCode::kKycVendorUnavailable, "the book has no KYC vendor"};
  ActionOutcome o;
  o.applied_by = actor;
  const std::string active = kyc_->active();
  if (!t.feed.empty() && t.feed != active) {
    o.changed = false;
    o.detail = fmt::format("{} is not the active KYC vendor ({} is): nothing to switch", t.feed, active);
    return o;
  }
  std::string to;
  for (const KycDesk::VendorSeen& v : kyc_->vendors_seen())
    if (v.name != active && v.available && to.empty()) to = v.name;
  if (to.empty()) return Error{ErrorCode::kKycVendorUnavailable, "no other KYC vendor is available"};
  auto r = kyc_->switch_vendor(to, actor);
  if (!r.ok()) return r.error();
  o.previous_feed = active;
  o.detail = fmt::format("switched new screenings from {} to {}", active, to);
  return o;
}

Result<std::string> BookActionPort::switch_kyc_vendor_back(const ActionOutcome& done, const std::string& actor) {
  if (!kyc_ || done.previous_feed.empty()) return std::string("nothing to undo: no switch was made");
  if (kyc_->active() == done.previous_feed) return fmt::format("{} is already active", done.previous_feed);
  bool available = false;
  for (const KycDesk::VendorSeen& v : kyc_->vendors_seen())
    if (v.name == done.previous_feed) available = v.available;
  if (!available)
    return Error{ErrorCode::kNotReady, fmt::format("waits until {} takes screenings again", done.previous_feed)};
  auto r = kyc_->switch_vendor(done.previous_feed, actor);
  if (!r.ok()) return r.error();
  return fmt::format("switched new screenings back to {}", done.previous_feed);
}

Result<ActionOutcome> BookActionPort::pause_kyc_rule(const std::string& actor, const std::string& reason) {
  if (!kyc_ || !kyc_->enabled()) return Error{ErrorCode::kKycVendorUnavailable, "the book has no KYC vendor"};
  ActionOutcome o;
  o.applied_by = actor;
  if (kyc_->withdrawal_rule_paused()) {
    o.changed = false;
    o.detail = "the withdrawal screening rule is already paused";
    return o;
  }
  kyc_->pause_withdrawal_rule(true, actor, reason);
  o.detail = fmt::format("paused the screening of withdrawals over {} minor units", kyc_->terms().withdrawal_threshold);
  return o;
}

Result<std::string> BookActionPort::resume_kyc_rule(const ActionOutcome& done, const std::string& actor) {
  if (!kyc_ || !done.changed) return std::string("nothing to undo: the rule was already paused");
  if (!kyc_->withdrawal_rule_paused()) return std::string("the withdrawal screening rule was resumed since");
  kyc_->pause_withdrawal_rule(false, actor, "revert");
  return std::string("resumed the screening of withdrawals over the threshold");
}

Result<std::string> BookActionPort::revert(const ActionSpec& a, const ActionOutcome& done, const std::string& actor) {
  INPLAY_ASSERT_ENGINE_THREAD(engine_);
  if (a.type == ActionType::kSwitchPspRoute) return switch_psp_route_back(done, actor);
  if (a.type == ActionType::kSwitchKycVendor) return switch_kyc_vendor_back(done, actor);
  if (a.type == ActionType::kPauseKycRule) return resume_kyc_rule(done, actor);
  if (a.type == ActionType::kShedLoad && done.book_intake > 0) return unshed_book(done, actor);
  Book& book = engine_.state().book;
  if (a.type == ActionType::kSwitchFeed) {
    if (!desk_) return Error{ErrorCode::kFeedUnavailable, "the book has no feeds"};
    if (done.previous_feed.empty()) return std::string("nothing to undo: no switch was made");
    // Back to the feed that was active before, once it has been up and on
    // time for the hold period (not merely up: a late feed stays late).
    for (auto& s : desk_->signals()) {
      if (s.name != done.previous_feed) continue;
      if (s.active) return fmt::format("{} is already active", s.name);
      if (!desk_->fresh_for(s.name, feed_revert_hold_ns_))
        return Error{ErrorCode::kNotReady, fmt::format("waits until {} has been up and fresh for {} s", s.name,
                                                       feed_revert_hold_ns_ / 1'000'000'000)};
      auto r = desk_->switch_feed(s.sport, std::nullopt, actor);
      if (!r.ok()) return r.error();
      return fmt::format("switched {} back to {}", s.sport, s.name);
    }
    return Error{ErrorCode::kFeedUnavailable, "the previous feed is unknown"};
  }
  size_t undone = 0;
  for (uint64_t mid : done.markets) {
    Market* m = book.market(mid);
    if (!m) continue;
    Result<bool> r = true;
    switch (a.type) {
      case ActionType::kSuspendMarket:
        // Only a suspension that is still this action's is lifted.
        if (m->status != MarketStatus::kSuspended || m->status_actor != done.applied_by) continue;
        r = markets_.set_market_status(mid, MarketStatus::kOpen, "revert", actor);
        break;
      case ActionType::kFreezeCashout:
        if (!m->cashout_frozen) continue;
        r = markets_.set_market_control(mid, MarketControl::kCashoutFrozen, 0, "revert", actor);
        break;
      case ActionType::kLowerStakeCap:
        if (m->stake_cap_minor != a.value) continue;  // someone changed it since
        r = markets_.set_stake_cap(mid, done.previous.count(mid) ? done.previous.at(mid) : 0, actor);
        break;
      case ActionType::kExtendDelay:
        if (m->extra_delay_ms != a.value) continue;
        r = markets_.set_market_control(mid, MarketControl::kExtraDelayMs,
                                       done.previous.count(mid) ? done.previous.at(mid) : 0, "revert", actor);
        break;
      case ActionType::kShedLoad:
        if (m->intake_per_second != a.value) continue;
        r = markets_.set_market_control(mid, MarketControl::kIntakePerSecond,
                                       done.previous.count(mid) ? done.previous.at(mid) : 0, "revert", actor);
        break;
      case ActionType::kSwitchFeed: break;
    }
    if (!r.ok()) return r.error();
    ++undone;
  }
  return fmt::format("undid {} on {} market(s)", action_type_name(a.type), undone);
}

void BookActionPort::audit(const std::string& action, const std::string& target, const std::string& actor,
                           const std::string& detail) {
  markets_.record_action(action, target, actor, detail);
}

}  // namespace inplay
