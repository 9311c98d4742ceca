// domain.yml: any bytes as a domain; a domain that loads must give Rasa's dict and load again from it.
#include "convo/core/domain.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto domain = domain_from_yaml(fuzz::as_text(data, size), "domain.yml");
  if (!domain) return 0;
  Json dict = domain_as_dict(*domain);
  auto again = domain_from_json(dict, "dict");
  fuzz::require(again.ok(), "a domain's own dict loads");
  return 0;
}
