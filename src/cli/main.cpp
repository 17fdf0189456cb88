// inplay: the command line entry point; see src/cli/cli.h.
#include "cli/cli.h"

int main(int argc, char** argv) { return inplay::run_cli(argc, argv); }
