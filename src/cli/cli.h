// The `inplay` command line: demo, serve, loadgen, ceiling, journal.
#pragma once

namespace inplay {
int run_cli(int argc, char** argv);
}
