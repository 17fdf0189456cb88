// Partner HTTP: what the simulated partners the book calls — the PSPs
// (sim/psp_server.h), the KYC vendors (sim/kyc_vendor.h) and, for its
// server, the exchange (sim/exchange_venue.h) — share of their HTTP side,
// so each file keeps only what its partner does:
//  - a server on 127.0.0.1, an ephemeral port, one I/O thread;
//  - the JSON error shape {"error","message"} and the names and ids they
//    accept;
//  - a fault patch's fields (durations 0..600000 ms, rates 0..1, flags),
//    each refused VALIDATION_FAILED naming the field;
//  - the random draws of a fault: a rate of 0 or 1 draws nothing, so
//    turning one fault on leaves the others' sequence of draws as it was;
//    an answer's delay is latency_ms plus up to jitter_ms.
// Free functions; the rng is the caller's (under its mutex).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "core/error.h"
#include "http/body_fields.h"
#include "http/server.h"

namespace inplay::partner_http {

// Starts a server for handler on 127.0.0.1 (an ephemeral port, one thread);
// port is where it listens.
std::unique_ptr<HttpServer> start_loopback(HttpHandler& handler, uint16_t& port);
std::string loopback_url(uint16_t port);  // "http://127.0.0.1:<port>"

bool valid_name(std::string_view s);  // [A-Za-z0-9_.-]{1,64}
bool valid_ref(std::string_view s);   // an id the book sends: [A-Za-z0-9._~:-]{1,128}

HttpResponse json_response(int status, std::string body);
HttpResponse error_response(int status, std::string_view code, std::string_view message);

std::optional<Error> fault_ms(body_fields::sj::value& v, std::string_view field, std::optional<int64_t>& out);
std::optional<Error> fault_rate(body_fields::sj::value& v, std::string_view field, std::optional<double>& out);
std::optional<Error> fault_flag(body_fields::sj::value& v, std::string_view field, std::optional<bool>& out);
std::string rate_json(double rate);  // as a fault's JSON writes it

bool chance(std::mt19937_64& rng, double p);
int64_t answer_delay_ms(std::mt19937_64& rng, int64_t latency_ms, int64_t jitter_ms);

}  // namespace inplay::partner_http
