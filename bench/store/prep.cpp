// convo_bench_store_prep IN.json SENDER BATCH OUTDIR — turns one JSON array of events (as
// convo_bench_gen writes it) into the inputs of bench/store/run.sh, byte for byte the same events:
//   OUTDIR/load.ndjson     one line per event, {"sender_id": SENDER, <event keys...>}, for
//                          `convo tracker load`;
//   OUTDIR/push.ndjson     one line per event, the event alone, for `convo events push`;
//   OUTDIR/batches/NNNNNN.ndjson
//                          the same lines in files of BATCH events (the last may be shorter),
//                          numbered from 000000 so that a sorted glob is their order.
// Prints the number of events, batches and bytes of push.ndjson. Not timed: this is set-up.
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "convo/core/json.hpp"

namespace {

using convo::Json;

bool make_dir(const std::string& path) {
  return ::mkdir(path.c_str(), 0777) == 0 || errno == EEXIST;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.flush();
  if (!out) std::cerr << "convo_bench_store_prep: cannot write " << path << "\n";
  return static_cast<bool>(out);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: convo_bench_store_prep IN.json SENDER BATCH OUTDIR\n";
    return 2;
  }
  const std::string in_path = argv[1];
  const std::string sender = argv[2];
  char* end = nullptr;
  unsigned long long batch = std::strtoull(argv[3], &end, 10);
  if (!end || *end != '\0' || batch == 0) {
    std::cerr << "convo_bench_store_prep: BATCH must be a positive integer\n";
    return 2;
  }
  const std::string out_dir = argv[4];

  std::ifstream in(in_path, std::ios::binary);
  if (!in) {
    std::cerr << "convo_bench_store_prep: cannot read " << in_path << "\n";
    return 1;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json events;
  try {
    events = Json::parse(text);
  } catch (const std::exception& e) {
    std::cerr << "convo_bench_store_prep: " << in_path << ": " << e.what() << "\n";
    return 1;
  }
  if (!events.is_array() || events.empty()) {
    std::cerr << "convo_bench_store_prep: " << in_path << ": expected a non-empty JSON array\n";
    return 1;
  }
  text.clear();
  text.shrink_to_fit();

  const std::string batch_dir = out_dir + "/batches";
  if (!make_dir(out_dir) || !make_dir(batch_dir)) {
    std::cerr << "convo_bench_store_prep: cannot create " << batch_dir << ": " << std::strerror(errno)
              << "\n";
    return 1;
  }

  const std::string prefix = "{\"sender_id\":" + Json(sender).dump() + ",";
  std::string load, push, chunk;
  std::size_t batches = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Json& e = events[i];
    if (!e.is_object() || e.empty()) {
      std::cerr << "convo_bench_store_prep: item " << i << " is not a non-empty object\n";
      return 1;
    }
    std::string line = e.dump();  // the generator's own text: Json::dump of the same value
    load += prefix;
    load.append(line, 1, std::string::npos);
    load += '\n';
    line += '\n';
    push += line;
    chunk += line;
    if ((i + 1) % batch == 0 || i + 1 == events.size()) {
      char name[32];
      std::snprintf(name, sizeof name, "/%06zu.ndjson", batches++);
      if (!write_file(batch_dir + name, chunk)) return 1;
      chunk.clear();
    }
  }
  if (!write_file(out_dir + "/load.ndjson", load) || !write_file(out_dir + "/push.ndjson", push))
    return 1;
  std::printf("%zu events, %zu batches of up to %llu, %zu bytes of NDJSON\n", events.size(), batches,
              batch, push.size());
  return 0;
}
