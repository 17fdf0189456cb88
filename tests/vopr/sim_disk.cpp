#include "sim_disk.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

namespace inplay::vopr {

namespace fs = std::filesystem;

void SimDisk::create_dirs(const fs::path& dir) {
  for (fs::path p = dir; !p.empty() && p != p.root_path(); p = p.parent_path()) dirs_.insert(p.string());
}

std::vector<std::string> SimDisk::list(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& [path, f] : files_) {
    fs::path p(path);
    if (p.parent_path() == dir) out.push_back(p.filename().string());
  }
  return out;
}

std::string SimDisk::read_all(const fs::path& file) {
  auto it = files_.find(file.string());
  if (it == files_.end()) throw std::system_error(ENOENT, std::generic_category(), "open " + file.string());
  return it->second.data;
}

namespace {
int said(bool verbose, int err, const std::string& what) {
  if (verbose) fmt::print(stderr, "  disk: {} -> {}\n", what, err == 0 ? "ok" : std::strerror(err));
  return err;
}
}  // namespace

bool SimDisk::power_fails_now() {
  if (crash_in_ == 0) return false;
  if (--crash_in_ > 0) return false;
  dead_ = true;
  return true;
}

SimDisk::File* SimDisk::file_of(Handle h) {
  auto it = handles_.find(h);
  if (it == handles_.end()) return nullptr;
  auto f = files_.find(it->second);
  return f == files_.end() ? nullptr : &f->second;
}

uint64_t SimDisk::used() const {
  uint64_t n = 0;
  for (const auto& [path, f] : files_) n += f.data.size();
  return n;
}

int SimDisk::open(const fs::path& file, bool create, Handle& h) {
  if (dead_ || power_fails_now()) return EIO;
  const std::string key = file.string();
  auto it = files_.find(key);
  if (create) {
    if (it != files_.end()) return EEXIST;
    if (used() >= capacity_) return ++counts_.enospc, ENOSPC;
    files_.emplace(key, File{});
  } else if (it == files_.end()) {
    return ENOENT;
  }
  h = next_handle_++;
  handles_[h] = key;
  return said(verbose_, 0, (create ? "create " : "open ") + key);
}

void SimDisk::apply(std::string& image, const Pending& p) {
  if (p.truncate) {
    image.resize(p.offset);
    return;
  }
  if (image.size() < p.offset + p.bytes.size()) image.resize(p.offset + p.bytes.size());
  image.replace(p.offset, p.bytes.size(), p.bytes);
}

int SimDisk::write_at(Handle h, uint64_t offset, std::string_view data) {
  if (dead_) return said(verbose_, EIO, "write (no power)");
  File* f = file_of(h);
  if (!f) return EBADF;
  ++counts_.writes;
  // How much of data reaches the file, and the error after it.
  size_t lands = data.size();
  int err = 0;
  if (power_fails_now()) {
    lands = rng_.below(data.size() + 1);
    err = EIO;
  } else if (rng_.chance(faults_.write_eio_per_mille)) {
    lands = rng_.below(data.size() + 1);
    err = EIO;
    ++counts_.write_eio;
  }
  const uint64_t size = f->data.size();
  const uint64_t end = offset + lands;
  if (end > size) {
    const uint64_t in_use = used();
    const uint64_t free = capacity_ > in_use ? capacity_ - in_use : 0;
    if (end - size > free) {
      const uint64_t room_end = size + free;
      lands = room_end > offset ? std::min<uint64_t>(lands, room_end - offset) : 0;
      if (!err) err = ENOSPC, ++counts_.enospc;
    }
  }
  if (lands > 0 || offset > size) {
    Pending p{false, offset, std::string(data.substr(0, lands))};
    apply(f->data, p);
    f->pending.push_back(std::move(p));
  }
  return said(verbose_, err, fmt::format("write {} B at {} of {} ({} B land)", data.size(), offset, handles_[h], lands));
}

int SimDisk::sync(Handle h) {
  if (dead_ || power_fails_now()) return said(verbose_, EIO, "sync (no power)");
  File* f = file_of(h);
  if (!f) return EBADF;
  ++counts_.syncs;
  if (rng_.chance(faults_.sync_eio_per_mille)) {
    // Writeback failed: the pages are marked clean, so they never reach the
    // platter and the next sync has nothing to report.
    std::erase_if(f->pending, [](const Pending& p) { return !p.truncate; });
    ++counts_.sync_eio;
    return said(verbose_, EIO, "sync " + handles_[h] + " (its pending pages are dropped)");
  }
  for (const Pending& p : f->pending) apply(f->durable, p);
  f->pending.clear();
  return said(verbose_, 0, "sync " + handles_[h]);
}

int SimDisk::truncate(Handle h, uint64_t size) {
  if (dead_ || power_fails_now()) return said(verbose_, EIO, "truncate (no power)");
  File* f = file_of(h);
  if (!f) return EBADF;
  Pending p{true, size, {}};
  apply(f->data, p);
  f->pending.push_back(std::move(p));
  return said(verbose_, 0, fmt::format("truncate {} to {}", handles_[h], size));
}

void SimDisk::close(Handle h) { handles_.erase(h); }

int SimDisk::sync_dir(const fs::path& dir) {
  if (dead_ || power_fails_now()) return said(verbose_, EIO, "sync dir (no power)");
  if (rng_.chance(faults_.sync_eio_per_mille)) {
    ++counts_.sync_eio;
    return said(verbose_, EIO, "sync dir " + dir.string());
  }
  for (auto& [path, f] : files_)
    if (fs::path(path).parent_path() == dir) f.named = true;
  return 0;
}

std::string SimDisk::survivor(const File& f) {
  std::string image = f.durable;
  const size_t kept = rng_.below(f.pending.size() + 1);
  for (size_t i = 0; i < kept; ++i) apply(image, f.pending[i]);
  if (kept < f.pending.size() && !f.pending[kept].truncate && rng_.chance(500)) {
    // Torn: the first sectors of the next write made it, the rest did not.
    const Pending& w = f.pending[kept];
    const uint64_t first_cut = (w.offset / kSectorBytes + 1) * kSectorBytes;
    const uint64_t end = w.offset + w.bytes.size();
    if (first_cut < end) {
      const uint64_t cuts = (end - 1 - first_cut) / kSectorBytes + 1;
      const uint64_t cut = first_cut + rng_.below(cuts) * kSectorBytes;
      apply(image, Pending{false, w.offset, w.bytes.substr(0, cut - w.offset)});
      ++counts_.torn;
    }
  }
  return image;
}

void SimDisk::crash() {
  for (auto it = files_.begin(); it != files_.end();) {
    File& f = it->second;
    if (!f.named && rng_.chance(faults_.lose_new_file_per_mille)) {
      it = files_.erase(it);
      continue;
    }
    f.durable = survivor(f);
    f.data = f.durable;
    f.pending.clear();
    f.named = true;  // found on the platter after the reboot
    ++it;
  }
  handles_.clear();
  crash_in_ = 0;
  dead_ = false;
  ++counts_.crashes;
}

void SimDisk::kill() {
  handles_.clear();
  crash_in_ = 0;
  dead_ = false;
  ++counts_.kills;
}

std::string SimDisk::durable(const fs::path& file) const {
  auto it = files_.find(file.string());
  return it == files_.end() ? std::string() : it->second.durable;
}

void SimDisk::flip_bit(const fs::path& file, uint64_t offset, int bit) {
  File& f = files_.at(file.string());
  const char mask = static_cast<char>(1 << bit);
  if (offset < f.durable.size()) f.durable[offset] ^= mask;
  if (offset < f.data.size()) f.data[offset] ^= mask;
}

}  // namespace inplay::vopr
