// The SQLite history store: the embedded default (one file,
// <data_dir>/book.sqlite), the tables of projection/history_store.h in WAL
// mode with synchronous=NORMAL. A batch is a BEGIN IMMEDIATE transaction,
// which takes the file's write lock, so a second writer waits for it
// (busy timeout 5 s) rather than interleaving. Readers (operators, views)
// never block it.
#pragma once
#include <filesystem>
#include <memory>

#include "projection/history_store.h"

namespace inplay {

// Opens or creates `file` and its tables; throws ProjectionError.
std::unique_ptr<HistoryStore> open_sqlite_history(const std::filesystem::path& file);

}  // namespace inplay
