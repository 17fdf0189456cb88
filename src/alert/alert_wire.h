// Alert wire formats shared with Alertmanager (INC-1, BEY-4):
//  - webhook_payload(): a group notification as Alertmanager's webhook JSON
//    (version "4": receiver, status, groupKey, groupLabels, commonLabels,
//    commonAnnotations, alerts[]), plus Inplay's extras (exposure,
//    high_exposure, markets), so a receiver written for Alertmanager reads it;
//  - alertmanager_v2_alerts(): the body of POST /api/v2/alerts (a list of
//    {labels, annotations, startsAt, endsAt, generatorURL});
//  - parse_alertmanager_webhook(): what Alertmanager POSTs to a webhook
//    receiver, back into Alerts (source "alertmanager"), so alerts computed
//    by Prometheus from Inplay's metrics can drive Inplay's playbooks.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "alert/alert_pipeline.h"
#include "core/error.h"

namespace inplay {

std::string webhook_payload(const Notification& n, std::string_view receiver, std::string_view external_url);
std::string alertmanager_v2_alerts(const std::vector<Alert>& alerts, std::string_view generator_url);

struct ReceivedWebhook {
  std::string status;    // "firing" or "resolved"
  std::string group_key;
  std::vector<Alert> alerts;  // ends_ns set on resolved ones
};
// Errors: kMalformedRequest with the reason (not JSON, missing alerts, a
// label that is not a string, a bad time).
Result<ReceivedWebhook> parse_alertmanager_webhook(std::string_view body);

}  // namespace inplay
