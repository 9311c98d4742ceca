// Training, parsing and the byte format of convo's NLU model.
#include "convo/nlu/nlu_model.hpp"

#include <algorithm>
#include <cstring>
#include <map>

namespace convo::nlu {
namespace {

constexpr const char* kMagic = "CONVO-NLU 1\n";
constexpr std::size_t kRanking = 10;  // Rasa's intent_ranking length

template <typename T>
void put(std::string& out, T value) {
  unsigned char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(reinterpret_cast<const char*>(bytes), sizeof(T));  // little-endian hosts only (x86-64, arm64)
}

template <typename T>
bool take(const std::string& in, std::size_t& pos, T& value) {
  if (in.size() - pos < sizeof(T)) return false;
  std::memcpy(&value, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return true;
}

// Rasa's DIETClassifier gives each intent an "id": Python's hash() of its name, which changes with
// every process (PYTHONHASHSEED). Here it is a 64-bit FNV-1a hash of the name: the same in every
// run, a signed integer as Python's.
std::int64_t intent_id(const std::string& name) { return static_cast<std::int64_t>(fnv1a64(name)); }

Json intent_json(const std::string& name, double confidence) {
  return {{"id", intent_id(name)}, {"name", name}, {"confidence", confidence}};
}

}  // namespace

Result<FallbackSettings> fallback_settings(const Json& config) {
  FallbackSettings s;
  if (!config.is_object() || !config.contains("pipeline") || !config["pipeline"].is_array()) return s;
  for (const auto& step : config["pipeline"]) {
    if (!step.is_object() || step.value("name", Json()) != "FallbackClassifier") continue;
    s.enabled = true;
    for (const char* key : {"threshold", "ambiguity_threshold"}) {
      if (!step.contains(key)) continue;
      if (!step[key].is_number())
        return runtime_error(std::string("config.yml: FallbackClassifier's ") + key + " must be a number");
      (std::string(key) == "threshold" ? s.threshold : s.ambiguity_threshold) = step[key].get<double>();
    }
  }
  return s;
}

Result<NluModel> NluModel::train(const TrainingData& data, const FallbackSettings& fallback, std::vector<std::string>& warnings) {
  if (data.examples.empty()) return runtime_error("there are no NLU examples to train on");
  NluModel m;
  m.fallback_ = fallback;
  m.examples_ = data.examples.size();
  std::map<std::string, int> index;
  for (const auto& ex : data.examples) index.emplace(ex.intent, 0);
  for (auto& [name, i] : index) {
    i = static_cast<int>(m.intents_.size());
    m.intents_.push_back(name);
  }
  std::vector<std::string> texts;
  std::vector<int> labels;
  for (const auto& ex : data.examples) {
    texts.push_back(ex.text);
    labels.push_back(index[ex.intent]);
  }
  m.featurizer_ = Featurizer::fit(texts);
  std::vector<SparseVector> x;
  x.reserve(texts.size());
  for (const auto& t : texts) x.push_back(m.featurizer_.transform(t));
  m.linear_ = train_logistic(x, labels, m.featurizer_.size(), m.intents_.size());
  m.entities_ = EntityExtractor::train(data, warnings);
  return m;
}

std::vector<std::pair<std::size_t, double>> NluModel::rank(const std::string& text) const {
  std::vector<double> p;
  if (intents_.size() == 1) p = {1.0};
  else linear_.probabilities(featurizer_.transform(text), p);
  std::vector<std::pair<std::size_t, double>> ranked;
  for (std::size_t i = 0; i < p.size(); ++i) ranked.emplace_back(i, p[i]);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return ranked;
}

Json NluModel::parse(const std::string& text) const {
  if (text.empty())
    return {{"intent", {{"name", nullptr}, {"confidence", 0.0}}}, {"entities", Json::array()}, {"text", ""}};
  const auto ranked = rank(text);
  Json ranking = Json::array();
  for (std::size_t i = 0; i < ranked.size() && i < kRanking; ++i)
    ranking.push_back(intent_json(intents_[ranked[i].first], ranked[i].second));
  Json intent = ranking.empty() ? Json{{"name", nullptr}, {"confidence", 0.0}} : ranking[0];
  // FallbackClassifier.process: below the threshold, or the top two closer than the ambiguity
  // threshold, the intent is nlu_fallback at the threshold's confidence, put first in the ranking.
  if (fallback_.enabled && !ranked.empty()) {
    const bool low = ranked[0].second < fallback_.threshold;
    const bool ambiguous = ranked.size() >= 2 && ranked[0].second - ranked[1].second < fallback_.ambiguity_threshold;
    if (low || ambiguous) {
      intent = {{"name", "nlu_fallback"}, {"confidence", fallback_.threshold}};  // FallbackClassifier's: no id
      ranking.insert(ranking.begin(), intent);
    }
  }
  return {{"text", text}, {"intent", intent}, {"entities", entities_.extract(text)}, {"intent_ranking", ranking}};
}

Json NluModel::summary() const {
  const Json e = entities_.to_json();
  return {{"intents", intents_},
          {"examples", examples_},
          {"features", featurizer_.size()},
          {"regexes", e["regexes"].size()},
          {"lookup_tables", e["lookups"].size()},
          {"annotated_values", e["annotated"].size()},
          {"synonyms", e["synonyms"].size()},
          {"fallback", fallback_.enabled ? Json{{"threshold", fallback_.threshold}, {"ambiguity_threshold", fallback_.ambiguity_threshold}}
                                         : Json()}};
}

std::string NluModel::to_bytes() const {
  Json header = {{"format", 1},
                 {"intents", intents_},
                 {"examples", examples_},
                 {"fallback", {{"enabled", fallback_.enabled}, {"threshold", fallback_.threshold},
                               {"ambiguity_threshold", fallback_.ambiguity_threshold}}},
                 {"entities", entities_.to_json()}};
  std::string out = kMagic;
  const std::string text = header.dump();
  put<std::uint64_t>(out, text.size());
  out += text;
  put<std::uint64_t>(out, featurizer_.size());
  put<std::uint64_t>(out, linear_.classes);
  for (auto k : featurizer_.keys()) put(out, k);
  for (auto v : featurizer_.idf()) put(out, v);
  for (auto v : linear_.weights) put(out, v);
  for (auto v : linear_.bias) put(out, v);
  return out;
}

Result<NluModel> NluModel::from_bytes(const std::string& bytes) {
  auto damaged = [](const std::string& why) { return runtime_error("the NLU model is damaged: " + why); };
  const std::string magic = kMagic;
  if (bytes.compare(0, magic.size(), magic) != 0) return damaged("not a convo NLU model (format 1)");
  std::size_t pos = magic.size();
  std::uint64_t length = 0, features = 0, classes = 0;
  if (!take(bytes, pos, length) || bytes.size() - pos < length) return damaged("truncated header");
  auto parsed = parse_json_text(std::string_view(bytes).substr(pos, length));
  pos += length;
  const Json* header = std::get_if<Json>(&parsed);
  if (!header || !header->is_object()) return damaged("the header is not JSON");
  NluModel m;
  try {
    m.intents_ = header->at("intents").get<std::vector<std::string>>();
    m.examples_ = header->at("examples").get<std::size_t>();
    const Json& f = header->at("fallback");
    m.fallback_ = {f.at("enabled").get<bool>(), f.at("threshold").get<double>(), f.at("ambiguity_threshold").get<double>()};
  } catch (const std::exception& e) {
    return damaged(e.what());
  }
  auto entities = EntityExtractor::from_json(header->value("entities", Json::object()));
  if (!entities) return entities.error();
  m.entities_ = std::move(*entities);
  if (!take(bytes, pos, features) || !take(bytes, pos, classes)) return damaged("truncated sizes");
  if (classes != m.intents_.size()) return damaged("the weights do not match the intents");
  const std::uint64_t need = features * 8 + features * 4 + features * classes * 4 + classes * 4;
  if (features > (1ULL << 32) || classes > (1ULL << 20) || bytes.size() - pos != need) return damaged("wrong size");
  std::vector<std::uint64_t> keys(features);
  std::vector<float> idf(features);
  for (auto& k : keys) take(bytes, pos, k);
  for (auto& v : idf) take(bytes, pos, v);
  m.featurizer_ = Featurizer(std::move(keys), std::move(idf));
  m.linear_.features = features;
  m.linear_.classes = classes;
  m.linear_.weights.resize(features * classes);
  m.linear_.bias.resize(classes);
  std::memcpy(m.linear_.weights.data(), bytes.data() + pos, features * classes * 4);
  pos += features * classes * 4;
  std::memcpy(m.linear_.bias.data(), bytes.data() + pos, classes * 4);
  return m;
}

}  // namespace convo::nlu
