// Reply: an answer the API renders on the engine thread (a status and a JSON
// body) and hands to the I/O thread that serves the request. HTTP's own
// type: desks answer with an Outcome (wallet/outcome.h), which the views
// turn into a Reply (http/views.h).
#pragma once
#include <string>

namespace inplay {

struct Reply {
  int status = 200;
  std::string body;
};

}  // namespace inplay
