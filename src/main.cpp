// inplay: the command line entry point; see src/app/cli.h.
#include "app/cli.h"

int main(int argc, char** argv) { return inplay::run_cli(argc, argv); }
