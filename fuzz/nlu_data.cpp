// NLU training data (Rasa 2.x YAML or 1.x Markdown, annotations, synonyms, regexes, lookups) from
// any bytes; small data that reads is trained, and the model must parse and survive its own bytes.
#include "convo/nlu/nlu_model.hpp"
#include "convo/nlu/training_data.hpp"
#include "fuzz_common.hpp"

using namespace convo;

namespace {

void check(const Result<nlu::TrainingData>& read) {
  if (!read) {
    fuzz::require(!read.error().message.empty(), "an error says what is wrong");
    return;
  }
  if (read->examples.empty() || read->examples.size() > 64) return;
  std::vector<std::string> warnings;
  nlu::FallbackSettings fallback;
  fallback.enabled = true;
  auto model = nlu::NluModel::train(*read, fallback, warnings);
  if (!model) return;
  const std::string bytes = model->to_bytes();
  auto again = nlu::NluModel::from_bytes(bytes);
  fuzz::require(again.ok(), "a model loads from its own bytes");
  fuzz::require(again->to_bytes() == bytes, "a model's bytes round trip");
  for (const auto& example : read->examples) {
    Json parsed = model->parse(example.text);
    fuzz::require(parsed.contains("intent") && parsed.contains("entities"), "a parse has Rasa's shape");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::as_text(data, size);
  check(nlu::read_nlu_yaml(text, "data/nlu.yml"));
  check(nlu::read_nlu_markdown(text, "data/nlu.md"));
  return 0;
}
