// Word and character n-gram features with TF-IDF weights.
#include "convo/nlu/featurizer.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace convo::nlu {
namespace {

constexpr std::uint64_t kWordBit = 1ULL << 63;
constexpr int kCharMin = 2, kCharMax = 5;

bool word_byte(unsigned char c) { return c >= 0x80 || std::isalnum(c) || c == '_'; }

}  // namespace

std::uint64_t fnv1a64(std::string_view s, std::uint64_t h) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

std::vector<std::string_view> word_tokens(std::string_view text, std::string& lowered) {
  lowered.assign(text);
  for (auto& c : lowered)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  std::vector<std::string_view> words;
  std::string_view all(lowered);
  for (std::size_t i = 0; i < all.size();) {
    if (!word_byte(static_cast<unsigned char>(all[i]))) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < all.size() && word_byte(static_cast<unsigned char>(all[j]))) ++j;
    words.push_back(all.substr(i, j - i));
    i = j;
  }
  return words;
}

void feature_keys(std::string_view text, std::vector<std::uint64_t>& out) {
  std::string lowered;
  const auto words = word_tokens(text, lowered);
  std::string padded;
  for (std::size_t w = 0; w < words.size(); ++w) {
    const std::uint64_t unigram = fnv1a64(words[w]);
    out.push_back(unigram | kWordBit);
    if (w + 1 < words.size()) out.push_back((fnv1a64(words[w + 1], fnv1a64(" ", unigram))) | kWordBit);
    padded.assign(" ");
    padded.append(words[w]);
    padded.push_back(' ');
    const std::string_view p(padded);
    for (int n = kCharMin; n <= kCharMax; ++n) {
      if (static_cast<std::size_t>(n) > p.size()) break;
      for (std::size_t i = 0; i + n <= p.size(); ++i) out.push_back(fnv1a64(p.substr(i, n)) & ~kWordBit);
    }
  }
}

Featurizer::Featurizer(std::vector<std::uint64_t> keys, std::vector<float> idf) : keys_(std::move(keys)), idf_(std::move(idf)) {
  index_.reserve(keys_.size());
  for (std::uint32_t i = 0; i < keys_.size(); ++i) index_.emplace(keys_[i], i);
}

Featurizer Featurizer::fit(const std::vector<std::string>& texts) {
  std::vector<std::uint64_t> keys;
  std::unordered_map<std::uint64_t, std::uint32_t> index;
  std::vector<std::uint32_t> df;
  std::vector<std::uint64_t> text_keys;
  for (const auto& t : texts) {
    text_keys.clear();
    feature_keys(t, text_keys);
    std::vector<std::uint32_t> seen;
    for (auto k : text_keys) {
      auto [it, added] = index.emplace(k, static_cast<std::uint32_t>(keys.size()));
      if (added) {
        keys.push_back(k);
        df.push_back(0);
      }
      seen.push_back(it->second);
    }
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (auto s : seen) ++df[s];
  }
  std::vector<float> idf(keys.size());
  const double n = static_cast<double>(texts.size());
  for (std::size_t i = 0; i < keys.size(); ++i) idf[i] = static_cast<float>(std::log((1 + n) / (1 + df[i])) + 1);
  return Featurizer(std::move(keys), std::move(idf));
}

SparseVector Featurizer::transform(std::string_view text) const {
  std::vector<std::uint64_t> text_keys;
  feature_keys(text, text_keys);
  std::vector<std::uint32_t> found;
  found.reserve(text_keys.size());
  for (auto k : text_keys) {
    auto it = index_.find(k);
    if (it != index_.end()) found.push_back(it->second);
  }
  std::sort(found.begin(), found.end());
  SparseVector v;
  double norm[2] = {0, 0};
  for (std::size_t i = 0; i < found.size();) {
    std::size_t j = i;
    while (j < found.size() && found[j] == found[i]) ++j;
    const float value = static_cast<float>((1 + std::log(double(j - i))) * idf_[found[i]]);
    v.emplace_back(found[i], value);
    norm[(keys_[found[i]] & kWordBit) ? 0 : 1] += double(value) * value;
    i = j;
  }
  for (auto& [f, value] : v) {
    const double n = norm[(keys_[f] & kWordBit) ? 0 : 1];
    value = static_cast<float>(value / std::sqrt(2 * n));
  }
  return v;
}

}  // namespace convo::nlu
