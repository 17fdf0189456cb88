// `inplay replay --until <seq|time>`: a book's state at an instant of its
// past, rebuilt from its journal (app/book_replay.h) and printed as one
// JSON object for an operator (BEY-2). Read-only: the data dir is never
// written, so it may run beside the live book or on a copy.
//
// The summary: the journal seq it stopped at and the journal's last, the
// instant (the newest event time taken), the state hash (the one GET
// /v1/admin/state showed when events_applied was that seq), the ledger sum,
// bets open / settled / cancelled, and each user account's balance and
// reserved stake. Account ids are printed as the operator API prints them
// (GET /v1/accounts/{id}, the resettlement report); --mask prints the pseudonyms
// of the logs and the audit log instead (telemetry.pseudonym_secret of
// --config), for output that leaves the operators' hands.
#pragma once
#include <string>

namespace inplay {

struct ReplayOptions {
  std::string until;        // a journal seq or an RFC 3339 time
  std::string data_dir;     // default: --config's data_dir
  std::string config_file;  // the book's config (its events and markets)
  bool demo = false;        // or the world of `inplay demo` (data dir default inplay-demo-data)
  bool mask = false;
};

// Exit 0: printed; 2: bad arguments, a seq past the end, no data dir or
// config; 3: a corrupt journal (as `inplay journal verify`); 1: a record
// that does not apply (a journal written under another config).
int cmd_replay(const ReplayOptions& o);

}  // namespace inplay
