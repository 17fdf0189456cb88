// libFuzzer target: the operator's YAML files — the SLO catalogue
// (slo/slo_spec.h) and the playbook file (playbook/playbook_spec.h) — on
// any text. Each either parses or throws YamlError naming the file, line
// and key (what `inplay` prints before it refuses to start); any other
// exception, a crash, a leak or UB is a finding. Built and run by
// tests/fuzz/run.sh (clang, not CMake); seeded with the shipped config/*.yaml.
#include <cstdint>
#include <string>

#include "core/yaml_reader.h"
#include "playbook/playbook_spec.h"
#include "slo/slo_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)inplay::parse_slo_catalogue(text, "fuzz.yaml");
  } catch (const inplay::YamlError&) {
  }
  try {
    (void)inplay::parse_playbook_file(text, "fuzz.yaml");
  } catch (const inplay::YamlError&) {
  }
  return 0;
}
