#include "feed/dead_letter.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/json.h"

namespace inplay {

namespace {

std::string base64(std::string_view in) {
  static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += tbl[v >> 18], out += tbl[(v >> 12) & 63], out += tbl[(v >> 6) & 63], out += tbl[v & 63];
  }
  if (size_t rest = in.size() - i) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out += tbl[v >> 18], out += tbl[(v >> 12) & 63];
    out += rest == 2 ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Cut at most max bytes without splitting a UTF-8 sequence.
std::string_view cut(std::string_view s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n);
}

}  // namespace

std::string dead_letter_record(std::string_view producer, std::string_view reason,
                               std::string_view raw_line, int64_t at_ms, size_t max_line_bytes) {
  std::string_view kept = cut(raw_line, max_line_bytes);
  JsonWriter w;
  w.begin_object().field("at", at_ms).field("producer", producer).field("reason", reason);
  // The escaper passes bytes >= 0x80 through: only valid UTF-8 may do so.
  if (simdjson::validate_utf8(kept))
    w.field("line", kept);
  else
    w.field("line_base64", base64(kept));
  if (kept.size() != raw_line.size()) w.field("line_bytes", static_cast<uint64_t>(raw_line.size()));
  w.end_object();
  std::string out = w.take();
  out.push_back('\n');
  return out;
}

DeadLetterFile::DeadLetterFile(std::filesystem::path path, uint64_t max_file_bytes,
                               size_t max_line_bytes, uint32_t max_per_minute)
    : path_(std::move(path)),
      max_file_bytes_(max_file_bytes),
      max_line_bytes_(max_line_bytes),
      max_per_minute_(max_per_minute) {
  std::lock_guard lock(mu_);
  open_locked();  // a failure is retried (and counted) on the first write
}

DeadLetterFile::~DeadLetterFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool DeadLetterFile::open_locked() {
  if (fd_ >= 0) return true;
  std::error_code ec;
  if (path_.has_parent_path()) std::filesystem::create_directories(path_.parent_path(), ec);
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return false;
  }
  fd_ = fd;
  bytes_.store(static_cast<uint64_t>(st.st_size), std::memory_order_relaxed);
  return true;
}

void DeadLetterFile::write(std::string_view producer, std::string_view reason,
                           std::string_view raw_line, int64_t at_ms) {
  try {
    if (max_per_minute_ > 0) {
      std::string key;
      key.reserve(producer.size() + reason.size() + 1);
      key.append(producer).push_back('\x1f');
      key.append(reason);
      std::lock_guard lock(mu_);
      auto& [minute, n] = per_minute_.try_emplace(std::move(key), std::make_pair(int64_t{-1}, uint32_t{0})).first->second;
      const int64_t m = at_ms / 60000;
      if (m != minute) minute = m, n = 0;
      if (n >= max_per_minute_) {
        sampled_out_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      ++n;
    }
    std::string rec = dead_letter_record(producer, reason, raw_line, at_ms, max_line_bytes_);
    std::lock_guard lock(mu_);
    if (!open_locked()) {
      errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    const uint64_t size = bytes_.load(std::memory_order_relaxed);
    if (size + rec.size() > max_file_bytes_ || (may_write_ && !may_write_())) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    size_t done = 0;
    while (done < rec.size()) {
      ssize_t n = ::write(fd_, rec.data() + done, rec.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    bytes_.fetch_add(done, std::memory_order_relaxed);
    if (done == rec.size())
      written_.fetch_add(1, std::memory_order_relaxed);
    else
      errors_.fetch_add(1, std::memory_order_relaxed);  // disk full, I/O error: a torn record
  } catch (...) {  // out of memory building the record: count, never throw into the feed
    errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace inplay
