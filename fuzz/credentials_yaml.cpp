// credentials.yml: input channels and custom connectors from any bytes.
#include "convo/config/credentials.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Environment env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "TOKEN") return std::string("secret");
    return std::nullopt;
  };
  (void)load_credentials_yaml(fuzz::as_text(data, size), "credentials.yml", env);
  return 0;
}
