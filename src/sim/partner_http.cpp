// Partner HTTP (contract in sim/partner_http.h).
#include "sim/partner_http.h"

#include <fmt/format.h>

#include <cctype>

#include "core/json.h"

namespace inplay::partner_http {

namespace {
constexpr int64_t kMaxFaultMs = 600000;
}  // namespace

std::unique_ptr<HttpServer> start_loopback(HttpHandler& handler, uint16_t& port) {
  HttpServer::Options o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.threads = 1;
  auto server = std::make_unique<HttpServer>(o, handler);
  port = server->start();
  return server;
}

std::string loopback_url(uint16_t port) { return fmt::format("http://127.0.0.1:{}", port); }

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

bool valid_ref(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '~' || c == ':' || c == '-'))
      return false;
  return true;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse error_response(int status, std::string_view code, std::string_view message) {
  JsonWriter w;
  w.begin_object().field("error", code).field("message", message).end_object();
  return json_response(status, w.take());
}

std::optional<Error> fault_ms(body_fields::sj::value& v, std::string_view field, std::optional<int64_t>& out) {
  int64_t n;
  if (auto e = body_fields::get_int(v, field, n, 0, kMaxFaultMs)) return e;
  out = n;
  return std::nullopt;
}

std::optional<Error> fault_rate(body_fields::sj::value& v, std::string_view field, std::optional<double>& out) {
  double d;
  if (v.get_double().get(d) || !(d >= 0.0 && d <= 1.0)) return body_fields::invalid(field, "must be a number from 0 to 1");
  out = d;
  return std::nullopt;
}

std::optional<Error> fault_flag(body_fields::sj::value& v, std::string_view field, std::optional<bool>& out) {
  bool b;
  if (v.get_bool().get(b)) return body_fields::invalid(field, "must be true or false");
  out = b;
  return std::nullopt;
}

std::string rate_json(double rate) { return fmt::format("{}", rate); }

bool chance(std::mt19937_64& rng, double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

int64_t answer_delay_ms(std::mt19937_64& rng, int64_t latency_ms, int64_t jitter_ms) {
  if (jitter_ms <= 0) return latency_ms;
  return latency_ms + std::uniform_int_distribution<int64_t>(0, jitter_ms)(rng);
}

}  // namespace inplay::partner_http
