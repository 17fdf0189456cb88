// Audit log (contract in telemetry/audit.h).
#include "telemetry/audit.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/json.h"
#include "core/time_format.h"
#include "telemetry/log.h"

namespace inplay {

namespace {

constexpr std::string_view kMacKey = ",\"mac\":\"";
// The last field of a record before the chain was keyed.
constexpr std::string_view kUnkeyedHashKey = ",\"hash\":\"";
constexpr size_t kHexLen = 64;
// `,"mac":"<64 hex>"}`
constexpr size_t kSuffixLen = kMacKey.size() + kHexLen + 2;

bool is_reserved(std::string_view k) {
  return k == "seq" || k == "at" || k == "action" || k == "journal_seq" || k == "key" || k == "prev" ||
         k == "mac";
}

bool is_lower_hex(std::string_view s, size_t len = kHexLen) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A record of the unkeyed format: `...,"hash":"<64 hex>"}`.
bool is_unkeyed_record(std::string_view line) {
  const size_t n = kUnkeyedHashKey.size() + kHexLen + 2;
  return line.size() > n && line.substr(line.size() - n, kUnkeyedHashKey.size()) == kUnkeyedHashKey &&
         line.substr(line.size() - 2) == "\"}";
}

std::string errno_text(const char* what, const std::filesystem::path& p) {
  return fmt::format("audit {} {}: {}", what, p.string(), std::strerror(errno));
}

}  // namespace

const std::string kAuditGenesis(kHexLen, '0');

AuditEntry& AuditEntry::add(std::string key, int64_t v) {
  fields.push_back(AuditField{std::move(key), v});
  return *this;
}

AuditEntry& AuditEntry::add(std::string key, std::string v) {
  fields.push_back(AuditField{std::move(key), std::move(v)});
  return *this;
}

std::variant<AuditLine, std::string> parse_audit_line(std::string_view line, const AuditKey& key) {
  if (line.size() < kSuffixLen + 2 || line.front() != '{' || line.back() != '}')
    return std::string("malformed: not a JSON object line");
  std::string_view suffix = line.substr(line.size() - kSuffixLen);
  if (suffix.substr(0, kMacKey.size()) != kMacKey || suffix.substr(suffix.size() - 2) != "\"}" ||
      !is_lower_hex(suffix.substr(kMacKey.size(), kHexLen))) {
    if (is_unkeyed_record(line))
      return std::string("unkeyed record (written before the chain was keyed with audit.chain_secret)");
    return std::string("malformed: \"mac\" is not the last field with 64 lowercase hex digits");
  }

  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return std::string("malformed: invalid JSON");
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return std::string("malformed: not an object");

  AuditLine out;
  uint64_t u = 0;
  std::string_view s;
  if (obj["seq"].get_uint64().get(u) != simdjson::SUCCESS || u == 0)
    return std::string("malformed: missing or bad \"seq\"");
  out.seq = u;
  if (obj["at"].get_string().get(s) != simdjson::SUCCESS) return std::string("malformed: missing \"at\"");
  if (obj["action"].get_string().get(s) != simdjson::SUCCESS || s.empty())
    return std::string("malformed: missing \"action\"");
  auto js = obj["journal_seq"];
  if (js.error() == simdjson::SUCCESS) {
    if (js.get_uint64().get(u) != simdjson::SUCCESS) return std::string("malformed: bad \"journal_seq\"");
    out.journal_seq = u;
  }
  if (obj["key"].get_string().get(s) != simdjson::SUCCESS || !is_lower_hex(s, 16))
    return std::string("malformed: missing or bad \"key\"");
  out.key_id = std::string(s);
  if (obj["prev"].get_string().get(s) != simdjson::SUCCESS || !is_lower_hex(s))
    return std::string("malformed: missing or bad \"prev\"");
  out.prev = std::string(s);
  out.mac = std::string(suffix.substr(kMacKey.size(), kHexLen));

  if (out.key_id != key.id())
    return fmt::format("key {} is not the configured key {} (the wrong audit.chain_secret?)", out.key_id,
                       key.id());
  std::string canonical(line.substr(0, line.size() - kSuffixLen));
  canonical.push_back('}');
  if (key.mac_hex(out.prev + canonical) != out.mac) return std::string("mac mismatch");
  return out;
}

AuditWriter::AuditWriter(std::filesystem::path file, AuditKey key) : file_(std::move(file)), key_(std::move(key)) {
  if (file_.has_parent_path()) std::filesystem::create_directories(file_.parent_path());
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw AuditError(errno_text("open", file_));
  try {
    read_tail();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
  seq_ = synced_.seq;
  journal_seq_ = synced_.journal_seq;
  prev_ = synced_.prev;
}

AuditWriter::~AuditWriter() {
  if (fd_ >= 0) ::close(fd_);
}

// Finds the last line without reading the whole file: chunks from the end,
// growing until a line start is found.
void AuditWriter::read_tail() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw AuditError(errno_text("stat", file_));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  synced_ = State{0, 0, kAuditGenesis, 0};
  if (size == 0) return;

  std::string buf;
  uint64_t chunk = 64 * 1024;
  for (;;) {
    uint64_t n = std::min(chunk, size);
    buf.resize(n);
    ssize_t got = ::pread(fd_, buf.data(), n, static_cast<off_t>(size - n));
    if (got != static_cast<ssize_t>(n)) throw AuditError(errno_text("read", file_));
    // A complete tail needs the '\n' ending the line before the last line,
    // unless the chunk reaches the start of the file.
    size_t body_end = buf.back() == '\n' ? n - 1 : n;
    size_t nl = body_end == 0 ? std::string::npos : buf.rfind('\n', body_end - 1);
    if (nl != std::string::npos || n == size) break;
    chunk *= 2;
  }
  const uint64_t base = size - buf.size();

  if (buf.back() != '\n') {
    // Torn tail: a batch cut short by a crash. Cut it off; the projection
    // rebuilds those records from the journal.
    size_t nl = buf.rfind('\n');
    uint64_t keep = nl == std::string::npos ? base : base + nl + 1;
    if (nl == std::string::npos && base > 0)
      throw AuditError(fmt::format("audit {}: cannot find the end of the last line", file_.string()));
    if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0) throw AuditError(errno_text("truncate", file_));
    log::warn("audit", "torn audit tail truncated",
              {{"file", file_.string()}, {"from_bytes", size}, {"to_bytes", keep}});
    read_tail();  // the file now ends with a whole line, or is empty
    return;
  }
  std::string_view body(buf.data(), buf.size() - 1);
  size_t nl = body.rfind('\n');
  std::string_view last = nl == std::string_view::npos ? body : body.substr(nl + 1);
  auto parsed = parse_audit_line(last, key_);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    if (is_unkeyed_record(last) && set_aside_unkeyed(last)) return read_tail();
    throw AuditError(fmt::format("audit {}: last record is bad ({}); run `inplay audit verify`",
                                 file_.string(), *why));
  }
  const AuditLine& l = std::get<AuditLine>(parsed);
  synced_ = State{l.seq, l.journal_seq, l.mac, size};
}

// An upgrade: the file holds the unkeyed chain of an older version. It is
// kept, whole, beside the new file (its records are regulatory records too)
// and the keyed file is rebuilt from the journal.
bool AuditWriter::set_aside_unkeyed(std::string_view last_line) {
  if (!is_unkeyed_record(last_line)) return false;
  std::filesystem::path aside = file_.string() + ".unkeyed";
  for (int n = 2; std::filesystem::exists(aside); ++n) aside = file_.string() + ".unkeyed." + std::to_string(n);
  std::error_code ec;
  std::filesystem::rename(file_, aside, ec);
  if (ec) throw AuditError(fmt::format("audit {}: cannot move the unkeyed file aside: {}", file_.string(), ec.message()));
  ::close(fd_);
  fd_ = ::open(file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw AuditError(errno_text("open", file_));
  log::warn("audit", "unkeyed audit file moved aside; the keyed file is rebuilt from the journal",
            {{"file", file_.string()}, {"moved_to", aside.string()}});
  return true;
}

uint64_t AuditWriter::append(const AuditEntry& e) {
  JsonWriter w;
  w.begin_object();
  w.field("seq", seq_ + 1);
  w.field("at", rfc3339_ms(e.at_ns));
  w.field("action", std::string_view(e.action));
  if (e.journal_seq > 0) w.field("journal_seq", e.journal_seq);
  for (const AuditField& f : e.fields) {
    if (is_reserved(f.key)) throw std::invalid_argument("audit: reserved field key " + f.key);
    w.key(f.key);
    if (auto* i = std::get_if<int64_t>(&f.value)) w.value(*i);
    else w.value(std::string_view(std::get<std::string>(f.value)));
  }
  w.field("key", std::string_view(key_.id()));
  w.field("prev", std::string_view(prev_));
  w.end_object();
  std::string line = w.take();
  std::string mac = key_.mac_hex(prev_ + line);
  line.pop_back();  // '}'
  line += kMacKey;
  line += mac;
  line += "\"}";

  prev_ = std::move(mac);
  ++seq_;
  if (e.journal_seq > 0) journal_seq_ = e.journal_seq;
  pending_ += line;
  pending_.push_back('\n');
  return seq_;
}

void AuditWriter::flush() {
  if (pending_.empty()) return;
  size_t off = 0;
  int err = 0;
  while (off < pending_.size()) {
    ssize_t n = ::write(fd_, pending_.data() + off, pending_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    off += static_cast<size_t>(n);
  }
  if (err == 0 && ::fdatasync(fd_) != 0) err = errno;
  if (err != 0) {
    // Forget the batch so that the chain on disk stays whole.
    pending_.clear();
    seq_ = synced_.seq;
    journal_seq_ = synced_.journal_seq;
    prev_ = synced_.prev;
    (void)::ftruncate(fd_, static_cast<off_t>(synced_.size));
    errno = err;
    throw AuditError(errno_text("write", file_));
  }
  synced_ = State{seq_, journal_seq_, prev_, synced_.size + pending_.size()};
  pending_.clear();
}

AuditVerifyResult verify_audit_file(const std::filesystem::path& file, const AuditKey& key,
                                    const AuditLineCheck& check) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw AuditError(fmt::format("audit: cannot open {}", file.string()));
  AuditVerifyResult r;
  std::string line;
  uint64_t lineno = 0;
  auto fail = [&](std::string why) {
    r.ok = false;
    r.line = lineno;
    r.reason = std::move(why);
    return r;
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (in.eof()) return fail("malformed: torn last line (no newline at the end)");
    auto parsed = parse_audit_line(line, key);
    if (auto* why = std::get_if<std::string>(&parsed)) return fail(*why);
    const AuditLine& l = std::get<AuditLine>(parsed);
    if (l.prev != r.head)
      return fail(lineno == 1 ? std::string("broken chain: prev of the first record is not all zeros")
                              : fmt::format("broken chain: prev does not match line {}", lineno - 1));
    if (l.seq != lineno) return fail(fmt::format("seq {} where {} was expected", l.seq, lineno));
    if (check) {
      std::string why = check(lineno, l);
      if (!why.empty()) return fail(std::move(why));
    }
    r.head = l.mac;
    r.last_journal_seq = l.journal_seq;
    ++r.records;
  }
  if (in.bad()) throw AuditError(fmt::format("audit: cannot read {}", file.string()));
  return r;
}

}  // namespace inplay
