#include "cli/settle_commands.h"

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

#include "settle/settle_check.h"

namespace inplay {

int cmd_settle_check(const std::string& file) {
  FILE* in = file == "-" ? stdin : std::fopen(file.c_str(), "rb");
  if (!in) {
    std::cerr << "inplay settle-check: " << file << ": " << std::strerror(errno) << "\n";
    return 2;
  }
  // Read in blocks, checking every whole line; a partial last line waits
  // for the next block.
  SettleChecker checker;
  SettleCheckStats total;
  std::string buf, out;
  uint64_t lines_done = 0;
  constexpr size_t kBlock = 4 << 20;
  bool eof = false;
  while (!eof) {
    const size_t old = buf.size();
    buf.resize(old + kBlock);
    const size_t n = std::fread(buf.data() + old, 1, kBlock, in);
    buf.resize(old + n);
    if (n == 0) {
      if (std::ferror(in)) {
        std::cerr << "inplay settle-check: " << file << ": read error\n";
        return 2;
      }
      eof = true;
    }
    const size_t cut = eof ? buf.size() : buf.rfind('\n') + 1;  // npos + 1 == 0: no whole line yet
    if (cut == 0) continue;
    std::string_view whole(buf.data(), cut);
    out.clear();
    SettleCheckStats s = checker.run(whole, out, lines_done);
    total.bets += s.bets;
    total.errors += s.errors;
    for (char c : whole) lines_done += c == '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
    buf.erase(0, cut);
  }
  if (in != stdin) std::fclose(in);
  std::fflush(stdout);
  std::cerr << "settle-check: " << total.bets << " bets settled, " << total.errors << " lines refused\n";
  return total.errors ? 1 : 0;
}

}  // namespace inplay
