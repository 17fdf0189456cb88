// The war-room page's files (web/index.html, web/app.js, web/style.css),
// built into the binary at compile time (CMakeLists.txt writes
// web_assets.cpp from web/), so `inplay demo` serves them from any
// directory. Any thread; the data is static.
#pragma once
#include <string_view>

namespace inplay {

struct WebAsset {
  std::string_view path;          // "/", "/app.js", "/style.css"
  std::string_view content_type;  // with charset
  std::string_view body;
};

// The asset served at a request path ("/" and "/index.html" are the page);
// nullptr when there is none.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace inplay
