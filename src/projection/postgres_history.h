// The PostgreSQL history store (PostgreSQL 15 through libpq): the tables of
// projection/history_store.h in the database a DSN names, for when the
// history outgrows one machine's SQLite file or other services must query it
// while the book runs.
//
// - One connection, opened on first use (a database that is down at start
//   stalls the projection with a log line, never the book) and re-opened by
//   the next begin_batch() after it is lost; statements are prepared once per
//   connection. connect_timeout defaults to 5 s (the DSN may set its own).
// - A batch is one transaction: BEGIN; SELECT ... FROM meta FOR UPDATE (the
//   high-water mark, locked so a second writer waits for this batch and then
//   skips what it wrote); the rows; UPDATE meta; COMMIT. Inserts are
//   ON CONFLICT DO NOTHING.
// - The rows go out in libpq pipeline mode: statements are sent without
//   waiting for their answers, which are read (and the first error thrown,
//   failing the batch) every 512 statements, before a read (find_bet) and
//   at commit. A round trip per statement would cap the projection at what
//   the network's latency allows (bench/history_bench: 8k records/s on
//   loopback, 19k pipelined).
// - Integers are BIGINT, text is TEXT: the same rows as SQLite, read back as
//   the same text.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "projection/history_store.h"

namespace inplay {

// Nothing is connected yet; throws ProjectionError only for a DSN that does
// not parse.
std::unique_ptr<HistoryStore> open_postgres_history(const std::string& dsn);

// Whether `dsn` parses as a libpq connection string or URI; else why not.
std::optional<std::string> postgres_dsn_error(const std::string& dsn);

}  // namespace inplay
