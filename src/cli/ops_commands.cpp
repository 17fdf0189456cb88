#include "cli/ops_commands.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "alert/alertmanager_config.h"
#include "app/book_start.h"
#include "app/config.h"
#include "app/shipped_configs.h"
#include "core/clock.h"
#include "core/yaml_reader.h"
#include "http/client.h"
#include "slo/prometheus_rules.h"

namespace inplay {

namespace {

bool write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int cmd_rules(const RulesOptions& o) {
  SloCatalogue slos;
  PlaybookFile playbooks;
  try {
    if (!o.config_file.empty()) {
      Config c = load_config(o.config_file);
      slos = c.incidents.slos;
      playbooks = c.incidents.playbooks;
    } else {
      slos = parse_slo_catalogue(kShippedSlosYaml, "config/slos.yaml (built in)");
      playbooks = parse_playbook_file(kShippedPlaybooksYaml, "config/playbooks.yaml (built in)");
    }
  } catch (const std::exception& e) {
    std::cerr << "inplay rules: " << e.what() << "\n";
    return 2;
  }
  std::filesystem::create_directories(o.out_dir);
  const std::filesystem::path dir(o.out_dir);
  bool ok = write_file(dir / "inplay-rules.yml", prometheus_rules_yaml(slos)) &&
            write_file(dir / "inplay-rules-tests.yml", promtool_tests_yaml(slos, "inplay-rules.yml")) &&
            write_file(dir / "alertmanager.yml", alertmanager_config_yaml(playbooks.routing, o.webhook_url, o.token_file));
  if (!ok) {
    std::cerr << "inplay rules: cannot write to " << o.out_dir << "\n";
    return 2;
  }
  std::cout << fmt::format("wrote {0}/inplay-rules.yml, {0}/inplay-rules-tests.yml, {0}/alertmanager.yml\n",
                           o.out_dir);
  for (auto& s : skipped_threshold_alerts(slos))
    std::cout << "not generated (not wired yet: no metric until its hop lands): " << s << "\n";
  std::cout << fmt::format("check: promtool check rules {0}/inplay-rules.yml && promtool test rules "
                           "{0}/inplay-rules-tests.yml\n",
                           o.out_dir);
  return 0;
}

int cmd_deploy_guard(const DeployGuardOptions& o) {
  int64_t within_ms = 0;
  if (!parse_duration_ms(o.within, within_ms)) {
    std::cerr << "inplay deploy-guard: --within must be a duration like 30m\n";
    return 2;
  }
  if (!o.url.empty()) {
    std::string host;
    uint16_t port = 0;
    if (!parse_http_url(o.url, host, port)) {
      std::cerr << "inplay deploy-guard: --url must be http://host:port\n";
      return 2;
    }
    HttpCallResult r = http_call(host, port, "GET", "/v1/deploy-guard?within=" + o.within,
                                 {{"Authorization", "Bearer " + o.token}}, "", 5000);
    if (r.status != 200) {
      std::cerr << fmt::format("inplay deploy-guard: {} answered {} {}\n", o.url, r.status,
                               r.status ? r.body : r.error);
      return 2;
    }
    std::cout << r.body << "\n";
    return r.body.find("\"blocked\":true") != std::string::npos ? 1 : 0;
  }
  if (o.config_file.empty()) {
    std::cerr << "inplay deploy-guard: give --url (a running book) or --config (its fixtures)\n";
    return 2;
  }
  Config c;
  try {
    c = load_config(o.config_file);
  } catch (const std::exception& e) {
    std::cerr << "inplay deploy-guard: " << e.what() << "\n";
    return 2;
  }
  RealClock clock;
  const int64_t now_ms = to_ms(clock.now());
  try {  // relative kick-offs: against the book's first start, if it ran
    place_fixtures(c, read_book_start_ms(c.data_dir).value_or(now_ms));
  } catch (const std::exception& e) {
    std::cerr << "inplay deploy-guard: " << e.what() << "\n";
    return 2;
  }
  const int64_t match_ms = 2LL * 3600 * 1000;
  bool blocked = false;
  for (auto& e : c.events) {
    if (!c.feed_options.top_leagues.count(e.league) || e.state == EventState::kEnded) continue;
    bool in_play = e.state == EventState::kInPlay || (e.kickoff_ms <= now_ms && now_ms - e.kickoff_ms < match_ms);
    bool soon = e.kickoff_ms > now_ms && e.kickoff_ms - now_ms <= within_ms;
    if (!in_play && !soon) continue;
    blocked = true;
    std::cout << fmt::format("blocked: {} {} v {} ({}), kickoff {} ms from now\n", e.league, e.home, e.away,
                             in_play ? "in play" : "kicks off soon", e.kickoff_ms - now_ms);
  }
  if (!blocked) std::cout << "clear: no top-league match in play or within " << o.within << "\n";
  return blocked ? 1 : 0;
}

}  // namespace inplay
