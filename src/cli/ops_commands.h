// Command-line tools for the incident loop's outside world:
//   inplay rules --out DIR          Prometheus rules, promtool tests and an
//                                   Alertmanager config from the SLO and
//                                   playbook files (BEY-4)
//   inplay deploy-guard --within D  exit 1 while a top-league match is in
//                                   play or kicks off within D (INC-4)
#pragma once
#include <string>

namespace inplay {

struct RulesOptions {
  std::string out_dir;
  std::string config_file;  // a book config: its incidents.* files (optional)
  std::string webhook_url = "http://127.0.0.1:8080/v1/alerts/webhook";
  std::string token_file;   // bearer token Alertmanager sends (credentials_file)
};
// Exit 0 on success, 2 on a bad file (file:line: reason on stderr).
int cmd_rules(const RulesOptions& o);

struct DeployGuardOptions {
  std::string within = "30m";
  std::string url;          // a running book: GET /v1/deploy-guard
  std::string token;        // its operator token
  std::string config_file;  // or: decide from a config's fixtures at the real time now
};
// Exit 0: clear to deploy; 1: blocked (the matches are printed); 2: could
// not decide (bad arguments, book unreachable).
int cmd_deploy_guard(const DeployGuardOptions& o);

}  // namespace inplay
