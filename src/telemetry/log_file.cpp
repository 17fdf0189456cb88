#include "telemetry/log_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace inplay {

LogFile::LogFile(std::filesystem::path file, uint64_t max_bytes, unsigned keep)
    : file_(std::move(file)), max_bytes_(max_bytes), keep_(keep) {
  if (!open_file())
    throw std::runtime_error("cannot open log file " + file_.string() + ": " + std::strerror(errno));
}

LogFile::~LogFile() {
  if (fd_ >= 0) ::close(fd_);
}

std::filesystem::path LogFile::rotated(unsigned n) const {
  return std::filesystem::path(file_.string() + "." + std::to_string(n));
}

bool LogFile::open_file() {
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) return false;
  struct stat st {};
  size_ = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  return true;
}

void LogFile::rotate() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  if (keep_ == 0) {
    std::filesystem::remove(file_, ec);
  } else {
    std::filesystem::remove(rotated(keep_), ec);
    for (unsigned k = keep_ - 1; k >= 1; --k) {
      if (std::filesystem::exists(rotated(k), ec)) std::filesystem::rename(rotated(k), rotated(k + 1), ec);
      if (ec) errors_.fetch_add(1, std::memory_order_relaxed);
      ec.clear();
    }
    std::filesystem::rename(file_, rotated(1), ec);
  }
  if (ec) errors_.fetch_add(1, std::memory_order_relaxed);
  rotations_.fetch_add(1, std::memory_order_relaxed);
  if (!open_file()) errors_.fetch_add(1, std::memory_order_relaxed);
}

void LogFile::write(std::string_view line) {
  const uint64_t n = line.size() + 1;
  if (size_ > 0 && size_ + n > max_bytes_) rotate();
  if (fd_ < 0 && !open_file()) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  // One write(2) per line keeps lines whole for readers tailing the file.
  std::string buf;
  buf.reserve(n);
  buf.append(line);
  buf.push_back('\n');
  const char* p = buf.data();
  size_t left = buf.size();
  while (left > 0) {
    ssize_t w = ::write(fd_, p, left);
    if (w < 0) {
      if (errno == EINTR) continue;
      errors_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    p += w;
    left -= static_cast<size_t>(w);
  }
  size_ += n;
}

}  // namespace inplay
