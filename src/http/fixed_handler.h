// FixedHandler: answers every request at once, on the calling I/O thread,
// with 200 and one fixed small JSON body ({"ok":true} unless told otherwise).
// It is the ceiling a real endpoint is measured against: what the HTTP layer
// alone costs. Stateless and thread-safe.
#pragma once
#include <string>

#include "http/server.h"

namespace inplay {

class FixedHandler : public HttpHandler {
 public:
  explicit FixedHandler(std::string body = R"({"ok":true})", int status = 200);
  void handle(HttpRequest&& req, Responder respond) override;

 private:
  std::string body_;
  int status_;
};

}  // namespace inplay
