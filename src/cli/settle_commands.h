// Command-line tools for settlement:
//   inplay settle-check FILE   one JSON line per bet: its outcome and return
//                              by the engine's own rule code (settle/settle_check.h);
//                              FILE "-" reads stdin
#pragma once
#include <string>

namespace inplay {

// Exit 0: every line settled; 1: some lines refused (their error lines are
// in the output); 2: the file could not be read.
int cmd_settle_check(const std::string& file);

}  // namespace inplay
