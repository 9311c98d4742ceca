// Times each parse of a model's NLU on its own (steady clock around NluModel::parse, as a channel
// calls it) and prints JSON: {"parses": N, "p50_us": .., "p99_us": .., "mean_us": ..}.
// Usage: convo_bench_nlu_parse MODEL.tar.gz TEXTS.txt [ROUNDS]   (one text a line)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "convo/model/archive.hpp"
#include "convo/nlu/nlu_model.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s MODEL.tar.gz TEXTS.txt [ROUNDS]\n", argv[0]);
    return 2;
  }
  auto archive = convo::load_model_archive(argv[1]);
  if (!archive || !archive->nlu) {
    std::fprintf(stderr, "%s: no NLU model\n", argv[1]);
    return 1;
  }
  std::vector<std::string> texts;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) texts.push_back(line);
  const int rounds = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  std::vector<double> us;
  std::size_t sink = 0;
  for (int r = 0; r < rounds; ++r)
    for (const auto& t : texts) {
      const auto t0 = std::chrono::steady_clock::now();
      const convo::Json parsed = archive->nlu->parse(t);
      const auto t1 = std::chrono::steady_clock::now();
      sink += parsed.size();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
  if (us.empty()) return 1;
  double total = 0;
  for (double v : us) total += v;
  std::sort(us.begin(), us.end());
  std::printf("{\"parses\": %zu, \"p50_us\": %.2f, \"p99_us\": %.2f, \"mean_us\": %.2f, \"fields\": %zu}\n", us.size(),
              us[us.size() / 2], us[us.size() * 99 / 100], total / double(us.size()), sink);
  return 0;
}
