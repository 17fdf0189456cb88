#include "app/cli.h"

namespace inplay {
int run_cli(int, char**) { return 0; }
}
