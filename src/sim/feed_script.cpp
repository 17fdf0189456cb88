#include "sim/feed_script.h"

#include <algorithm>
#include <climits>
#include <cmath>

#include "core/json.h"
#include "pricing/score_grid.h"

namespace inplay {

namespace {

constexpr size_t kMarketsPerEvent = 3;
constexpr int64_t kMinHundredths = 101, kMaxHundredths = 100000;

// Decimal odds of probability p times `factor`, in hundredths, clamped.
int64_t odds_hundredths(double p, double factor) {
  if (!(p > 0)) return kMaxHundredths;
  double h = 100.0 / p * factor;
  if (!(h < static_cast<double>(kMaxHundredths))) return kMaxHundredths;
  return std::clamp<int64_t>(std::llround(h), kMinHundredths, kMaxHundredths);
}

std::string format_hundredths(int64_t h) {
  std::string s = std::to_string(h / 100);
  s += '.';
  s += static_cast<char>('0' + (h % 100) / 10);
  s += static_cast<char>('0' + h % 10);
  return s;
}

// The line a selection backs (an Asian handicap's away side: the negation).
Line line_for(BetMarket rule, Line line, const std::string& name) {
  return rule == BetMarket::kAsianHandicap && name == "away" ? Line{-line.quarters} : line;
}

template <class M>
bool settled_at_half_time(const M& mk) {
  return mk.first_half && mk.last_status == "closed";
}

std::vector<double> market_probs(const FairProbabilities& f, size_t i) {
  if (i == 0) return {f.home, f.draw, f.away};
  if (i == 1) return {f.over, f.under};
  return {f.btts_yes, f.btts_no};
}

}  // namespace

FeedScript::FeedScript(const FeedProviderConfig& cfg, const FeedFaults& faults, FeedFaultFilter& out,
                       uint64_t noise_seed)
    : cfg_(cfg), faults_(faults), out_(out), noise_rng_(noise_seed) {
  for (const SimMatchConfig& mc : cfg.matches) {
    GoalModelParams gp = cfg.shape;
    gp.lambda_home = mc.lambda_home;
    gp.lambda_away = mc.lambda_away;
    MatchSimConfig sc{gp, mc.kickoff_ms, cfg.timing, mix_seed(cfg.seed, mc.event_id)};
    Match m{mc, MatchSim(sc), {}, INT64_MIN, false};
    for (size_t i = 0; i < kMarketsPerEvent; ++i) {
      Market mk;
      mk.id = mc.event_id * 100 + i + 1;
      if (i == 0) mk.names = {"home", "draw", "away"};
      if (i == 1) {
        mk.rule = BetMarket::kTotalGoals;
        mk.line = Line{static_cast<int32_t>(std::lround(cfg.total_goals_line * 4))};
        mk.names = {"over", "under"};
      }
      if (i == 2) {
        mk.rule = BetMarket::kBothTeamsToScore;
        mk.names = {"yes", "no"};
      }
      for (size_t s = 0; s < mk.names.size(); ++s) mk.selections.push_back(mk.id * 10 + s + 1);
      m.markets.push_back(std::move(mk));
    }
    for (const SimMarketSpec& spec : mc.more_markets) {
      Market mk;
      mk.id = spec.id;
      mk.rule = spec.rule;
      mk.line = spec.line;
      mk.graded = true;
      mk.first_half = spec.first_half;
      for (const auto& [id, name] : spec.selections) {
        mk.selections.push_back(id);
        mk.names.push_back(name);
      }
      m.markets.push_back(std::move(mk));
    }
    matches_.push_back(std::move(m));
  }
}

const FeedScript::Match* FeedScript::find(uint64_t event_id) const {
  for (const Match& m : matches_) {
    if (m.cfg.event_id == event_id) return &m;
  }
  return nullptr;
}

template <class Body>
std::string FeedScript::build(std::string_view type, uint64_t s, uint64_t event_id, const std::string* league,
                              Body&& body, int64_t ts) const {
  bool skewed = league != nullptr && faults_.skew.leagues.count(*league) > 0;
  std::string_view schema =
      skewed && faults_.skew.mode == SkewMode::kVersion ? std::string_view(faults_.skew.version)
                                                       : std::string_view(cfg_.schema);
  // A results-feed schema drift: only the results lines move to "2.0".
  if (faults_.results.skew && (type == "bet_settlement" || type.substr(0, 9) == "rollback_" || type == "bet_cancel"))
    schema = "2.0";
  JsonWriter w;
  w.begin_object();
  w.field("type", type).field("producer", cfg_.producer).field("schema", schema);
  w.field("seq", s).field("ts", ts == INT64_MIN ? now_ + cfg_.latency_ms : ts).field("event_id", event_id);
  body(w, skewed && faults_.skew.mode == SkewMode::kRenameField);
  w.end_object();
  std::string line = w.take();
  line += '\n';
  return line;
}

// Uses the next seq and hands the line to the fault filter, which holds it
// until it is due. Nothing is produced while stalled (false).
template <class Body>
bool FeedScript::emit(std::string_view type, uint64_t event_id, const std::string* league, Body&& body, int64_t ts) {
  if (faults_.stall) return false;
  std::string line = build(type, ++seq_, event_id, league, body, ts);
  out_.hold(now_ + cfg_.latency_ms, std::move(line));
  return true;
}

std::vector<size_t> FeedScript::all_markets(const Match& m) {
  std::vector<size_t> out(m.markets.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = i;
  return out;
}

std::vector<double> FeedScript::probs(const Match& m, size_t i, const FairProbabilities& f) const {
  const Market& mk = m.markets[i];
  if (!mk.graded) return market_probs(f, i);
  // Every graded market off one score grid: the score now plus the goals
  // still to come (to the final whistle, or to half time for a first-half
  // market), each selection by its own settlement rule.
  const GoalModel& gm = m.sim.model();
  const double minute = m.sim.minute();
  double home = gm.remaining_home(minute), away = gm.remaining_away(minute);
  if (mk.first_half) {
    home = std::max(0.0, home - gm.remaining_home(45));
    away = std::max(0.0, away - gm.remaining_away(45));
  }
  const MatchScore now = m.sim.score();
  const ScoreGrid grid = ScoreGrid::poisson(Score{now.home, now.away}, home, away, gm.params().max_extra_goals);
  std::vector<double> out;
  out.reserve(mk.names.size());
  for (const std::string& name : mk.names) {
    const Line line = line_for(mk.rule, mk.line, name);
    out.push_back(fair_probability(grid.split([&](Score s) { return settle_selection(mk.rule, line, name, s); })));
  }
  return out;
}

std::string_view FeedScript::status_of(const Match& m, const Market& mk, const std::vector<double>& p) const {
  if (m.sim.phase() == MatchPhase::kEnded) return "closed";
  if (mk.first_half && m.sim.phase() != MatchPhase::kPreMatch && m.sim.phase() != MatchPhase::kFirstHalf)
    return "closed";
  if (now_ < m.suspended_until) return "suspended";
  if (mk.graded) {
    // Many-way markets (correct score) keep trading when some selections
    // can no longer win (priced at the cap); only a decided market stops.
    for (double x : p)
      if (x > 1 - 1e-9) return "suspended";
    return "open";
  }
  for (double x : p) {
    if (x < 1e-9) return "suspended";  // result already certain
  }
  return "open";
}

void FeedScript::write_markets(JsonWriter& w, const Match& m, const std::vector<size_t>& which,
                               const FairProbabilities& f, bool rename, std::mt19937_64& rng) const {
  w.field("league", m.cfg.league);
  w.key("markets").begin_array();
  for (size_t i : which) {
    const Market& mk = m.markets[i];
    std::vector<double> p = probs(m, i, f);
    std::string_view status = status_of(m, mk, p);
    w.begin_object().field("market_id", mk.id).field("status", status);
    w.key(rename ? std::string_view(faults_.skew.rename_to) : std::string_view("outcomes"));
    w.begin_array();
    if (status != "closed") {
      for (size_t s = 0; s < mk.selections.size(); ++s) {
        double factor = 1.0;
        if (cfg_.noise > 0) factor += cfg_.noise * (2 * uniform01(rng()) - 1);
        w.begin_object().field("selection_id", mk.selections[s]);
        w.field("odds", format_hundredths(odds_hundredths(p[s], factor))).end_object();
      }
    }
    w.end_array().end_object();
  }
  w.end_array();
  write_match_status(w, m);
}

void FeedScript::write_match_status(JsonWriter& w, const Match& m) const {
  const MatchPhase phase = m.sim.phase();
  const MatchScore score = m.sim.score();
  w.key("match_status").begin_object().field("home_score", score.home).field("away_score", score.away);
  // The minute as a scoreboard shows it: the one being played (0:30 is 1').
  const int minute = std::min(90, static_cast<int>(m.sim.minute()) + 1);
  switch (phase) {
    case MatchPhase::kPreMatch: w.field("period", "not_started"); break;
    case MatchPhase::kFirstHalf: w.field("minute", std::min(minute, 45)).field("period", "first_half"); break;
    case MatchPhase::kHalfTime: w.field("minute", 45).field("period", "half_time"); break;
    case MatchPhase::kSecondHalf: w.field("minute", std::max(minute, 46)).field("period", "second_half"); break;
    case MatchPhase::kEnded: w.field("minute", 90).field("period", "ended"); break;
  }
  w.end_object();
}

void FeedScript::on_match_event(Match& m, const MatchEvent& e) {
  const uint64_t eid = m.cfg.event_id;
  const std::string* league = &m.cfg.league;
  switch (e.kind) {
    case MatchEventKind::kKickoff:
      emit("fixture_change", eid, league, [&](JsonWriter& w, bool) {
        w.field("change", "started").field("kickoff", m.cfg.kickoff_ms);
      });
      break;
    case MatchEventKind::kGoal: {
      int64_t until = e.at_ms + cfg_.reopen_after_goal_ms;
      if (until <= now_) break;  // caught up after the fact: already reopened
      m.suspended_until = until;
      bool sent = emit("bet_stop", eid, league, [&](JsonWriter& w, bool) {
        w.key("market_ids").begin_array();
        for (const Market& mk : m.markets)
          if (!settled_at_half_time(mk)) w.value(mk.id);
        w.end_array().field("reason", "goal");
      });
      if (sent) {
        for (Market& mk : m.markets)
          if (!settled_at_half_time(mk)) mk.last_status = "suspended";
      }
      break;
    }
    case MatchEventKind::kHalfTime: {
      // The protocol has no message for half time; prices pause. The
      // first-half markets close and their result goes out, confirmed.
      std::vector<size_t> halves;
      for (size_t i = 0; i < m.markets.size(); ++i)
        if (m.markets[i].first_half) halves.push_back(i);
      if (halves.empty()) break;
      FairProbabilities f = m.sim.fair(cfg_.total_goals_line);
      emit("odds_change", eid, league,
           [&](JsonWriter& w, bool rename) { write_markets(w, m, halves, f, rename, noise_rng_); });
      for (size_t i : halves) m.markets[i].last_status = "closed";
      m.half_time_score = e.score;
      m.half_time_ts = now_ + cfg_.latency_ms;
      emit_half_time_result(m, m.half_time_ts);
      break;
    }
    case MatchEventKind::kSecondHalf:
      break;
    case MatchEventKind::kFullTime: {
      emit("fixture_change", eid, league,
           [&](JsonWriter& w, bool) { w.field("change", "ended").field("kickoff", m.cfg.kickoff_ms); });
      FairProbabilities f = m.sim.fair(cfg_.total_goals_line);
      std::vector<size_t> all = all_markets(m);
      emit("odds_change", eid, league,
           [&](JsonWriter& w, bool rename) { write_markets(w, m, all, f, rename, noise_rng_); });
      m.final_score = e.score;
      // Scouted at the whistle; confirmed a little later (both late under the fault).
      m.live_due_ms = now_ + faults_.results.late_ms;
      m.confirm_due_ms = now_ + cfg_.results_confirm_after_ms + faults_.results.late_ms;
      m.closed = true;
      break;
    }
  }
}

void FeedScript::emit_result(const Match& m, const char* certainty, int64_t ts) {
  emit_result(m, m.final_score, certainty, ts);
}

void FeedScript::emit_confirmed(Match& m) {
  const int64_t ts = now_ + cfg_.latency_ms;
  m.confirmed_ts = ts;  // a recovery snapshot re-sends it from now on
  if (faults_.results.withheld) return;
  if (faults_.results.wrong_first) {
    // A wrong score (one more home goal), withdrawn, then the right one:
    // stamped in that order, a moment apart.
    MatchScore wrong = m.final_score;
    ++wrong.home;
    emit_result(m, wrong, "confirmed", ts - 2);
    emit("rollback_bet_settlement", m.cfg.event_id, &m.cfg.league, [&](JsonWriter& w, bool) {
      w.key("market_ids").begin_array();
      for (const Market& mk : m.markets)
        if (!mk.first_half) w.value(mk.id);
      w.end_array();
    }, ts - 1);
  }
  emit_result(m, "confirmed", ts);
}

void FeedScript::emit_result(const Match& m, MatchScore final_score, const char* certainty, int64_t ts) {
  const Score score{final_score.home, final_score.away};
  emit("bet_settlement", m.cfg.event_id, &m.cfg.league, [&](JsonWriter& w, bool) {
    w.field("certainty", certainty);
    w.key("score").begin_object().field("home", score.home).field("away", score.away).end_object();
    w.key("markets").begin_array();
    for (const Market& mk : m.markets) {
      if (mk.first_half) continue;  // settled at half time
      w.begin_object().field("market_id", mk.id).key("outcomes").begin_array();
      for (size_t s = 0; s < mk.selections.size(); ++s) {
        const OutcomeResult r = outcome_result(*settle_selection(mk.rule, line_for(mk.rule, mk.line, mk.names[s]), mk.names[s], score));
        w.begin_object().field("selection_id", mk.selections[s]).field("result", r.won ? "won" : "lost");
        if (r.void_halves) w.key("void_factor").raw(r.void_halves == 1 ? "0.5" : "1");
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_array();
  }, ts);
}

void FeedScript::emit_half_time_result(const Match& m, int64_t ts) {
  const Score score{m.half_time_score.home, m.half_time_score.away};
  emit("bet_settlement", m.cfg.event_id, &m.cfg.league, [&](JsonWriter& w, bool) {
    w.field("certainty", "confirmed");
    w.key("first_half_score").begin_object().field("home", score.home).field("away", score.away).end_object();
    w.key("markets").begin_array();
    for (const Market& mk : m.markets) {
      if (!mk.first_half) continue;
      w.begin_object().field("market_id", mk.id).key("outcomes").begin_array();
      for (size_t s = 0; s < mk.selections.size(); ++s) {
        const OutcomeResult r = outcome_result(*settle_selection(mk.rule, line_for(mk.rule, mk.line, mk.names[s]), mk.names[s], score));
        w.begin_object().field("selection_id", mk.selections[s]).field("result", r.won ? "won" : "lost");
        if (r.void_halves) w.key("void_factor").raw(r.void_halves == 1 ? "0.5" : "1");
        w.end_object();
      }
      w.end_array().end_object();
    }
    w.end_array();
  }, ts);
}

void FeedScript::publish_odds(Match& m) {
  if (m.closed || faults_.stall) return;
  FairProbabilities f = m.sim.fair(cfg_.total_goals_line);
  std::vector<size_t> changed;
  std::vector<std::vector<int64_t>> fair(m.markets.size());
  std::vector<std::string_view> status(m.markets.size());
  for (size_t i = 0; i < m.markets.size(); ++i) {
    Market& mk = m.markets[i];
    if (settled_at_half_time(mk)) continue;
    std::vector<double> p = probs(m, i, f);
    for (double x : p) fair[i].push_back(odds_hundredths(x, 1.0));
    status[i] = status_of(m, mk, p);
    if (status[i] != mk.last_status || fair[i] != mk.last_fair ||
        mk.last_sent_ms == INT64_MIN || now_ - mk.last_sent_ms >= cfg_.refresh_ms) {
      changed.push_back(i);
    }
  }
  if (changed.empty()) return;
  emit("odds_change", m.cfg.event_id, &m.cfg.league,
       [&](JsonWriter& w, bool rename) { write_markets(w, m, changed, f, rename, noise_rng_); });
  for (size_t i : changed) {
    m.markets[i].last_fair = fair[i];
    m.markets[i].last_status = status[i];
    m.markets[i].last_sent_ms = now_;
  }
}

void FeedScript::send_snapshot(uint64_t request_id) {
  for (Match& m : matches_) {
    FairProbabilities f = m.sim.fair(cfg_.total_goals_line);
    std::vector<size_t> all = all_markets(m);
    emit("odds_change", m.cfg.event_id, &m.cfg.league,
         [&](JsonWriter& w, bool rename) { write_markets(w, m, all, f, rename, noise_rng_); });
  }
  // Results stand in a snapshot too: one lost on the way comes back here.
  for (const Match& m : matches_) {
    if (m.half_time_ts != INT64_MIN) emit_half_time_result(m, m.half_time_ts);
    if (m.confirmed_ts != INT64_MIN) emit_result(m, "confirmed", m.confirmed_ts);
  }
  emit("snapshot_complete", 0, nullptr,
       [&](JsonWriter& w, bool) { w.field("request_id", request_id); });
}

bool FeedScript::tick(int64_t now_ms) {
  if (now_ms < now_) return false;  // time never goes back
  now_ = now_ms;
  for (Match& m : matches_) {
    for (const MatchEvent& e : m.sim.advance_to(now_ms)) on_match_event(m, e);
    publish_odds(m);
    if (m.live_due_ms != INT64_MIN && now_ms >= m.live_due_ms && !faults_.stall) {
      if (!faults_.results.withheld) emit_result(m, "live");
      m.live_due_ms = INT64_MIN;
    }
    if (m.confirm_due_ms != INT64_MIN && m.confirmed_ts == INT64_MIN && now_ms >= m.confirm_due_ms &&
        !faults_.stall)
      emit_confirmed(m);
  }
  if (!faults_.stall) {
    for (uint64_t id : recovery_requests_) send_snapshot(id);
    recovery_requests_.clear();
    if (next_alive_ == INT64_MIN) next_alive_ = now_ms;
    if (now_ms >= next_alive_) {
      emit("alive", 0, nullptr, [](JsonWriter& w, bool) { w.field("subscribed", true); });
      next_alive_ += cfg_.alive_interval_ms;
      if (next_alive_ <= now_ms) next_alive_ = now_ms + cfg_.alive_interval_ms;
    }
  }
  return true;
}

void FeedScript::request_snapshot(uint64_t request_id) { recovery_requests_.push_back(request_id); }

std::vector<std::string> FeedScript::snapshot_lines() const {
  std::mt19937_64 rng = noise_rng_;  // a copy: nothing is used up
  std::vector<std::string> out;
  uint64_t s = seq_;
  for (const Match& m : matches_) {
    FairProbabilities f = m.sim.fair(cfg_.total_goals_line);
    std::vector<size_t> all = all_markets(m);
    out.push_back(build("odds_change", ++s, m.cfg.event_id, &m.cfg.league,
                        [&](JsonWriter& w, bool rename) { write_markets(w, m, all, f, rename, rng); }));
  }
  return out;
}

MatchScore FeedScript::score(uint64_t event_id) const {
  const Match* m = find(event_id);
  return m ? m->sim.score() : MatchScore{};
}
MatchPhase FeedScript::phase(uint64_t event_id) const {
  const Match* m = find(event_id);
  return m ? m->sim.phase() : MatchPhase::kPreMatch;
}

}  // namespace inplay
