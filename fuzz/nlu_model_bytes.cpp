// A model archive's nlu_model.bin from any bytes (a pulled model is untrusted): refused or loaded,
// never a crash or an allocation the bytes merely claim.
#include "convo/nlu/nlu_model.hpp"
#include "fuzz_common.hpp"

using namespace convo;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto model = nlu::NluModel::from_bytes(std::string(fuzz::as_text(data, size)));
  if (!model) return 0;
  (void)model->parse("hello there, a table for 4 people please");
  (void)model->parse("");
  return 0;
}
