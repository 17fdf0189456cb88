#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <thread>

#include "cli/audit_command.h"
#include "cli/bet_load.h"
#include "cli/version.h"
#include "core/spelling.h"
#include "app/book_start.h"
#include "app/config.h"
#include "app/demo.h"
#include "cli/ops_commands.h"
#include "cli/replay_command.h"
#include "cli/settle_commands.h"
#include "cli/thread_cpu.h"
#include "gameday/gameday_runner.h"
#include "core/yaml_reader.h"
#include "app/runtime.h"
#include "journal/journal.h"
#include "journal/kafka_journal.h"
#include "http/auth.h"
#include "http/client.h"
#include "http/fixed_handler.h"
#include "http/loadgen.h"
#include "http/server.h"
#include "sim/feed_provider.h"
#include "sim/sim_extension.h"

namespace inplay {

namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Blocks until SIGINT or SIGTERM.
void wait_for_stop_signal() {
  sigset_t set = stop_signals();
  int sig = 0;
  sigwait(&set, &sig);
}

int run_book(Config cfg, const DemoTokens* demo) {
  // A simulated book (the demo, a test book) gets the simulated world and
  // its fault hooks beside the core; a real one never does.
  std::unique_ptr<RuntimeExtension> sim;
  if (runs_simulated(cfg)) sim = std::make_unique<SimExtension>();
  Runtime rt(std::move(cfg), std::move(sim));
  rt.on_standby([&rt](uint16_t port) {
    std::cout << fmt::format("inplay standby on http://{}:{} (following the leader's journal)\n", rt.config().address,
                             port)
              << std::flush;
  });
  // SIGINT/SIGTERM (blocked in every thread) end the book, on a thread of
  // their own: start() may block (a standby following its leader).
  std::thread signals([&rt] {
    wait_for_stop_signal();
    rt.request_stop(0);
  });
  auto finish = [&](int code) {
    rt.request_stop(code);  // releases the signal thread if no signal came
    pthread_kill(signals.native_handle(), SIGTERM);
    signals.join();
    return code;
  };
  uint16_t port;
  try {
    port = rt.start();
  } catch (const StandbyStopped&) {
    return finish(0);
  } catch (const JournalCorrupt& e) {
    std::cerr << "inplay: cannot start: " << e.what() << "\n";
    return finish(3);
  } catch (const std::exception& e) {
    std::cerr << "inplay: cannot start: " << e.what() << "\n";
    return finish(1);
  }
  const Config& c = rt.config();
  std::cout << fmt::format("inplay listening on http://{}:{}\n", c.address, port);
  std::cout << fmt::format("data dir: {}\n", std::filesystem::absolute(c.data_dir).string());
  if (demo) {
    std::cout << "channel token: " << demo->channel << "\n";
    std::cout << "operator token: " << demo->operator_ << "\n";
    std::cout << fmt::format(
        "try:   curl -s -H 'Authorization: Bearer {}' http://{}:{}/v1/events\n", demo->channel,
        c.address, port);
  }
  std::cout << std::flush;
  const int code = rt.wait_for_stop();
  rt.stop();
  if (code == kExitFenced) std::cerr << "inplay: fenced: another book took the journal; stopped\n";
  return finish(code);
}

int cmd_loadgen(const std::string& url, const std::string& token, const std::string& mode,
                LoadgenOptions opts, int accounts, bool ceiling, bool json, uint64_t market_id = 0,
                int64_t stake = 100, bool prepare_only = false, int server_pid = 0) {
  if (!parse_http_url(url, opts.host, opts.port)) {
    std::cerr << "inplay loadgen: --url must look like http://127.0.0.1:8080\n";
    return 2;
  }
  LoadgenResult ceiling_result;
  if (ceiling) {
    FixedHandler fixed;
    HttpServer::Options so;
    so.threads = 1;
    HttpServer server(so, fixed);
    LoadgenOptions co = opts;
    co.port = server.start();
    co.method = "GET";
    co.path = "/";
    co.make_request = nullptr;
    ceiling_result = run_loadgen(co);
    server.stop();
  }
  BetLoadPlan plan;
  if (mode == "bets") {
    if (token.empty()) {
      std::cerr << "inplay loadgen: --token (a channel token) is required for --mode bets\n";
      return 2;
    }
    try {
      plan = prepare_bet_load(opts.host, opts.port, token, accounts, 1000000000, market_id);
      plan.stake = stake;
    } catch (const std::exception& e) {
      std::cerr << "inplay loadgen: " << e.what() << "\n";
      return 1;
    }
    if (prepare_only) {
      std::cout << plan.describe();
      return 0;
    }
    opts.method = "POST";
    opts.accepted_status = 201;  // a bet placed; a 503 MARKET_BUSY is answered, not accepted
    opts.make_request = [&plan](uint64_t n) { return plan.make(n); };
  } else {
    opts.method = "GET";
    if (opts.path.empty()) opts.path = "/healthz";
  }
  ThreadCpu cpu_open, cpu_close;
  if (server_pid > 0) {
    opts.on_window_open = [&] { cpu_open = read_thread_cpu(server_pid); };
    opts.on_window_close = [&] { cpu_close = read_thread_cpu(server_pid); };
  }
  LoadgenResult r = run_loadgen(opts);
  // Per accepted bet (per answer in --mode get): what each server thread spent on one.
  const std::string cpu = server_pid > 0 ? format_cpu_per_unit(cpu_open, cpu_close, r.accepted) : "";
  if (json) {
    std::string out = "{\"mode\":\"" + mode + "\",\"result\":" + format_loadgen_json(r);
    if (ceiling) {
      out += ",\"ceiling\":" + format_loadgen_json(ceiling_result);
      out += fmt::format(",\"ratio_to_ceiling\":{:.3f}",
                         ceiling_result.rps > 0 ? r.accepted_per_s / ceiling_result.rps : 0.0);
    }
    if (server_pid > 0) out += ",\"server_cpu_per_accepted\":\"" + cpu + "\"";
    std::cout << out << "}\n";
  } else {
    if (ceiling) std::cout << "ceiling (fixed response, 1 I/O thread, in-process):\n" << format_loadgen_text(ceiling_result) << "\n";
    std::cout << mode << ":\n" << format_loadgen_text(r);
    if (ceiling && ceiling_result.rps > 0)
      std::cout << fmt::format("ratio to ceiling: {:.3f} (accepted {}/s / ceiling req/s; all answers {:.3f})\n",
                               r.accepted_per_s / ceiling_result.rps, mode == "bets" ? "bets" : "answers",
                               r.rps / ceiling_result.rps);
    if (server_pid > 0)
      std::cout << fmt::format("server CPU per {}, per thread (pid {}): {}\n",
                               mode == "bets" ? "accepted bet" : "answer", server_pid, cpu);
  }
  return r.requests > 0 ? 0 : 1;
}

int cmd_journal_verify(const std::string& dir) {
  try {
    JournalReader reader(dir);
    uint64_t n = 0;
    uint64_t last = reader.read_from(0, [&](const JournalRecord&) { ++n; });
    std::cout << fmt::format("journal ok: {} records, last seq {}\n", n, last);
    return 0;
  } catch (const JournalCorrupt& e) {
    std::cerr << e.what() << "\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "inplay journal verify: " << e.what() << "\n";
    return 1;
  }
}

// The first word where a command is expected that names none (CLI11 would
// only say "A subcommand is required"): the message naming it, the nearest
// command and the list; "" when every word is a command or an argument.
std::string unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string path = "inplay";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    auto subs = level->get_subcommands([](CLI::App*) { return true; });
    if (word.empty() || word[0] == '-' || subs.empty()) return "";
    std::vector<std::string> names;
    CLI::App* next = nullptr;
    for (CLI::App* sub : subs) {
      names.push_back(sub->get_name());
      if (sub->get_name() == word) next = sub;
    }
    if (!next)
      return fmt::format("{}: unknown command '{}'{}\ncommands: {}\nRun '{} --help' for more.\n", path, word,
                         did_you_mean(word, names), fmt::join(names, ", "), path);
    level = next;
    path += " " + word;
  }
  return "";
}

}  // namespace

int run_cli(int argc, char** argv) {
  // Block stop signals in every thread; the main thread sigwaits for them.
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  CLI::App app{"inplay: an in-play sportsbook core that watches itself"};
  app.require_subcommand(1);
  app.set_version_flag("--version", version_line(), "Print the version and exit");

  auto* demo = app.add_subcommand("demo", "Start the live demo book on 127.0.0.1 with matches, prices, accounts and tokens");
  uint16_t demo_port = 8080;
  std::string demo_dir = "inplay-demo-data", demo_clock = "real";
  int demo_threads = 1;
  int64_t demo_metrics_max_age_ms = 1000;
  bool demo_fresh = false;
  bool demo_no_admission = false;
  demo->add_option("--port", demo_port, "TCP port to listen on (0: any free port)")->capture_default_str();
  demo->add_option("--data-dir", demo_dir, "Where the journal and SQLite projection live")->capture_default_str();
  demo->add_option("--clock", demo_clock, "real, or sim (time moves only by POST /v1/clock/advance)")
      ->check(CLI::IsMember({"real", "sim"}))->capture_default_str();
  demo->add_option("--io-threads", demo_threads, "HTTP I/O threads")->check(CLI::Range(1, 64))->capture_default_str();
  demo->add_flag("--fresh", demo_fresh, "Delete the data dir first (a new book)");
  demo->add_flag("--no-admission", demo_no_admission,
                 "No request deadline and no queue-delay gate (the behaviour before issue 18, for comparisons)");
  demo->add_option("--metrics-max-age-ms", demo_metrics_max_age_ms,
                   "/metrics is rendered again at most this often (0: every scrape)")
      ->check(CLI::Range(int64_t{0}, int64_t{60000}))->capture_default_str();

  auto* serve = app.add_subcommand("serve", "Run a book from a YAML config file");
  std::string config_file;
  int serve_port = -1;
  serve->add_option("--config", config_file, "YAML config (see config/example.yaml)")->required();
  serve->add_option("--port", serve_port, "Override listen.port")->check(CLI::Range(0, 65535));
  bool serve_standby = false;
  serve->add_flag("--standby", serve_standby,
                  "Follow the leader's Kafka journal and take over when its lease runs out (journal.kind: kafka)");

  auto* lg = app.add_subcommand("loadgen", "Closed-loop HTTP load against a running book");
  std::string lg_url = "http://127.0.0.1:8080", lg_token, lg_mode = "bets";
  LoadgenOptions lo;
  lo.path = "";
  int lg_accounts = 200;
  bool lg_ceiling = false, lg_json = false;
  uint64_t lg_market = 0;
  int64_t lg_stake = 100;
  lg->add_option("--url", lg_url, "Base URL of the book")->capture_default_str();
  lg->add_option("--token", lg_token, "Channel token (required for --mode bets)");
  lg->add_option("--mode", lg_mode, "bets: POST /v1/bets; get: GET --path")
      ->check(CLI::IsMember({"bets", "get"}))->capture_default_str();
  lg->add_option("--path", lo.path, "Path for --mode get (default /healthz)");
  lg->add_option("--connections", lo.connections, "Keep-alive connections, one request in flight each")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  lg->add_option("--threads", lo.threads, "Load generator I/O threads")->check(CLI::Range(1, 64))->capture_default_str();
  lg->add_option("--duration", lo.duration_s, "Measured seconds")->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  lg->add_option("--warmup", lo.warmup_s, "Unmeasured seconds first")->check(CLI::Range(0.0, 600.0))->capture_default_str();
  lg->add_option("--accounts", lg_accounts, "Load accounts to fund and rotate (--mode bets)")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  lg->add_option("--rate", lo.rate,
                 "Paced (open loop): requests per second in all, latency from when each was due; 0: closed loop")
      ->check(CLI::Range(0.0, 10000000.0));
  int lg_deadline_ms = 0;
  lg->add_option("--deadline-ms", lg_deadline_ms, "Send X-Request-Deadline-Ms with every request (0: no header)")
      ->check(CLI::Range(0, 86400000));
  lg->callback([&lo, &lg_deadline_ms] {
    if (lg_deadline_ms > 0) lo.headers.emplace_back("X-Request-Deadline-Ms", std::to_string(lg_deadline_ms));
  });
  lg->add_option("--market", lg_market, "Bet only on this market's selections (--mode bets)");
  lg->add_option("--stake", lg_stake, "Stake of each bet, minor units (--mode bets)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000000}))->capture_default_str();
  lg->add_option("--max-requests", lo.max_requests, "Stop after this many requests, warm-up included (0: no cap)")
      ->check(CLI::Range(int64_t{0}, int64_t{1000000000}))->capture_default_str();
  lg->add_flag("--ceiling", lg_ceiling, "First measure a fixed-response server in this process (the ceiling)");
  lg->add_flag("--json", lg_json, "Print the result as JSON");
  int lg_server_pid = 0;
  lg->add_option("--server-pid", lg_server_pid,
                 "Also print each thread's CPU of this process (the book, on this machine) per accepted bet, "
                 "read from /proc over the measured window")
      ->check(CLI::Range(1, 1 << 30));
  bool lg_prepare_only = false;
  lg->add_flag("--prepare-only", lg_prepare_only,
               "Fund the load accounts, print the selections and accounts for another load generator "
               "(bench/wrk_bets.lua), send no bet");

  auto* ceiling = app.add_subcommand("ceiling", "Serve a fixed response (the HTTP ceiling for benchmarks)");
  uint16_t ceiling_port = 8090;
  int ceiling_threads = 1;
  ceiling->add_option("--port", ceiling_port, "TCP port")->capture_default_str();
  ceiling->add_option("--io-threads", ceiling_threads, "I/O threads")->check(CLI::Range(1, 64))->capture_default_str();

  auto* simfeed = app.add_subcommand(
      "sim-feed", "Run one simulated odds provider (a TCP server speaking docs/feed-protocol.md) playing the demo's matches");
  FeedProviderConfig sf;
  sf.producer = "sim-primary";
  sf.port = 9101;
  sf.refresh_ms = 1000;
  simfeed->add_option("--port", sf.port, "TCP port (0: any free port)")->capture_default_str();
  simfeed->add_option("--producer", sf.producer, "Producer name in every message")->capture_default_str();
  simfeed->add_option("--seed", sf.seed, "World seed: same seed, same goals")->capture_default_str();
  simfeed->add_option("--noise", sf.noise, "Relative price noise, e.g. 0.01")->check(CLI::Range(0.0, 0.5))->capture_default_str();
  simfeed->add_option("--latency-ms", sf.latency_ms, "Provider latency added to ts")->check(CLI::Range(0, 60000))->capture_default_str();
  simfeed->add_option("--schema", sf.schema, "Schema version it sends")->capture_default_str();

  auto* journal = app.add_subcommand("journal", "Inspect a journal directory");
  journal->require_subcommand(1);
  auto* verify = journal->add_subcommand("verify", "Check every record's CRC and sequence; exit 3 on corruption");
  std::string journal_dir;
  verify->add_option("DIR", journal_dir, "Journal directory (DATA_DIR/journal)")->required();

  auto* audit = app.add_subcommand("audit", "Inspect an audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify",
      "Check every record's mac and link with the book's key, and the file against the journal's anchors; "
      "exit 3 naming the first bad line");
  AuditVerifyOptions avo;
  audit_verify->add_option("--config", avo.config_file, "The book's config (audit.chain_secret, data_dir)");
  audit_verify->add_flag("--demo", avo.demo, "The book is `inplay demo`'s (its kept secret; data dir default inplay-demo-data)")
      ->excludes(audit_verify->get_option("--config"));
  audit_verify->add_option("--data-dir", avo.data_dir, "The book's data dir (default: the config's)");
  audit_verify->add_option("FILE", avo.file, "The audit log (default: DATA_DIR/audit.jsonl)");

  auto* token = app.add_subcommand("token", "Make an API token and the sha256 to put in a config");
  std::string token_value;
  token->add_option("TOKEN", token_value, "An existing token to hash (default: a new random one)");

  auto* rules = app.add_subcommand(
      "rules", "Write Prometheus rules, promtool tests and an Alertmanager config from the SLO and playbook files");
  RulesOptions ro;
  rules->add_option("--out", ro.out_dir, "Output directory")->required();
  rules->add_option("--config", ro.config_file, "A book config whose incidents.* files to use (default: shipped)");
  rules->add_option("--webhook-url", ro.webhook_url, "Inplay's Alertmanager webhook receiver")->capture_default_str();
  rules->add_option("--token-file", ro.token_file, "File with the operator token Alertmanager sends");

  auto* guard = app.add_subcommand(
      "deploy-guard", "Exit 1 while a top-league match is in play or kicks off within --within (INC-4)");
  DeployGuardOptions dg;
  guard->add_option("--within", dg.within, "Window before kick-off, e.g. 30m")->capture_default_str();
  guard->add_option("--url", dg.url, "A running book (GET /v1/deploy-guard)");
  guard->add_option("--token", dg.token, "Its operator token (with --url)");
  guard->add_option("--config", dg.config_file, "Or a book config: decide from its fixtures at the real time now");

  auto* settle_check = app.add_subcommand(
      "settle-check", "Settle bets from a JSON-lines file by the engine's rules: one {id, outcome, return} line each");
  std::string settle_file;
  settle_check->add_option("FILE", settle_file, "JSON lines: id, market, line, selection, stake, odds, fthg, ftag (- for stdin)")
      ->required();

  auto* replay = app.add_subcommand(
      "replay",
      "Rebuild the book's exact state at a journal seq or an instant, read-only, and print it as JSON "
      "(seq, instant, state hash, ledger sum, bets, each account's balance and reserved)");
  ReplayOptions rpo;
  replay->add_option("--until", rpo.until,
                     "A journal seq (the live book's events_applied), or an RFC 3339 time: the records up to the "
                     "first whose own time (accepted_ns, applied_ns, at_ns) is later")
      ->required();
  replay->add_option("--data-dir", rpo.data_dir, "The book's data dir (default: --config's data_dir); never written");
  replay->add_option("--config", rpo.config_file,
                     "The book's YAML config: its events and markets (required for a journal with bets on them)");
  replay->add_flag("--demo", rpo.demo, "The book is `inplay demo`'s (its built-in world; data dir default inplay-demo-data)")
      ->excludes(replay->get_option("--config"));
  replay->add_flag("--mask", rpo.mask, "Print account pseudonyms (as the logs and audit log do) instead of ids");

  auto* gameday = app.add_subcommand(
      "gameday", "Play a game-day scenario file against a real book and write a report (exit 1 if an expectation fails)");
  std::string gd_file;
  GamedayOptions gdo;
  gameday->add_option("FILE", gd_file, "Scenario YAML (see scenarios/)")->required();
  gameday->add_option("--out", gdo.out_dir, "Report folder")->capture_default_str();
  gameday->add_flag("--real-time", gdo.real_time, "One second of book time per wall second (a drill to watch)");
  bool gd_quiet = false;
  gameday->add_flag("--quiet", gd_quiet, "Nothing on stderr but failed expectations (the book's log goes to OUT/book.log either way)");

  if (std::string unknown = unknown_command(app, argc, argv); !unknown.empty()) {
    std::cerr << unknown;
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (*demo) {
    if (demo_fresh) std::filesystem::remove_all(demo_dir);
    DemoTokens tokens;
    try {
      tokens = demo_tokens(demo_dir);
    } catch (const std::exception& e) {
      std::cerr << "inplay demo: " << e.what() << "\n";
      return 2;
    }
    int64_t now_ms = to_ms(RealClock().now());
    Config cfg = demo_config(tokens);
    cfg.port = demo_port;
    cfg.data_dir = demo_dir;
    cfg.io_threads = demo_threads;
    cfg.metrics_max_age_ms = demo_metrics_max_age_ms;
    if (demo_metrics_max_age_ms == 0) cfg.metrics_scrapes_per_s = 0;  // the old behaviour, for comparisons
    if (demo_no_admission) {
      cfg.engine.admission.default_deadline = Nanos{0};
      cfg.engine.admission.queue_delay_target = Nanos{0};
    }
    if (demo_clock == "sim") {
      cfg.sim_clock = true;
      cfg.sim_start_ms = now_ms;
    }
    return run_book(std::move(cfg), &tokens);
  }
  if (*serve) {
    try {
      Config cfg = load_config(config_file);
      if (serve_port >= 0) cfg.port = static_cast<uint16_t>(serve_port);
      if (serve_standby && !cfg.kafka_journal) {
        std::cerr << "inplay: --standby follows a Kafka journal: set journal.kind: kafka in " << config_file << "\n";
        return 2;
      }
      cfg.standby = serve_standby;
      return run_book(std::move(cfg), nullptr);
    } catch (const ConfigError& e) {
      std::cerr << "inplay: bad config: " << e.what() << "\n";
      return 2;
    }
  }
  if (*lg) return cmd_loadgen(lg_url, lg_token, lg_mode, lo, lg_accounts, lg_ceiling, lg_json, lg_market, lg_stake,
                             lg_prepare_only, lg_server_pid);
  if (*ceiling) {
    FixedHandler fixed;
    HttpServer::Options so;
    so.port = ceiling_port;
    so.threads = ceiling_threads;
    HttpServer server(so, fixed);
    std::cout << fmt::format("ceiling listening on http://127.0.0.1:{}\n", server.start()) << std::flush;
    wait_for_stop_signal();
    server.stop();
    return 0;
  }
  if (*simfeed) {
    RealClock clock;
    Config demo = demo_config(DemoTokens{});
    place_fixtures(demo, to_ms(clock.now()));
    for (const EventConfig& e : demo.events)
      sf.matches.push_back(SimMatchConfig{e.id, e.league, e.lambda_home, e.lambda_away, e.kickoff_ms});
    FeedProvider provider(sf);
    uint16_t port;
    try {
      port = provider.start();
    } catch (const std::exception& e) {
      std::cerr << "inplay sim-feed: " << e.what() << "\n";
      return 1;
    }
    RealTimeDriver driver(provider, clock, std::chrono::milliseconds(100));
    driver.start();
    std::cout << fmt::format("sim-feed {} listening on 127.0.0.1:{}\n", sf.producer, port) << std::flush;
    wait_for_stop_signal();
    driver.stop();
    provider.stop();
    return 0;
  }
  if (*verify) return cmd_journal_verify(journal_dir);
  if (*rules) return cmd_rules(ro);
  if (*settle_check) return cmd_settle_check(settle_file);
  if (*replay) return cmd_replay(rpo);
  if (*gameday) {
    Scenario sc;
    try {
      sc = load_scenario(gd_file);
    } catch (const std::exception& e) {
      std::cerr << "inplay gameday: " << e.what() << "\n";
      return 2;
    }
    gdo.progress = !gd_quiet;
    try {
      return run_gameday(sc, gdo);
    } catch (const YamlError& e) {  // an SLO or playbook file it names, or an SLO it expects
      std::cerr << "inplay gameday: " << e.what() << "\n";
      return 2;
    }
  }
  if (*guard) return cmd_deploy_guard(dg);
  if (*audit_verify) return cmd_audit_verify(avo);
  if (*token) {
    std::string t = token_value.empty() ? random_token() : token_value;
    if (token_value.empty()) std::cout << "token:  " << t << "\n";
    std::cout << "sha256: " << sha256_hex(t) << "\n";
    return 0;
  }
  return 0;
}

}  // namespace inplay
