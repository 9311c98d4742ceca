// Rules and stories (data/*.yml) from any bytes, trained with the example bot's domain and
// policies, as `serve --model` and `model build` read them.
#include <fstream>
#include <sstream>

#include "convo/core/domain.hpp"
#include "convo/core/yaml_json.hpp"
#include "convo/dialogue/processor.hpp"
#include "fuzz_common.hpp"

using namespace convo;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const Domain> domain;
Json config;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::string bot = std::string(CONVO_SOURCE_DIR) + "/examples/bot/";
  auto loaded = domain_from_yaml(slurp(bot + "domain.yml"), "domain.yml");
  if (!loaded) std::abort();
  domain = std::make_shared<const Domain>(std::move(*loaded));
  SourceMap map("config.yml");
  auto parsed = yaml_to_json(slurp(bot + "config.yml"), map);
  if (!parsed) std::abort();
  config = *parsed;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::pair<std::string, std::string>> files = {{"data/fuzz.yml", std::string(fuzz::as_text(data, size))}};
  (void)dialogue::build_bot(domain, config, files);
  return 0;
}
