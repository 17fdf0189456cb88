#include "http/response_wire.h"

#include <strings.h>

#include <boost/beast/http/status.hpp>
#include <charconv>

namespace inplay {
namespace {

bool clean(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool reserved(std::string_view name) {
  auto eq = [&](std::string_view r) {
    return name.size() == r.size() && strncasecmp(name.data(), r.data(), r.size()) == 0;
  };
  return eq("content-length") || eq("connection") || eq("server") || eq("content-type") ||
         eq("transfer-encoding");
}

void append_int(std::string& out, uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

std::string_view status_reason(int status) {
  auto s = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return {s.data(), s.size()};
}

void write_response_head(const HttpResponse& res, bool keep_alive, bool http10, std::string& out) {
  out.clear();
  int status = res.status >= 100 && res.status <= 999 ? res.status : 500;
  out.append(http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_int(out, static_cast<uint64_t>(status));
  out.push_back(' ');
  out.append(status_reason(status));
  out.append("\r\nServer: inplay\r\n");
  if (!res.content_type.empty() && clean(res.content_type)) {
    out.append("Content-Type: ").append(res.content_type).append("\r\n");
  }
  out.append("Content-Length: ");
  append_int(out, res.body.size());
  out.append(keep_alive ? "\r\nConnection: keep-alive\r\n" : "\r\nConnection: close\r\n");
  for (const auto& [name, value] : res.headers) {
    if (name.empty() || !clean(name) || !clean(value) || reserved(name)) continue;
    out.append(name).append(": ").append(value).append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace inplay
