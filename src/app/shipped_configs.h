// The shipped config/slos.yaml and config/playbooks.yaml, built into the
// binary (CMake reads the files at configure time): the defaults of
// incidents.slo_file and incidents.playbook_file, and of `inplay rules`.
#pragma once

namespace inplay {
extern const char* const kShippedSlosYaml;
extern const char* const kShippedPlaybooksYaml;
}  // namespace inplay
