// endpoints.yml with ${VAR} substitution: any bytes, a fixed environment (one variable set, the
// rest unset), then the tracker_store section as a store URL.
#include "convo/config/endpoints.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Environment env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOST") return std::string("localhost");
    if (name == "EMPTY") return std::string();
    return std::nullopt;
  };
  auto config = load_endpoints_yaml(fuzz::as_text(data, size), "endpoints.yml", env);
  if (!config) return 0;
  (void)store_settings_from_config(*config);
  return 0;
}
