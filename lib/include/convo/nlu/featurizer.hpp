// Texts as sparse TF-IDF vectors over word uni- and bigrams and character n-grams (2 to 5, within
// word boundaries, as scikit-learn's char_wb). Features are 64-bit hashes of the n-grams; the
// vocabulary is what the training texts contain, so unseen n-grams cost nothing at parse time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace convo::nlu {

// 64-bit FNV-1a of the bytes (continuing from `h`): feature keys and intent ids.
std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 1469598103934665603ULL);

using SparseVector = std::vector<std::pair<std::uint32_t, float>>;  // (feature, value), by feature

// Lower-cased word tokens (letters, digits, '_' and non-ASCII bytes), as byte ranges of `text`.
std::vector<std::string_view> word_tokens(std::string_view text, std::string& lowered);

// The hashed n-gram keys of a text, one per occurrence; word keys have the top bit set.
void feature_keys(std::string_view text, std::vector<std::uint64_t>& out);

class Featurizer {
 public:
  Featurizer() = default;
  // The vocabulary (in order of first appearance) and smoothed idf, as scikit-learn's
  // TfidfVectorizer(sublinear_tf=True): idf = ln((1 + n) / (1 + df)) + 1.
  static Featurizer fit(const std::vector<std::string>& texts);
  // From serialised parts (keys in feature order, their idf).
  Featurizer(std::vector<std::uint64_t> keys, std::vector<float> idf);

  // TF-IDF, each block (words, characters) scaled to unit length, the two halves weighted equally.
  SparseVector transform(std::string_view text) const;
  std::size_t size() const { return keys_.size(); }
  const std::vector<std::uint64_t>& keys() const { return keys_; }
  const std::vector<float>& idf() const { return idf_; }

 private:
  std::vector<std::uint64_t> keys_;
  std::vector<float> idf_;
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
};

}  // namespace convo::nlu
