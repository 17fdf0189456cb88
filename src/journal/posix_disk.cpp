// PosixDisk: the kernel's files behind the Disk seam (journal/disk.h).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "journal/disk.h"
#include "journal/segment.h"

namespace inplay {

namespace {

class PosixDisk final : public Disk {
 public:
  void create_dirs(const std::filesystem::path& dir) override { std::filesystem::create_directories(dir); }

  std::vector<std::string> list(const std::filesystem::path& dir) override {
    std::vector<std::string> out;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.is_regular_file()) out.push_back(e.path().filename().string());
    return out;
  }

  std::string read_all(const std::filesystem::path& file) override { return segment::read_all(file); }

  int open(const std::filesystem::path& file, bool create, Handle& h) override {
    const int flags = O_WRONLY | O_CLOEXEC | (create ? O_CREAT | O_EXCL : 0);
    int fd = ::open(file.c_str(), flags, 0644);
    if (fd < 0) return errno;
    h = fd;
    return 0;
  }

  int write_at(Handle h, uint64_t offset, std::string_view data) override {
    while (!data.empty()) {
      ssize_t w = ::pwrite(h, data.data(), data.size(), static_cast<off_t>(offset));
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      data.remove_prefix(static_cast<size_t>(w));
      offset += static_cast<uint64_t>(w);
    }
    return 0;
  }

  int sync(Handle h) override { return ::fdatasync(h) == 0 ? 0 : errno; }

  int truncate(Handle h, uint64_t size) override {
    return ::ftruncate(h, static_cast<off_t>(size)) == 0 ? 0 : errno;
  }

  void close(Handle h) override { ::close(h); }

  int sync_dir(const std::filesystem::path& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return err;
  }
};

}  // namespace

Disk& posix_disk() {
  static PosixDisk disk;
  return disk;
}

}  // namespace inplay
