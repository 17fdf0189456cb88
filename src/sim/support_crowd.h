// SupportCrowd: the simulated world's customers who write in to support,
// and the agents who answer them (SUP-1; the demo and game days). On the
// engine's clock, once a second, contacts open at contacts_per_min over the
// book (Poisson), on chat (70 %), e-mail (20 %) or phone (10 %), each with
// one tag (a second one now and then) drawn from the support terms' tags —
// the usual complaints of a live book: delays most, then payments, cash-out,
// settlement, accounts, odds. Each is reported to the support desk as chat
// or the CRM would report it: once when it opens (no reply yet), and again
// when an agent first replies (chat a median 20 s later, phone 30 s, both
// under 60 s about 99 % of the time; e-mail in minutes to hours). So the
// support_first_reply SLO has data in the demo and nearly always meets its
// target, and every tag has a steady baseline.
//
// The game-day fault support_tag_spike (spike()) adds a crowd writing in
// about one tag for a while — what customers do when something they see
// breaks — and nothing else: the book is not touched, so the scenario can
// check that the alert fires and no action is taken.
// Engine thread (its timer); deterministic for a seed.
#pragma once
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "app/sim_config.h"
#include "engine/engine.h"
#include "support/support_desk.h"

namespace inplay {

class SupportCrowd {
 public:
  SupportCrowd(SupportDesk& desk, Engine& engine, SupportCrowdConfig cfg, uint64_t seed);
  // Registers the tick (every second of book time). Before the engine runs.
  void start();
  void tick(int64_t now_ms);
  // Engine thread: per_minute more contacts tagged `tag` until until_ms.
  void spike(std::string tag, double per_minute, int64_t until_ms);
  uint64_t opened() const { return opened_; }

 private:
  TimerPtr timer_;
  struct Pending {
    int64_t reply_at_ms;
    SupportContact contact;  // its first_reply_ms set
  };
  struct Spike {
    std::string tag;
    double per_minute;
    int64_t until_ms;
  };
  void open_one(int64_t now_ms, const std::string* tag);
  std::string draw_tag();
  int64_t draw_reply_ms(ContactChannel c);

  SupportDesk& desk_;
  Engine& engine_;
  SupportCrowdConfig cfg_;
  std::mt19937_64 rng_;
  std::vector<double> tag_weights_;  // by desk.terms().tags
  std::vector<Spike> spikes_;
  std::deque<Pending> pending_;      // kept sorted by reply_at_ms
  std::vector<SupportContact> batch_;
  int64_t run_ms_ = 0;  // ids of this run: a restart never reuses one
  int64_t last_tick_ms_ = 0;
  uint64_t opened_ = 0;
};

}  // namespace inplay
