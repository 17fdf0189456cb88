// libFuzzer target: a standby's report as the leader reads it back from
// Kafka's offset metadata (journal/kafka_standby_report.h), which any
// client of the cluster could have written. decode_standby_report must
// never crash, leak or hit UB; what it accepts encodes to a report that
// decodes to the same fields again. Built and run by tests/fuzz/run.sh.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "journal/kafka_standby_report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view metadata(reinterpret_cast<const char*>(data), size);
  auto r = inplay::decode_standby_report(metadata);
  if (!r) return 0;
  auto back = inplay::decode_standby_report(inplay::encode_standby_report(*r));
  if (!back || !(*back == *r)) std::abort();
  return 0;
}
