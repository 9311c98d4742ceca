// `convo serve` in the convo binary: the options are checked here (usage errors as every command's),
// then the process becomes convo-serve, found beside this binary, with the same arguments. Only
// convo-serve links the server's libraries (cpp-httplib, OpenSSL, spdlog's sinks), so every other
// command starts without mapping them.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "serve_options.hpp"

namespace convo::cli {

int run_serve(const ServeOptions&) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::cerr << "convo: error: cannot find this program's path to start convo-serve: " << ec.message() << "\n";
    return kRuntime;
  }
  const std::string server = (self.parent_path() / "convo-serve").string();
  // The arguments as this process received them, NUL-separated.
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (std::size_t start = 0; start < all.size();) {
    const std::size_t end = all.find('\0', start);
    args.push_back(all.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  if (args.empty()) args.push_back("convo");
  args[0] = server;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execv(server.c_str(), argv.data());
  std::cerr << "convo: error: cannot start " << server << " (convo serve runs there): " << std::strerror(errno) << "\n";
  return kRuntime;
}

}  // namespace convo::cli
