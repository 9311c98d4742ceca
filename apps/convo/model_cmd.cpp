// convo model pull|build|inspect (being written).
#include "cli.hpp"

namespace convo::cli {

void setup_model(CLI::App& app, int& /*exit_code*/) {
  app.add_subcommand("model", "Pull, build and inspect model archives");
}

}  // namespace convo::cli
