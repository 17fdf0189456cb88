#include "http/fixed_handler.h"

namespace inplay {

FixedHandler::FixedHandler(std::string body, int status) : body_(std::move(body)), status_(status) {}

void FixedHandler::handle(HttpRequest&&, Responder respond) {
  HttpResponse res;
  res.status = status_;
  res.body = body_;
  respond(std::move(res));
}

}  // namespace inplay
