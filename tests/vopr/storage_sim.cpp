#include "storage_sim.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <set>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "app/book_desks.h"
#include "engine/engine.h"
#include "bit_rot.h"
#include "client_command.h"
#include "oracle.h"
#include "prng.h"
#include "recording_journal.h"
#include "storage_world.h"
#include "telemetry/metrics.h"
#include "telemetry/trace.h"

namespace inplay::vopr {

namespace {

namespace fs = std::filesystem;

// The first broken promise: ends the seed.
struct Broken {
  std::string what;
};

// The objects one start of the book owns, torn down in order at a crash.
struct Life {
  MetricsRegistry metrics;
  std::unique_ptr<Journal> journal;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<BookDesks> desks;
  ~Life() {
    desks.reset();
    engine.reset();
    journal.reset();
  }
};

const char* const kOddsLadder[] = {"1.50", "1.80", "2.00", "2.40", "3.10", "4.50"};

class SeedRun {
 public:
  SeedRun(uint64_t seed, Tracer& tracer, bool verbose)
      : rng_(seed), tracer_(tracer), verbose_(verbose), disk_(rng_, DiskFaults{}),
        clock_(from_ns(kStartNs)) {
    report_.seed = seed;
    disk_.set_verbose(verbose);
    // The seed's weather: how often the disk fails, how small the segments.
    static constexpr uint32_t kSyncEio[] = {0, 5, 20, 60};
    static constexpr uint32_t kWriteEio[] = {0, 5, 20};
    faults_.sync_eio_per_mille = kSyncEio[rng_.below(4)];
    faults_.write_eio_per_mille = kWriteEio[rng_.below(3)];
    segment_bytes_ = uint64_t{1} << rng_.between(10, 14);
    lives_ = static_cast<int>(rng_.between(2, 8));
    for (uint64_t e : kEvents) winners_[e] = static_cast<int>(rng_.below(3));
    for (const char* o : kOddsLadder) {
      Odds v;
      Odds::parse(o, v);
      ladder_.push_back(v);
    }
    say("seed {}: sync EIO {}/1000, write EIO {}/1000, segments of {} B, {} lives", seed, faults_.sync_eio_per_mille,
        faults_.write_eio_per_mille, segment_bytes_, lives_);
  }

  SeedReport run() {
    try {
      for (int life = 0; life < lives_; ++life) {
        start_life();
        play(life + 1 == lives_);
        crash();
      }
      start_life(/*final=*/true);  // the last restart is checked like every other
      life_.reset();
    } catch (const Broken& b) {
      report_.ok = false;
      report_.failure = b.what;
    } catch (const std::exception& e) {
      report_.ok = false;
      report_.failure = fmt::format("unexpected exception: {}", e.what());
    }
    report_.records = history_.records.size();
    report_.disk = disk_.counts();
    return report_;
  }

 private:
  template <class... A>
  void say(fmt::format_string<A...> f, A&&... a) {
    if (verbose_) fmt::print(stderr, "[vopr t={}ms] {}\n", (to_ns(clock_.now()) - kStartNs) / 1'000'000,
                             fmt::format(f, std::forward<A>(a)...));
  }
  template <class... A>
  [[noreturn]] void broken(fmt::format_string<A...> f, A&&... a) {
    throw Broken{fmt::format(f, std::forward<A>(a)...)};
  }

  // ---- a start: open, check everything promised, resume

  std::unique_ptr<Journal> open_journal() {
    for (int attempt = 0;; ++attempt) {
      Journal::Options o;
      o.dir = kDir;
      o.fsync = FsyncPolicy::kGroup;
      o.segment_bytes = segment_bytes_;
      o.wake_on_append = false;
      o.disk = &disk_;
      try {
        std::unique_ptr<Journal> j = Journal::open(o);
        if (rot_) broken("a bit rotted at byte {} of {} (record at offset {}) and the journal opened", rot_->byte,
                         rot_->segment, rot_->record_start);
        return j;
      } catch (const JournalCorrupt& c) {
        if (!rot_) broken("the journal refused to open with no bit rotted: {}", c.what());
        if (c.segment != rot_->segment || c.offset != rot_->record_start)
          broken("a bit rotted at byte {} of {} in the record at offset {}, but the journal reports {}", rot_->byte,
                 rot_->segment, rot_->record_start, c.what());
        say("rot refused as expected: {}; repaired from a replica", c.what());
        disk_.flip_bit(rot_->path, rot_->byte, rot_->bit);
        rot_.reset();
        ++report_.rots_refused;
      } catch (const std::system_error& e) {
        // The disk failed under start-up (what open found could not be made
        // durable), or the power went: the book does not start; try again.
        say("start-up failed on the disk: {}", e.what());
        if (attempt > 100) broken("the journal never opened: {}", e.what());
        if (disk_.dead()) stop_the_machine();
      }
    }
  }

  // final: the last start, on a calm disk.
  void start_life(bool final = false) {
    disk_.set_faults(final ? DiskFaults{} : faults_);
    if (!final && rng_.chance(100)) {
      const uint64_t at = static_cast<uint64_t>(rng_.between(1, 4));
      disk_.arm_crash(at);
      say("the power will go at the {}th disk operation of start-up", at);
    }
    std::unique_ptr<Journal> inner = open_journal();
    disk_.arm_crash(0);
    const uint64_t on_disk = inner->last_seq();
    say("restart: journal ends at seq {} (acknowledged up to {}, appended {})", on_disk, history_.durable_seq,
        history_.records.size());
    if (on_disk < history_.durable_seq)
      broken("acknowledged records lost: the journal reported seq {} durable but ends at seq {}",
             history_.durable_seq, on_disk);

    life_ = std::make_unique<Life>();
    auto recording = std::make_unique<RecordingJournal>(std::move(inner), history_);
    RecordingJournal* journal = recording.get();
    life_->journal = std::move(recording);
    life_->engine = std::make_unique<Engine>(world_engine_config(), clock_, *life_->journal, life_->metrics);
    life_->desks = std::make_unique<BookDesks>(*life_->engine, tracer_);
    Engine& engine = *life_->engine;
    build_world(engine.state().book);
    try {
      engine.replay();
    } catch (const ReplayMismatch& m) {
      broken("replay: {}", m.what());
    }
    if (history_.records.size() > on_disk) report_.lost_unacked += history_.records.size() - on_disk;
    history_.cut(on_disk);
    history_.durable_seq = on_disk;
    if (journal->adopted()) {
      ++report_.resurrected;
      say("records of an abandoned attempt came back past the durable end");
    }
    check_restart(engine.state(), journal->adopted());
    life_->desks->settle.resume();
    open_accounts();
    ++report_.lives;
  }

  // The users' accounts are the workload's channel's (SEC-1: a deposit needs
  // an open account). Asked again in every life, first: a repeat changes
  // nothing, and an open lost with an unacknowledged tail is made again.
  static constexpr const char* kChannel = "vopr";
  void open_accounts() {
    for (int u = 0; u < kUsers; ++u) {
      OpenAccount o;
      o.account = fmt::format("u{}", u);
      o.channel = kChannel;
      o.actor = kChannel;
      life_->desks->wallet.submit(std::move(o));
    }
  }

  void check_restart(const BookState& state, bool adopted) {
    const Expected want = expect(history_);
    const std::string got = state.state_hash();
    if (got != want.state_hash)
      broken("state hash after replay {} differs from the oracle's replay of the same {} records {}", got,
             history_.records.size(), want.state_hash);
    if (!adopted && live_records_ == history_.records.size() && !live_hash_.empty() && live_hash_ != got)
      broken("nothing was lost at the crash, yet the replayed state hash {} differs from the live one {}", got,
             live_hash_);
    for (const std::string& m : check_money(state, want)) broken("money: {}", m);
    decisions_.clear();
    for (const auto& [key, seqs] : want.decisions) {
      if (seqs.size() > 1) broken("key {} decided {} times (seqs {} and {})", key, seqs.size(), seqs[0], seqs[1]);
      decisions_[key] = seqs[0];
    }
    indexed_ = history_.records.size();
    for (const Command& c : commands_) {
      if (!c.first) continue;
      auto it = decisions_.find(c.key);
      if (it == decisions_.end() || it->second != c.decided_seq)
        broken("{} was answered ({}) from record seq {}, which the restarted journal lacks", c.key,
               describe(*c.first), c.decided_seq);
    }
    report_.state_hash = got;
    report_.bets = state.bets.size();
    report_.bets_settled = report_.bets_cancelled = report_.bets_cashed_out = 0;
    for (const Bet& b : state.bets) {
      report_.bets_settled += b.status == BetStatus::kSettled;
      report_.bets_cancelled += b.status == BetStatus::kCancelled;
      report_.bets_cashed_out += state.bets.cashout(b.id) != nullptr;
    }
    say("checked: hash {}, {} decisions, money balances", got.substr(0, 12), decisions_.size());
  }

  // ---- the power cut

  void crash() {
    if (life_) {
      live_hash_ = life_->engine->state().state_hash();
      live_records_ = history_.records.size();
    }
    disk_.cut_power();
    life_.reset();
    for (Command& c : commands_) {
      if (c.outstanding > 0) c.unanswered_at_crash = true;
      c.outstanding = 0;
    }
    stop_the_machine();
    if (rng_.chance(200)) rot();
  }

  // The process is dead; the machine goes on (kill -9) or loses power.
  void stop_the_machine() {
    if (rng_.chance(400)) {
      disk_.kill();
      say("kill -9: {} records appended, {} reported durable", history_.records.size(), history_.durable_seq);
    } else {
      disk_.crash();
      say("power cut: {} records appended, {} reported durable", history_.records.size(), history_.durable_seq);
    }
  }

  void rot() {
    rot_ = rot_a_bit(disk_, kDir, rng_);
    if (rot_)
      say("bit {} of byte {} in {} rots (record at offset {})", rot_->bit, rot_->byte, rot_->segment,
          rot_->record_start);
  }

  // ---- a life's workload

  void play(bool quiet) {
    Engine& engine = *life_->engine;
    retry_unanswered();
    if (!quiet) {
      disk_.set_faults(faults_);
      if (rng_.chance(600)) {
        const uint64_t at = static_cast<uint64_t>(rng_.between(1, 80));
        disk_.arm_crash(at);
        say("the power will go at the {}th disk operation from here", at);
      }
    }
    const int steps = static_cast<int>(rng_.between(20, 400));
    for (int i = 0; i < steps && !disk_.dead(); ++i) {
      act(quiet);
      if (rng_.chance(500)) engine.step();
      if (rng_.chance(350)) pump();
    }
    if (quiet) settle_down();
  }

  void act(bool quiet) {
    const uint64_t r = rng_.below(200);
    if (r < 54) return bet();
    if (r < 64) return cash_out();
    if (r < 88) return money(Command::Kind::kDeposit);
    if (r < 100) return money(Command::Kind::kWithdrawal);
    if (r < 128) return price();
    if (r < 133) return rng_.chance(250) ? cancel() : result();
    if (r < 136) return rng_.chance(700) ? suspend_or_reopen() : resettle();
    if (r < 155) return advance(rng_.between(1, 3000));
    if (r < 169) return repeat_one();
    if (r < 190 || quiet) return pump();
    // The disk's space: fill it to near what is used now, or give it back.
    if (rng_.chance(500)) {
      disk_.set_capacity(disk_.used() + rng_.below(3 * kSectorBytes));
      say("the disk fills up ({} B used)", disk_.used());
    } else {
      disk_.set_capacity(UINT64_MAX);
      say("space is freed");
    }
  }

  // One group commit, then the engine runs what it made due.
  void pump() {
    const bool ok = life_->journal->pump();
    life_->engine->step();
    if (!ok) say("pump: the journal cannot write ({})", life_->journal->health().op);
  }

  void advance(int64_t ms) {
    life_->engine->advance(clock_, clock_.now() + std::chrono::milliseconds(ms));
    life_->engine->step();
  }

  static constexpr int kUsers = 8;
  std::string user() { return fmt::format("u{}", rng_.below(kUsers)); }

  void bet() {
    Command c;
    c.kind = Command::Kind::kBet;
    c.account = user();
    // Mostly on markets still open: a result closes its market.
    uint64_t event = kEvents[rng_.below(kEvents.size())];
    for (int tries = 0; tries < 3 && resulted_.count(event) && rng_.chance(900); ++tries)
      event = kEvents[rng_.below(kEvents.size())];
    c.selection = selection_of(market_of(event), static_cast<int>(rng_.below(3)));
    c.amount = rng_.between(10, 5000);
    c.odds = ladder_[rng_.below(ladder_.size())];
    add_and_send(std::move(c));
  }

  // A cash-out of all or part of a bet some client was told was placed: a
  // quote, taken at once at whatever the price is then.
  void cash_out() {
    std::vector<size_t> placed;
    for (size_t i = 0; i < commands_.size(); ++i)
      if (commands_[i].first && std::holds_alternative<BetPlaced>(*commands_[i].first)) placed.push_back(i);
    if (placed.empty()) return;
    const Command& b = commands_[placed[rng_.below(placed.size())]];
    Command c;
    c.kind = Command::Kind::kCashout;
    c.account = b.account;
    c.bet_id = std::get<BetPlaced>(*b.first).bet_id;
    c.amount = rng_.chance(500) ? 0 : rng_.between(10, std::max<int64_t>(10, b.amount / 2));
    add_and_send(std::move(c));
  }

  void money(Command::Kind kind) {
    Command c;
    c.kind = kind;
    c.account = user();
    c.amount = kind == Command::Kind::kDeposit ? rng_.between(100, 20000) : rng_.between(100, 8000);
    add_and_send(std::move(c));
  }

  void add_and_send(Command c) {
    const size_t i = commands_.size();
    c.key = fmt::format("vopr:{}", i);
    for (size_t b = 0; b < c.fingerprint.size(); ++b) c.fingerprint[b] = static_cast<uint8_t>((i >> (8 * (b % 8))) + b);
    commands_.push_back(std::move(c));
    send(i);
  }

  // A client sends a command again under its key: one still waiting, one
  // answered, or one refused without a decision.
  void repeat_one() {
    if (commands_.empty()) return;
    send(rng_.below(commands_.size()));
    ++report_.retries;
  }

  // After a restart, clients send again what the crash left unanswered.
  void retry_unanswered() {
    for (size_t i = 0; i < commands_.size(); ++i) {
      if (!commands_[i].unanswered_at_crash) continue;
      commands_[i].unanswered_at_crash = false;
      if (rng_.chance(800)) {
        send(i);
        ++report_.retries;
      }
    }
  }

  void send(size_t i) {
    Command& c = commands_[i];
    OutcomeFn done = [this, i](const Outcome& o) { answered(i, o); };
    TraceContext gateway;
    for (size_t b = 0; b < 8; ++b) gateway.trace_id[b] = gateway.span_id[b] = static_cast<uint8_t>((i + 1) >> (8 * b));
    gateway.trace_id[15] = gateway.span_id[7] = 1;
    bool queued;
    if (c.kind == Command::Kind::kCashout) {
      // The client's quote and accept, one after the other in one engine
      // step; a refused quote (the bet is closed, the price stale) sends no
      // accept.
      BookDesks* d = life_->desks.get();
      life_->engine->submit([this, d, i, gateway] {
        Command& c = commands_[i];
        QuoteCashout q;
        q.bet_id = c.bet_id;
        q.stake = c.amount;
        q.scope = AccountScope::of_channel(kChannel);
        q.gateway = gateway;
        Result<Quote> quote = d->cashout.quote(q);
        if (!quote.ok()) return say("{}: no quote ({})", c.key, error_code_name(quote.error().code));
        AcceptCashout a;
        a.idem_key = c.key;
        a.fingerprint = c.fingerprint;
        a.bet_id = c.bet_id;
        a.scope = q.scope;
        a.quote_id = quote->id;
        a.amount = quote->offer.amount;
        a.policy = PriceChangePolicy::kAny;
        a.gateway = gateway;
        a.gateway_start_ns = to_ns(clock_.now());
        a.done = [this, i](const Outcome& o) { answered(i, o); };
        ++c.outstanding;
        d->cashout.accept(a);
      });
      return;
    }
    if (c.kind == Command::Kind::kBet) {
      PlaceBet p;
      p.idem_key = c.key;
      p.fingerprint = c.fingerprint;
      p.account = c.account;
      p.scope = AccountScope::of_channel(kChannel);
      p.user_mask = c.account;
      p.selection_id = c.selection;
      p.stake = c.amount;
      p.currency = world_engine_config().currency;
      p.odds = c.odds;
      p.policy = PriceChangePolicy::kAny;
      p.gateway = gateway;
      p.gateway_start_ns = to_ns(clock_.now());
      p.done = std::move(done);
      queued = life_->desks->bets.submit(std::move(p));
    } else {
      MoveMoney m;
      m.idem_key = c.key;
      m.fingerprint = c.fingerprint;
      m.account = c.account;
      m.scope = AccountScope::of_channel(kChannel);
      m.user_mask = c.account;
      m.amount = c.amount;
      m.currency = world_engine_config().currency;
      m.reason = c.kind == Command::Kind::kDeposit ? TransferReason::kDeposit : TransferReason::kWithdrawal;
      m.gateway = gateway;
      m.done = std::move(done);
      queued = life_->desks->wallet.submit(std::move(m));
    }
    if (queued) ++c.outstanding;
  }

  void price() {
    const uint64_t event = kEvents[rng_.below(kEvents.size())];
    const uint64_t sel = selection_of(market_of(event), static_cast<int>(rng_.below(3)));
    const Odds o = ladder_[rng_.below(ladder_.size())];
    BookDesks* d = life_->desks.get();
    life_->engine->submit([d, sel, o, this] { (void)d->markets.apply_price(sel, o, to_ns(clock_.now()) / 1'000'000); });
  }

  // A confirmed result for a market: its winner, again and again (the
  // duplicates change nothing); now and then a correction names another.
  void result() {
    // The early events end first, so most markets stay open for a while.
    const size_t ended = std::min(kEvents.size(), 1 + commands_.size() / 80);
    const uint64_t event = kEvents[rng_.below(ended)];
    resulted_.insert(event);
    if (rng_.chance(150)) winners_[event] = (winners_[event] + 1) % 3;
    FeedMessage m;
    m.env.type = FeedMessageType::kBetSettlement;
    m.env.producer = "sim";
    m.env.schema = "1.0";
    m.env.seq = ++feed_seq_;
    m.env.ts_ms = to_ns(clock_.now()) / 1'000'000 + static_cast<int64_t>(feed_seq_);
    m.env.event_id = event;
    BetSettlement bs;
    bs.certainty = Certainty::kConfirmed;
    MarketResult r;
    r.market_id = market_of(event);
    for (int i = 0; i < 3; ++i)
      r.outcomes.push_back(SettledOutcome{selection_of(r.market_id, i), i == winners_[event], 0, 10000});
    bs.markets.push_back(std::move(r));
    m.body = std::move(bs);
    BookDesks* d = life_->desks.get();
    life_->engine->submit([d, m = std::move(m)] { d->settle.on_feed_result("sim", m); });
  }

  // Bets of a market placed in the last seconds voided (their stakes back),
  // or, now and then, the last such cancel withdrawn.
  void cancel() {
    const uint64_t event = kEvents[rng_.below(kEvents.size())];
    const uint64_t market = market_of(event);
    FeedMessage m;
    m.env.producer = "sim";
    m.env.schema = "1.0";
    m.env.seq = ++feed_seq_;
    m.env.ts_ms = to_ns(clock_.now()) / 1'000'000 + static_cast<int64_t>(feed_seq_);
    m.env.event_id = event;
    auto last = cancels_.find(market);
    if (last != cancels_.end() && rng_.chance(300)) {
      m.env.type = FeedMessageType::kRollbackBetCancel;
      m.body = RollbackBetCancel{{market}, last->second.first, last->second.second};
      cancels_.erase(last);
    } else {
      const int64_t end = to_ns(clock_.now()) / 1'000'000;
      const int64_t start = end - rng_.between(0, 20'000);
      m.env.type = FeedMessageType::kBetCancel;
      m.body = BetCancel{{market}, "vopr", start, end, ""};
      cancels_[market] = {start, end};
    }
    BookDesks* d = life_->desks.get();
    life_->engine->submit([d, m = std::move(m)] { d->settle.on_feed_result("sim", m); });
  }

  // An operator suspends a market or opens it again (bets and cash-outs on
  // it are refused meanwhile; a settled market refuses the change).
  void suspend_or_reopen() {
    const uint64_t market = market_of(kEvents[rng_.below(kEvents.size())]);
    const MarketStatus to = rng_.chance(500) ? MarketStatus::kSuspended : MarketStatus::kOpen;
    BookDesks* d = life_->desks.get();
    life_->engine->submit([d, market, to] { (void)d->markets.set_market_status(market, to, "vopr", "operator:vopr"); });
  }

  // An operator re-settles a market on its current outcomes: the result
  // rolled back and paid again as a new version, at once.
  void resettle() {
    const uint64_t market = market_of(kEvents[rng_.below(kEvents.size())]);
    BookDesks* d = life_->desks.get();
    life_->engine->submit([d, market] { (void)d->settle.resettle(market, std::nullopt, "vopr", "operator:vopr"); });
  }

  // The last life ends on a calm disk: everything sent is answered.
  void settle_down() {
    disk_.set_faults(DiskFaults{});
    disk_.set_capacity(UINT64_MAX);
    for (int i = 0; i < 50; ++i) {
      pump();
      advance(3000);
    }
    pump();
    for (const Command& c : commands_)
      if (c.outstanding > 0) broken("{} is still unanswered on a working disk", c.key);
    if (life_->journal->undurable_bytes() != 0) broken("records still undurable on a working disk");
  }

  // ---- answers

  void index_new_records() {
    for (; indexed_ < history_.records.size(); ++indexed_) {
      const AppendedRecord& r = history_.records[indexed_];
      const BookEvent e = decode_event(r.type, r.payload);
      const std::string* key = decision_key(e);
      if (!key) continue;
      auto [it, fresh] = decisions_.emplace(*key, indexed_ + 1);
      if (!fresh) broken("key {} decided twice: seqs {} and {}", *key, it->second, indexed_ + 1);
    }
  }

  void answered(size_t i, const Outcome& o) {
    Command& c = commands_[i];
    if (c.outstanding > 0) --c.outstanding;
    index_new_records();
    auto it = decisions_.find(c.key);
    if (it == decisions_.end()) {
      // A refusal that changed nothing (the journal cannot write, ...): the
      // client may try again; it must not be a decision.
      if (!std::holds_alternative<Error>(o)) broken("{} answered {} with no record of it", c.key, describe(o));
      say("{}: refused, nothing kept ({})", c.key, describe(o));
      return;
    }
    const uint64_t seq = it->second;
    if (seq > history_.durable_seq)
      broken("{} answered ({}) before its record seq {} was durable (durable up to {})", c.key, describe(o), seq,
             history_.durable_seq);
    if (!c.first) {
      c.first = o;
      c.decided_seq = seq;
      ++report_.answered;
      say("{}: {} (seq {})", c.key, describe(o), seq);
    } else if (!same_outcome(*c.first, o) || c.decided_seq != seq) {
      broken("{} answered {} (seq {}) after {} (seq {})", c.key, describe(o), seq, describe(*c.first), c.decided_seq);
    }
  }

  static inline const fs::path kDir{"/vopr/journal"};

  Prng rng_;
  Tracer& tracer_;
  const bool verbose_;
  SimDisk disk_;
  SimClock clock_;
  DiskFaults faults_;
  uint64_t segment_bytes_ = 0;
  int lives_ = 0;
  std::vector<Odds> ladder_;
  std::map<uint64_t, int> winners_;
  std::set<uint64_t> resulted_;  // events a result was sent for
  std::map<uint64_t, std::pair<int64_t, int64_t>> cancels_;  // market -> its last cancel's range (ms)
  uint64_t feed_seq_ = 0;

  History history_;
  std::unique_ptr<Life> life_;
  std::vector<Command> commands_;
  std::unordered_map<std::string, uint64_t> decisions_;  // key -> seq of its decision
  size_t indexed_ = 0;                                   // records looked at for decisions
  std::string live_hash_;
  uint64_t live_records_ = 0;
  std::optional<Rot> rot_;
  SeedReport report_;
};

}  // namespace

SeedReport run_seed(uint64_t seed, Tracer& tracer, bool verbose) { return SeedRun(seed, tracer, verbose).run(); }

}  // namespace inplay::vopr
