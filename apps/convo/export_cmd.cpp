// convo export (being written).
#include "cli.hpp"

namespace convo::cli {

void setup_export(CLI::App& app, int& /*exit_code*/) {
  app.add_subcommand("export", "Publish stored events to the configured event broker (rasa export)");
}

}  // namespace convo::cli
