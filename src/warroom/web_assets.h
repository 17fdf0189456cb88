// The war-room page's files (web/index.html, web/app.js, web/style.css),
// the runbooks page (web/runbooks.html, web/runbooks.js, and the
// docs/runbooks.md it renders), built into the binary at compile time
// (CMakeLists.txt writes web_assets.cpp from them), so `inplay demo` serves
// them from any directory. Any thread; the data is static.
#pragma once
#include <string_view>

namespace inplay {

struct WebAsset {
  std::string_view path;          // "/index.html", "/app.js", "/runbooks.md", ...
  std::string_view content_type;  // with charset
  std::string_view body;
};

// The asset served at a request path ("/" and "/index.html" are the page);
// nullptr when there is none.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace inplay
