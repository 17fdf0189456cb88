// Alertmanager configuration from Inplay's routing (BEY-4, INC-1): the route
// tree teams keep when they run Alertmanager. Grouped by the playbook file's
// group_by labels with its group_wait / group_interval / repeat_interval;
// High Exposure alerts (pushed by Inplay with high_exposure="true") routed
// first; tickets muted in quiet hours unless match_day="true"; the same
// inhibit rules, plus "a paging slo_burn inhibits the ticket of the same
// SLO". Every receiver is Inplay's webhook (POST /v1/alerts/webhook, bearer
// token read from a file), so Prometheus's alerts drive Inplay's playbooks.
#pragma once
#include <string>

#include "alert/alert_pipeline.h"

namespace inplay {

std::string alertmanager_config_yaml(const RoutingConfig& r, const std::string& webhook_url,
                                     const std::string& token_file);

}  // namespace inplay
