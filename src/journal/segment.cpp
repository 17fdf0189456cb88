#include "journal/segment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>

namespace inplay {

// Thrown by scan() below, and by every reader of records.
JournalCorrupt::JournalCorrupt(std::string segment_name, uint64_t off, std::string why)
    : std::runtime_error("journal corrupt: " + segment_name + " at offset " + std::to_string(off) + ": " + why),
      segment(std::move(segment_name)),
      offset(off),
      reason(std::move(why)) {}

}  // namespace inplay

namespace inplay::segment {
namespace {

// Little endian on the host (x86-64 / aarch64); memcpy keeps it alignment-safe.
template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename T>
void store(char* p, T v) {
  std::memcpy(p, &v, sizeof v);
}

uint32_t record_crc(const char* header, std::string_view payload) {
  uint32_t c = crc32c(header + 4, 10);  // type and seq are adjacent
  return crc32c(payload.data(), payload.size(), c);
}

bool all_zero(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == 0; });
}

// A record with seq `want` and a valid CRC somewhere in data[from..]? Only
// asked on the rare torn-tail path, so a linear probe is fine.
bool valid_record_after(std::string_view data, size_t from, uint64_t want) {
  for (size_t p = from; p + kHeaderBytes <= data.size(); ++p) {
    if (load<uint64_t>(data.data() + p + 6) != want) continue;
    uint32_t len = load<uint32_t>(data.data() + p);
    if (len > data.size() - p - kHeaderBytes) continue;
    std::string_view payload = data.substr(p + kHeaderBytes, len);
    if (record_crc(data.data() + p, payload) == load<uint32_t>(data.data() + p + kCrcOffset))
      return true;
  }
  return false;
}

}  // namespace

std::string file_name(uint64_t first_seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.seg", static_cast<unsigned long long>(first_seq));
  return buf;
}

std::optional<uint64_t> parse_file_name(std::string_view name) {
  if (name.size() != 24 || name.substr(20) != ".seg") return std::nullopt;
  uint64_t v = 0;
  for (char c : name.substr(0, 20)) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::vector<File> list(const std::filesystem::path& dir) { return list(posix_disk(), dir); }

std::vector<File> list(Disk& disk, const std::filesystem::path& dir) {
  std::vector<File> out;
  for (std::string& name : disk.list(dir)) {
    auto seq = parse_file_name(name);
    if (seq) out.push_back({*seq, dir / name, std::move(name)});
  }
  std::sort(out.begin(), out.end(),
            [](const File& a, const File& b) { return a.first_seq < b.first_seq; });
  return out;
}

void put_header(char* out, uint32_t payload_length, uint16_t type, uint64_t seq) {
  store(out, payload_length);
  store(out + 4, type);
  store(out + 6, seq);
  store(out + kCrcOffset, uint32_t{0});
}

void seal(char* records, size_t n) {
  for (size_t off = 0; off + kHeaderBytes <= n;) {
    char* h = records + off;
    uint32_t len = load<uint32_t>(h);
    store(h + kCrcOffset, record_crc(h, std::string_view(h + kHeaderBytes, len)));
    off += kHeaderBytes + len;
  }
}

ScanResult scan(std::string_view data, const std::string& name, uint64_t first_seq,
                bool is_last, uint64_t deliver_after,
                const std::function<void(const JournalRecord&)>& fn, uint64_t base_offset) {
  ScanResult r;
  r.last_seq = first_seq - 1;
  const size_t size = data.size();
  size_t off = 0;
  while (off < size) {
    const uint64_t want = r.last_seq + 1;
    if (size - off < kHeaderBytes) {
      if (is_last) return r.torn = true, r;
      throw JournalCorrupt(name, base_offset + off, "truncated record header");
    }
    const char* h = data.data() + off;
    const uint32_t len = load<uint32_t>(h);
    if (len > size - off - kHeaderBytes) {
      if (is_last && !valid_record_after(data, off + kHeaderBytes, want + 1))
        return r.torn = true, r;
      throw JournalCorrupt(name, base_offset + off,
                           is_last ? "record length runs past valid records" : "truncated record");
    }
    const size_t end = off + kHeaderBytes + len;
    std::string_view payload = data.substr(off + kHeaderBytes, len);
    if (record_crc(h, payload) != load<uint32_t>(h + kCrcOffset)) {
      // Torn only if nothing valid hides in the span its length claims: a
      // damaged length can reach exactly to EOF over later records.
      if (is_last && all_zero(data.substr(end)) && !valid_record_after(data, off + kHeaderBytes, want + 1))
        return r.torn = true, r;
      throw JournalCorrupt(name, base_offset + off, "crc mismatch");
    }
    const uint64_t seq = load<uint64_t>(h + 6);
    if (seq != want) {
      throw JournalCorrupt(name, base_offset + off,
                           "seq gap: expected " + std::to_string(want) + ", found " +
                               std::to_string(seq));
    }
    if (seq > deliver_after && fn) fn(JournalRecord{seq, load<uint16_t>(h + 4), payload});
    r.last_seq = seq;
    r.last_start = off;
    off = end;
    r.valid_bytes = off;
  }
  return r;
}

DirScan scan_dir(Disk& disk, const std::filesystem::path& dir, uint64_t deliver_after, bool skip_old,
                 const std::function<void(const JournalRecord&)>& fn) {
  DirScan d;
  std::vector<File> files = list(disk, dir);
  for (size_t i = 0; i < files.size(); ++i) {
    const File& f = files[i];
    const bool is_last = i + 1 == files.size();
    if (skip_old && !is_last && files[i + 1].first_seq <= deliver_after + 1) continue;
    if (f.first_seq == 0) throw JournalCorrupt(f.name, 0, "segment first seq is 0");
    if (d.any && f.first_seq != d.last_seq + 1) {
      throw JournalCorrupt(f.name, 0,
                           "seq gap: expected segment starting at " +
                               std::to_string(d.last_seq + 1));
    }
    const std::string data = disk.read_all(f.path);
    ScanResult r = scan(data, f.name, f.first_seq, is_last, deliver_after, fn);
    // Only a crash between creating a segment and writing it leaves an empty
    // file, and then it is the last one.
    if (!is_last && r.valid_bytes == 0) throw JournalCorrupt(f.name, 0, "empty segment");
    d.any = true;
    d.last_seq = r.last_seq;
    d.tail = f;
    d.tail_scan = r;
  }
  return d;
}

std::string read_all(const std::filesystem::path& path) {
  return read_from_offset(path, 0, nullptr);
}

std::string read_from_offset(const std::filesystem::path& path, uint64_t offset, FileInfo* info) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw std::system_error(e, std::generic_category(), "fstat " + path.string());
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (info) {
    *info = FileInfo{size, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  }
  std::string buf(size > offset ? static_cast<size_t>(size - offset) : 0, '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw std::system_error(e, std::generic_category(), "read " + path.string());
    }
    if (n == 0) break;  // shrank under us; use what is there
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  return buf;
}

}  // namespace inplay::segment
