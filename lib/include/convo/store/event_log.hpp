// Rasa's SQL event broker table, `events (id, sender_id, data)` with one broker body per row
// (brokers spec §6), in a SQLite file. The sql event broker writes through it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convo/core/error.hpp"

namespace convo {

class SqlEventLog {
 public:
  // Opens (creating when missing) the file and the table. A file whose `events` table is a
  // tracker store's is a Usage error (the two tables share a name and differ in shape).
  static Result<std::unique_ptr<SqlEventLog>> open(const std::string& path);
  virtual ~SqlEventLog() = default;
  // Appends (sender_id, body) rows in one transaction: all or none (Upstream on failure).
  virtual std::optional<Error> append(const std::vector<std::pair<std::string, std::string>>& rows) = 0;
};

}  // namespace convo
