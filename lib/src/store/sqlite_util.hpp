// A thin RAII wrapper over a prepared SQLite statement, shared by the store and the ingest sink.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <unordered_map>

#include "convo/core/json.hpp"

namespace convo {

// A prepared statement that finalizes itself. Text and blobs are copied on bind.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, const std::string& sql) { prepare(db, sql); }
  ~Statement() { release(); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept : stmt_(other.stmt_), rc_(other.rc_), borrowed_(other.borrowed_) {
    other.stmt_ = nullptr;
  }
  // A statement of a StatementCache: reset and unbound when done, not finalized.
  static Statement borrow(sqlite3_stmt* cached, int rc) {
    Statement s;
    s.stmt_ = cached;
    s.rc_ = rc;
    s.borrowed_ = true;
    return s;
  }

  bool prepare(sqlite3* db, const std::string& sql) {
    release();
    stmt_ = nullptr;
    borrowed_ = false;
    rc_ = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr);
    return ok();
  }
  bool ok() const { return rc_ == SQLITE_OK && stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }

  void bind_text(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind_blob(int i, const void* data, std::size_t size) {
    sqlite3_bind_blob(stmt_, i, data, static_cast<int>(size), SQLITE_TRANSIENT);
  }
  // Numbers as REAL, strings as TEXT, anything else as NULL (Rasa's derived columns).
  void bind_json(int i, const Json& v) {
    if (v.is_number()) sqlite3_bind_double(stmt_, i, v.get<double>());
    else if (v.is_string()) bind_text(i, v.get<std::string>());
    else sqlite3_bind_null(stmt_, i);
  }
  void bind_double(int i, double d) { sqlite3_bind_double(stmt_, i, d); }
  void bind_int64(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind_null(int i) { sqlite3_bind_null(stmt_, i); }

  int step() { return sqlite3_step(stmt_); }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  // The column's text in SQLite's own buffer: valid until the next step or reset.
  std::string_view text_view(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  Json number(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL ? Json() : Json(sqlite3_column_double(stmt_, col));
  }

 private:
  void release() {
    if (!borrowed_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_MISUSE;
  bool borrowed_ = false;
};

// A connection's statements prepared once and kept (SQLITE_PREPARE_PERSISTENT): the statements a
// store runs on every request skip SQLite's parser. Not thread-safe (neither is the connection).
class StatementCache {
 public:
  StatementCache() = default;
  ~StatementCache() {
    for (auto& [_, stmt] : cached_) sqlite3_finalize(stmt);
  }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  Statement get(sqlite3* db, const std::string& sql) {
    auto it = cached_.find(sql);
    if (it != cached_.end()) return Statement::borrow(it->second, SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return Statement::borrow(nullptr, rc);
    }
    cached_.emplace(sql, stmt);
    return Statement::borrow(stmt, rc);
  }

 private:
  std::unordered_map<std::string, sqlite3_stmt*> cached_;
};

}  // namespace convo
