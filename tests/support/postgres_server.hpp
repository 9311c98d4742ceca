// A throwaway PostgreSQL server for tests: initdb into a temp dir, pg_ctl start on a free
// 127.0.0.1 port with trust auth, one database per test, stopped and deleted at exit.
// initdb/pg_ctl refuse to run as root, so as root they run as user `postgres` (runuser).
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace convo::test {

class PostgresServer {
 public:
  // The one server of this test binary, started on first use (starting costs ~1 s).
  static PostgresServer& shared();

  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // False when PostgreSQL is not installed here (skip_reason() says why) or failed to start
  // (startup_error() says why: that is a test failure, not a skip).
  bool available() const { return skip_reason_.empty() && startup_error_.empty(); }
  const std::string& skip_reason() const { return skip_reason_; }
  const std::string& startup_error() const { return startup_error_; }

  int port() const { return port_; }
  // Creates a fresh empty database; returns its postgresql:// URL (user postgres, no password).
  std::string create_database();
  std::string url(const std::string& database) const;

  // Runs SQL through psql against a URL; rows come back with columns joined by '|'.
  // `ok` is set to whether psql succeeded (errors land in `error`).
  struct QueryResult {
    bool ok = false;
    std::vector<std::string> rows;
    std::string error;
  };
  QueryResult query(const std::string& url, const std::string& sql);

  // A TCP port on 127.0.0.1 that nothing listens on right now.
  static int free_port();

 private:
  bool start();
  int run(const std::string& command, bool as_server_user);
  std::string log_tail() const;

  std::string bin_dir_;
  std::string dir_;  // temp dir: data/ inside, sockets and logs at the top
  std::string skip_reason_;
  std::string startup_error_;
  bool as_postgres_user_ = false;  // we are root: run server tools as `postgres`
  bool started_ = false;
  int port_ = 0;
  int next_db_ = 0;
  int next_script_ = 0;
  std::mutex mutex_;
};

}  // namespace convo::test
