#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace convo::test {
namespace fs = std::filesystem;

namespace {

// The newest /usr/lib/postgresql/<version>/bin holding both initdb and pg_ctl (Debian's layout;
// those tools are not on PATH there).
std::string find_bin_dir() {
  std::error_code ec;
  std::vector<std::pair<int, std::string>> found;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    fs::path bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl") || !fs::exists(bin / "psql")) continue;
    found.emplace_back(std::atoi(entry.path().filename().c_str()), bin.string());
  }
  if (found.empty()) return "";
  return std::max_element(found.begin(), found.end())->second;
}

std::string find_runuser() {
  for (const char* p : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
    if (access(p, X_OK) == 0) return p;
  return "";
}

int exit_code(int status) { return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

PostgresServer& PostgresServer::shared() {
  static PostgresServer server;  // destroyed at exit, which stops the server
  return server;
}

int PostgresServer::free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // the kernel picks an unused port
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  if (fd >= 0) ::close(fd);
  return port;
}

PostgresServer::PostgresServer() {
  bin_dir_ = find_bin_dir();
  if (bin_dir_.empty()) {
    skip_reason_ = "PostgreSQL server binaries (initdb, pg_ctl, psql) not found under "
                   "/usr/lib/postgresql/*/bin; install the postgresql package";
    return;
  }
  if (geteuid() == 0) {
    // initdb and postgres refuse to run as root.
    as_postgres_user_ = true;
    if (!getpwnam("postgres")) {
      skip_reason_ = "running as root and there is no `postgres` user to run the server as";
      return;
    }
    if (find_runuser().empty()) {
      skip_reason_ = "running as root and runuser (util-linux) is missing";
      return;
    }
  }
  std::string tmpl = (fs::temp_directory_path() / "convo-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    startup_error_ = "cannot create a temporary directory";
    return;
  }
  dir_ = tmpl;
  if (as_postgres_user_) {
    const passwd* pw = getpwnam("postgres");
    if (chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      startup_error_ = "cannot hand " + dir_ + " to user postgres";
      return;
    }
  }
  start();
}

bool PostgresServer::start() {
  // --no-sync and fsync=off: a test server's durability does not matter, its speed does.
  if (run("'" + bin_dir_ + "/initdb' -D '" + dir_ + "/data' -U postgres --auth=trust -E UTF8 "
          "--no-locale --no-sync", true) != 0) {
    startup_error_ = "initdb failed: " + log_tail();
    return false;
  }
  // Another process may grab the free port before the server binds it: retry a few times.
  for (int attempt = 0; attempt < 3 && !started_; ++attempt) {
    port_ = free_port();
    std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
    started_ = run("'" + bin_dir_ + "/pg_ctl' -D '" + dir_ + "/data' -l '" + dir_ +
                   "/server.log' -w -t 30 -o \"" + options + "\" start", true) == 0;
  }
  if (!started_) startup_error_ = "pg_ctl start failed: " + log_tail();
  return started_;
}

PostgresServer::~PostgresServer() {
  if (started_) run("'" + bin_dir_ + "/pg_ctl' -D '" + dir_ + "/data' -m immediate -w stop", true);
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

int PostgresServer::run(const std::string& command, bool as_server_user) {
  // cd first: the server user may not be allowed into our working directory (e.g. /root).
  std::string full = "cd '" + dir_ + "' && ";
  if (as_server_user && as_postgres_user_) full += find_runuser() + " -u postgres -- ";
  full += command + " >>'" + dir_ + "/tools.log' 2>&1";
  return exit_code(std::system(full.c_str()));
}

std::string PostgresServer::log_tail() const {
  std::string text;
  for (const char* name : {"/tools.log", "/server.log"}) {
    std::ifstream in(dir_ + name);
    std::stringstream ss;
    ss << in.rdbuf();
    text += ss.str();
  }
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::create_database() {
  std::string name;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    name = "convo_test_" + std::to_string(++next_db_);
  }
  auto result = query(url("postgres"), "CREATE DATABASE " + name + ";");
  if (!result.ok) return "";
  return url(name);
}

PostgresServer::QueryResult PostgresServer::query(const std::string& db_url, const std::string& sql) {
  std::string script;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    script = dir_ + "/query" + std::to_string(++next_script_) + ".sql";
  }
  std::ofstream(script) << sql;
  // -X: no ~/.psqlrc; -A -t: bare rows; ON_ERROR_STOP: a failing statement fails psql.
  std::string command = "'" + bin_dir_ + "/psql' -X -q -A -t -F '|' -v ON_ERROR_STOP=1 -d '" + db_url +
                        "' -f '" + script + "' 2>'" + script + ".err'";
  QueryResult result;
  FILE* out = popen(command.c_str(), "r");
  if (!out) return result;
  std::string text;
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, out)) > 0;) text.append(buf, n);
  result.ok = exit_code(pclose(out)) == 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) result.rows.push_back(line);
  std::ifstream err(script + ".err");
  std::stringstream ss;
  ss << err.rdbuf();
  result.error = ss.str();
  return result;
}

}  // namespace convo::test
