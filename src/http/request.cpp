// HttpRequest accessors (declared in http/server.h). Header names are stored
// lower-cased by the server, but lookups stay case-insensitive so hand-built
// requests in tests behave the same.
#include <strings.h>

#include "http/server.h"

namespace inplay {

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name.size() == lower_name.size() &&
        strncasecmp(name.data(), lower_name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

}  // namespace inplay
