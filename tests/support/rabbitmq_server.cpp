#include "rabbitmq_server.hpp"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace convo::test {
namespace fs = std::filesystem;

namespace {

const std::string kScript = std::string(CONVO_SOURCE_DIR) + "/tests/support/rabbitmq.sh";

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string run_command(const std::string& command, int* code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    if (code) *code = -1;
    return out;
  }
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  int status = pclose(pipe);
  if (code) *code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

RabbitmqServer& RabbitmqServer::shared() {
  static RabbitmqServer server;  // destroyed at exit, which stops the node
  return server;
}

RabbitmqServer::RabbitmqServer() {
  std::string tmpl = (fs::temp_directory_path() / "convo-rabbitmq-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    error_ = "cannot create a temporary directory";
    return;
  }
  dir_ = tmpl;
  auto started = std::chrono::steady_clock::now();
  std::string output;
  running_ = script("start", output);
  start_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  port_ = running_ ? std::atoi(output.c_str()) : 0;
  if (!running_ || port_ <= 0) error_ = "rabbitmq.sh start failed: " + output;
  std::ifstream ports(dir_ + "/ports");
  for (std::string line; std::getline(ports, line);)
    if (line.rfind("TLS_PORT=", 0) == 0) tls_port_ = std::atoi(line.c_str() + 9);
}

RabbitmqServer::~RabbitmqServer() {
  if (running_) stop();
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

bool RabbitmqServer::script(const std::string& command, std::string& output) {
  int code = 0;
  output = run_command(shell_quote(kScript) + " " + command + " " + shell_quote(dir_) + " 2>&1", &code);
  return code == 0;
}

std::string RabbitmqServer::url() const { return "amqp://guest:guest@127.0.0.1:" + std::to_string(port_) + "/"; }

bool RabbitmqServer::stop() {
  std::string output;
  bool ok = script("stop", output);
  running_ = false;
  return ok;
}

bool RabbitmqServer::restart() {
  std::string output;
  running_ = script("restart", output);
  if (!running_) error_ = "rabbitmq.sh restart failed: " + output;
  return running_;
}

std::vector<std::string> RabbitmqServer::ctl(const std::vector<std::string>& args, bool* ok) {
  std::string command = shell_quote(kScript) + " ctl " + shell_quote(dir_);
  for (const auto& a : args) command += " " + shell_quote(a);
  int code = 0;
  std::istringstream text(run_command(command + " 2>/dev/null", &code));
  if (ok) *ok = code == 0;
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  return lines;
}

}  // namespace convo::test
