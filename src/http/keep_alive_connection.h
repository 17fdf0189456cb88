// KeepAliveConnection: one HTTP/1.1 connection to one host:port that is kept
// open and reused call after call (a partner's pool holds a few of them; see
// app/partner_call.h). call() is blocking and bounded as a whole by
// timeout_ms (connect, write, read), like http_call(), but it connects only
// when no connection is open. When a reused connection turns out to be
// closed or broken before any byte of the answer came (the peer's idle
// timeout, a restart), call() reconnects and sends the same request once
// more within the same deadline — safe because every call that moves money
// carries an Idempotency-Key, and the peer never read the first copy. Any
// other failure closes the connection so the next call starts fresh. An
// answer marked "Connection: close" closes it too. Not thread-safe: one
// caller at a time (the pool hands it to one worker).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/client.h"

namespace inplay {

class KeepAliveConnection {
 public:
  KeepAliveConnection(std::string host, uint16_t port);
  ~KeepAliveConnection();
  KeepAliveConnection(const KeepAliveConnection&) = delete;
  KeepAliveConnection& operator=(const KeepAliveConnection&) = delete;

  HttpCallResult call(const std::string& method, const std::string& target,
                      const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                      int timeout_ms);

  bool open() const;
  uint64_t connects() const { return connects_; }  // connections opened so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t connects_ = 0;
};

}  // namespace inplay
