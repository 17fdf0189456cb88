// `inplay audit verify` (contract in cli/audit_command.h).
#include "cli/audit_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "app/config.h"
#include "app/demo.h"
#include "journal/journal.h"
#include "projection/audit_verify.h"

namespace inplay {

int cmd_audit_verify(const AuditVerifyOptions& o) {
  std::string secret;
  std::filesystem::path dir = o.data_dir;
  try {
    if (o.demo) {
      if (dir.empty()) dir = "inplay-demo-data";
      // Read only when kept: demo_tokens would make new ones.
      if (!std::filesystem::exists(dir / "demo-tokens")) {
        std::cerr << "inplay audit verify: " << (dir / "demo-tokens").string() << ": no demo tokens there\n";
        return 2;
      }
      secret = demo_tokens(dir).audit_chain_secret;
    } else if (!o.config_file.empty()) {
      Config cfg = load_config(o.config_file);
      secret = cfg.audit_chain_secret;
      if (dir.empty()) dir = cfg.data_dir;
    } else {
      std::cerr << "inplay audit verify: --config (the book's, for audit.chain_secret) or --demo is required\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "inplay audit verify: bad config: " << e.what() << "\n";
    return 2;
  }
  const std::filesystem::path file = o.file.empty() ? dir / "audit.jsonl" : std::filesystem::path(o.file);
  try {
    AuditKey key(secret);
    AuditReport r = verify_audit(file, dir / "journal", key);
    if (!r.ok) {
      if (r.line > 0)
        std::cerr << fmt::format("audit {}: line {}: {} ({} records before it are valid)\n", file.string(), r.line,
                                 r.reason, r.line - 1);
      else
        std::cerr << fmt::format("audit {}: {}\n", file.string(), r.reason);
      return 3;
    }
    std::cout << fmt::format("audit ok: {} records, key {}, {} anchors", r.records, key.id(), r.anchors);
    if (r.anchors > 0)
      std::cout << fmt::format(" (the longest covers {} records; the last is journal seq {})", r.anchored_records,
                               r.last_anchor_seq);
    std::cout << fmt::format(", journal read to seq {}\n", r.journal_last_seq);
    return 0;
  } catch (const JournalCorrupt& e) {
    std::cerr << "inplay audit verify: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "inplay audit verify: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace inplay
