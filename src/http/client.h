// HttpCall: one blocking HTTP/1.1 request on a fresh connection, bounded as
// a whole by timeout_ms (connect, write and read), for the command line
// tools (loadgen set-up, smoke checks) and the calls made off the engine
// thread (notifier, hedging venue). Not for hot paths.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace inplay {

struct HttpCallResult {
  int status = 0;  // 0: transport error (see error)
  std::string body;
  std::string error;
};

HttpCallResult http_call(const std::string& host, uint16_t port, const std::string& method,
                         const std::string& target,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         const std::string& body = "", int timeout_ms = 10000);

// Splits "http://host:port" into host and port; false if malformed.
bool parse_http_url(const std::string& url, std::string& host, uint16_t& port);

}  // namespace inplay
