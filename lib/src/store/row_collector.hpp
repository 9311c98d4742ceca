// A conversation's rows gathered as a SQL store reads them (SQLite and PostgreSQL alike): each
// row's data restyled to compact, or with LoadOptions::decode decoded in the same pass; a row that
// cannot be read becomes a warning naming its id.
//
// SQLite hands over its rows one step at a time (read()): for a long conversation the steps go on
// on a helper thread, which copies each row's text into a chunk, while the caller's thread
// restyles and decodes the chunks in order. Results, warnings and item numbers are those of one
// pass; the decode context and the allocator are used from the caller's thread only: convo
// advises the main heap for huge pages (sys::prefer_huge_pages), but glibc gives a second thread
// an arena of its own, faulted in 4 KB at a time, and decoding there was slower, not faster.
// The first kInlineRows rows are read inline, so a short conversation never starts a thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convo/core/event_list.hpp"
#include "convo/core/json_restyle.hpp"
#include "convo/store/tracker_store.hpp"
#include "convo/sys/handoff.hpp"

namespace convo {

class RowCollector {
 public:
  static constexpr std::size_t kInlineRows = 2048;  // rows done on the caller's thread first
  static constexpr std::size_t kChunkRows = 1024;   // rows per chunk handed to the helper

  RowCollector(std::string sender_id, const LoadOptions& options);
  RowCollector(const RowCollector&) = delete;
  RowCollector& operator=(const RowCollector&) = delete;

  // One row (from read()'s `next`, or from a store that has all rows at hand already).
  void add(std::int64_t row_id, std::string_view data) { add_row(data, {}, row_id); }
  void add(std::string_view row_id, std::string_view data) { add_row(data, row_id, 0); }
  // Calls `next` until it returns false; each call add()s one row (or none, at the end). After
  // kInlineRows rows the calls go on on a helper thread (see above), so `next` and what it uses
  // (a statement) must not be touched by the caller's thread meanwhile; an exception it throws
  // comes out of read().
  void read(const std::function<bool()>& next);
  bool empty() const { return rows_ == 0; }  // no row read
  StoredConversation finish();

 private:
  // Rows' texts back to back; an id is a number, or a text (PostgreSQL's) kept in `ids`.
  struct Chunk {
    std::string bytes;
    std::vector<std::size_t> ends;  // end of each row's text in `bytes`
    std::vector<std::int64_t> numbers;
    std::vector<std::string> ids;   // text ids, when the store has them
    void clear() {
      bytes.clear();
      ends.clear();
      numbers.clear();
      ids.clear();
    }
  };

  void add_row(std::string_view data, std::string_view text_id, std::int64_t id);
  // One row, restyled (and decoded), always on the caller's thread.
  void take(std::string_view data, std::string_view text_id, std::int64_t id);

  StoredConversation conv_;
  std::optional<EventListParser> parser_;
  JsonOutline outline_;
  std::size_t rows_ = 0;

  // The two-stage part (see above).
  // While read() runs the helper: add() fills chunks for it (on the helper's thread).
  sys::Handoff<Chunk>* handoff_ = nullptr;
  std::unique_ptr<Chunk> filling_;
};

}  // namespace convo
