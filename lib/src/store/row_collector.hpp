// A conversation's rows gathered as a SQL store reads them (SQLite and PostgreSQL alike): each
// row's data restyled to compact, or with LoadOptions::decode decoded in the same pass; a row that
// cannot be read becomes a warning naming its id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "convo/core/event_list.hpp"
#include "convo/core/json_restyle.hpp"
#include "convo/store/tracker_store.hpp"

namespace convo {

class RowCollector {
 public:
  RowCollector(std::string sender_id, const LoadOptions& options);
  void add(std::int64_t row_id, std::string_view data) { add_row(data, nullptr, row_id); }
  void add(std::string_view row_id, std::string_view data) { add_row(data, &row_id, 0); }
  bool empty() const { return items_ == 0 && conv_.warnings.empty(); }  // nothing read, nothing warned
  StoredConversation finish();

 private:
  // The id is only written out for a row that cannot be read.
  void add_row(std::string_view data, const std::string_view* text_id, std::int64_t id);
  StoredConversation conv_;
  std::optional<EventListParser> parser_;
  std::size_t items_ = 0;
  JsonOutline outline_;
};

}  // namespace convo
