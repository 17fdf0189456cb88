// libFuzzer target: the journal's record reader and event decoder on any
// bytes. segment::scan either delivers records whose CRC and seq hold or
// throws JournalCorrupt; decode_event either gives an event or throws
// std::out_of_range / std::invalid_argument (a refused record, never a
// crash, a leak or UB); an event it gives encodes and decodes to the same
// bytes again. Built and run by tests/fuzz/run.sh (clang, not CMake).
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "journal/events.h"
#include "journal/journal.h"
#include "journal/segment.h"

namespace {

void check_record(const inplay::JournalRecord& r) {
  inplay::BookEvent e;
  try {
    e = inplay::decode_event(r.type, r.payload);
  } catch (const std::out_of_range&) {
    return;
  } catch (const std::invalid_argument&) {
    return;
  }
  std::string once, twice;
  inplay::encode_event(e, once);
  inplay::encode_event(inplay::decode_event(static_cast<uint16_t>(inplay::event_type(e)), once), twice);
  if (once != twice) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // As a segment file's bytes: every record checked, each one decoded.
  try {
    inplay::segment::scan(bytes, "fuzz", 1, /*is_last=*/true, 0, check_record);
  } catch (const inplay::JournalCorrupt&) {
  }
  // As one record's payload of each event type.
  if (size >= 2) {
    inplay::JournalRecord r;
    r.type = static_cast<uint16_t>(data[0] % 64);
    r.seq = 1;
    r.payload = bytes.substr(1);
    check_record(r);
  }
  return 0;
}
