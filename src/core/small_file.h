// Small files a book keeps beside its journal (its start anchor, the demo's
// tokens): read whole, and replaced atomically — written to a temporary
// file, synced, renamed over the old one and the directory synced — so a
// crash leaves either the old content or the new, never half of one.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace inplay {

// The whole file, or nullopt when it does not exist. Throws
// std::runtime_error on any other error.
std::optional<std::string> read_small_file(const std::filesystem::path& path);
// Replaces the file with `content` (mode: its permission bits, e.g. 0600
// for secrets). Throws std::runtime_error naming the path on failure.
void write_small_file(const std::filesystem::path& path, const std::string& content, unsigned mode = 0644);

}  // namespace inplay
