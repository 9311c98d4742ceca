// Test helpers for SQLite files: a temporary directory, and SQL run on a file with no convo code.
#pragma once

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../temp_dir.hpp"

namespace convo::test {

// Runs SQL on the file directly, returning rows as "a|b|c" (NULL for nulls).
inline std::vector<std::string> sql(const std::filesystem::path& db, const std::string& text) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  std::vector<std::string> rows;
  char* err = nullptr;
  int rc = sqlite3_exec(
      h, text.c_str(),
      [](void* out, int n, char** values, char**) {
        std::string row;
        for (int i = 0; i < n; ++i) row += (i ? "|" : "") + std::string(values[i] ? values[i] : "NULL");
        static_cast<std::vector<std::string>*>(out)->push_back(row);
        return 0;
      },
      &rows, &err);
  INFO((err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(h);
  REQUIRE(rc == SQLITE_OK);
  return rows;
}

}  // namespace convo::test
