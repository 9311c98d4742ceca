// The SQLite ingest sink (brokers spec §12): broker messages become Rasa `events` rows exactly
// once, with convo's side tables for digests, Kafka offsets and dead letters.
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "convo/store/ingest.hpp"
#include "convo/sys/crypto_api.hpp"
#include "dead_letter.hpp"
#include "sqlite_store.hpp"

namespace convo {
namespace {

constexpr const char* kSideTables =
    "CREATE TABLE IF NOT EXISTS convo_ingest (\n"
    "  digest BLOB PRIMARY KEY,\n"
    "  event_id INTEGER,\n"
    "  source TEXT,\n"
    "  topic TEXT,\n"
    "  partition INTEGER,\n"
    "  \"offset\" INTEGER,\n"
    "  export_id TEXT,\n"
    "  received_at FLOAT\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS convo_meta (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS convo_kafka_offsets (\n"
    "  topic TEXT NOT NULL,\n"
    "  partition INTEGER NOT NULL,\n"
    "  next_offset INTEGER NOT NULL,\n"
    "  PRIMARY KEY (topic, partition)\n"
    ");\n"
    "CREATE TABLE IF NOT EXISTS convo_dead_letters (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  received_at FLOAT,\n"
    "  source TEXT,\n"
    "  topic TEXT,\n"
    "  partition INTEGER,\n"
    "  \"offset\" INTEGER,\n"
    "  reason TEXT NOT NULL,\n"
    "  body BLOB\n"
    ");\n"
    // WAL makes NORMAL durable against application crashes; only a power loss may undo the
    // last commits, and then the broker redelivers them (offsets roll back with the rows).
    "PRAGMA synchronous=NORMAL;\n"
    // A consumer follows a stream for days: its page cache is bounded at 32 MB so that memory
    // stays flat (the digest index's random inserts then read from the OS's page cache), and
    // fewer, larger checkpoints keep the write-back sequential.
    "PRAGMA cache_size=-32768;\n"
    "PRAGMA wal_autocheckpoint=16384;\n";

constexpr std::size_t kDigestSize = 16;
using Digest = std::array<unsigned char, kDigestSize>;

// How convo_ingest.digest is made, recorded in convo_meta once per database (a database keeps the
// form it started with, so that a redelivered event is recognised whichever convo stored it):
//   time-sha256: the event's timestamp in microseconds (8 bytes, big-endian; 0 when it has none),
//                then the first 8 bytes of the SHA-256 below. Events arrive about in time order,
//                so new digests go near the end of the index instead of anywhere in it: a batch
//                rewrites a few index pages instead of one page per event;
//   sha256:      the first 16 bytes of SHA-256 over sender_id, a NUL and the event's JSON as
//                stored (the form of convo 0.1's first databases).
constexpr const char* kDigestKey = "ingest_digest";
constexpr const char* kTimeDigest = "time-sha256";
constexpr const char* kHashDigest = "sha256";

// The digest of one event (see above); false when OpenSSL fails.
bool event_digest(EVP_MD_CTX* md, bool time_first, const std::string& sender_id, const EventRow& row, Digest& out) {
  unsigned char full[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  const char nul = '\0';
  if (EVP_DigestInit_ex(md, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(md, sender_id.data(), sender_id.size()) != 1 || EVP_DigestUpdate(md, &nul, 1) != 1 ||
      EVP_DigestUpdate(md, row.data.data(), row.data.size()) != 1 || EVP_DigestFinal_ex(md, full, &size) != 1 ||
      size < kDigestSize)
    return false;
  if (!time_first) {
    std::copy(full, full + kDigestSize, out.begin());
    return true;
  }
  const double t = row.timestamp.is_number() ? row.timestamp.get<double>() : 0.0;
  const std::uint64_t micros = t > 0 && t < 1.8e13 ? static_cast<std::uint64_t>(t * 1e6) : 0;  // to year 570,000
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(micros >> (56 - 8 * i));
  std::copy(full, full + 8, out.begin() + 8);
  return true;
}

bool is_kafka(const InboundMessage& m) { return m.partition >= 0 && m.offset >= 0; }

// Binds a message's source coordinates at `first`, `first+1`, `first+2`: topic, partition, offset
// (NULL when the message has none, as AMQP messages).
void bind_origin(Statement& st, int first, const InboundMessage& m) {
  st.bind_text(first - 1, m.source);
  if (m.topic.empty()) st.bind_null(first);
  else st.bind_text(first, m.topic);
  if (is_kafka(m)) {
    st.bind_int64(first + 1, m.partition);
    st.bind_int64(first + 2, m.offset);
  } else {
    st.bind_null(first + 1);
    st.bind_null(first + 2);
  }
}

class SqliteIngest final : public IngestSink {
 public:
  SqliteIngest(sqlite3* db, std::string path, std::unique_ptr<DeadLetterFile> dead_letters, bool created)
      : db_(db), path_(std::move(path)), dead_letters_(std::move(dead_letters)),
        ctx_(system_parse_context()), md_(EVP_MD_CTX_new()), created_(created) {}
  std::string created_file() const override { return created_ ? path_ : ""; }
  ~SqliteIngest() override {
    EVP_MD_CTX_free(md_);
    sqlite3_close_v2(db_);  // closes once the member statements are finalized, just after
  }
  SqliteIngest(const SqliteIngest&) = delete;
  SqliteIngest& operator=(const SqliteIngest&) = delete;

  std::optional<Error> prepare() {
    if (!md_) return runtime_error("cannot set up SHA-256 (OpenSSL)");
    char* err = nullptr;
    if (sqlite3_exec(db_, kSideTables, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      return runtime_error(path_ + ": cannot prepare the database: " + msg);
    }
    const std::pair<Statement*, const char*> statements[] = {
        {&begin_, "BEGIN IMMEDIATE"},
        {&commit_, "COMMIT"},
        {&rollback_, "ROLLBACK"},
        {&find_, "SELECT 1 FROM convo_ingest WHERE digest = ?1"},
        {&insert_event_, kInsertEventSql},
        {&insert_ingest_,
         "INSERT INTO convo_ingest (digest, event_id, source, topic, partition, \"offset\", export_id, received_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
        {&insert_dead_,
         "INSERT INTO convo_dead_letters (received_at, source, topic, partition, \"offset\", reason, body) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&upsert_offset_,
         "INSERT INTO convo_kafka_offsets (topic, partition, next_offset) VALUES (?1, ?2, ?3) "
         "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset)"},
        {&read_offset_, "SELECT next_offset FROM convo_kafka_offsets WHERE topic = ?1 AND partition = ?2"},
    };
    for (const auto& [st, sql] : statements)
      if (!st->prepare(db_, sql)) return failure("cannot prepare a statement");
    return choose_digest();
  }

  std::string describe() const override { return "sqlite:///" + path_; }

  Result<IngestCounts> write(const std::vector<InboundMessage>& batch) override {
    if (!run(begin_)) return failure("cannot start a transaction");
    IngestCounts counts;
    std::vector<std::string> dead;
    if (auto err = store(batch, counts, dead)) {
      run(rollback_);
      return *err;
    }
    if (!run(commit_)) {
      Error e = failure("commit failed");
      run(rollback_);
      return e;
    }
    // Only lines of a committed batch reach the file: a rolled-back batch comes again.
    if (dead_letters_ && !dead.empty())
      if (auto err = dead_letters_->append(dead)) return *err;
    return counts;
  }

  Result<std::optional<std::int64_t>> stored_offset(const std::string& topic, std::int32_t partition) override {
    read_offset_.bind_text(1, topic);
    read_offset_.bind_int64(2, partition);
    int rc = read_offset_.step();
    std::optional<std::int64_t> out;
    if (rc == SQLITE_ROW) out = read_offset_.int64(0);
    read_offset_.reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failure("cannot read the stored offset");
    return out;
  }

 private:
  // Steps a statement without results and resets it; false on failure.
  static bool run(Statement& st) {
    int rc = st.step();
    st.reset();
    return rc == SQLITE_DONE;
  }

  // The body of write(), inside the transaction.
  std::optional<Error> store(const std::vector<InboundMessage>& batch, IngestCounts& counts,
                             std::vector<std::string>& dead) {
    std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets;
    double now = wall_clock_now();
    for (const auto& message : batch) {
      if (is_kafka(message)) {
        auto& next = next_offsets[{message.topic, message.partition}];
        next = std::max(next, message.offset + 1);
      }
      ClassifiedMessage c = classify_message(message.body, decoder_);
      if (!c.ok) {
        ++counts.malformed;
        if (dead_letters_) {
          dead.push_back(dead_letter_line(message, c.reason, now));
          continue;
        }
        insert_dead_.bind_double(1, now);
        bind_origin(insert_dead_, 3, message);
        insert_dead_.bind_text(6, c.reason);
        insert_dead_.bind_blob(7, message.body.data(), message.body.size());
        if (!run(insert_dead_)) return failure("cannot store a dead letter");
        continue;
      }
      EventRow row = c.python_event.empty() ? event_row(*c.event) : event_row(*c.event, std::move(c.python_event));
      Digest digest;
      if (!event_digest(md_, time_digest_, c.sender_id, row, digest)) return runtime_error("SHA-256 failed (OpenSSL)");
      find_.bind_blob(1, digest.data(), digest.size());
      int found = find_.step();
      find_.reset();
      if (found == SQLITE_ROW) {
        ++counts.duplicates;
        continue;
      }
      if (found != SQLITE_DONE) return failure("cannot look up an event digest");
      bind_event_row(insert_event_, c.sender_id, row);
      if (!run(insert_event_)) return failure("cannot insert an event");
      insert_ingest_.bind_blob(1, digest.data(), digest.size());
      insert_ingest_.bind_int64(2, sqlite3_last_insert_rowid(db_));
      bind_origin(insert_ingest_, 4, message);
      std::string export_id = export_id_of(message);
      if (export_id.empty()) insert_ingest_.bind_null(7);
      else insert_ingest_.bind_text(7, export_id);
      insert_ingest_.bind_double(8, now);
      if (!run(insert_ingest_)) return failure("cannot record an ingested event");
      ++counts.stored;
    }
    for (const auto& [where, next] : next_offsets) {
      upsert_offset_.bind_text(1, where.first);
      upsert_offset_.bind_int64(2, where.second);
      upsert_offset_.bind_int64(3, next);
      if (!run(upsert_offset_)) return failure("cannot store the Kafka offsets");
    }
    return std::nullopt;
  }

  Error failure(const std::string& what) const { return sqlite_failure(db_, path_, what); }

  // The digest form of this database (see kDigestKey): recorded, or time-sha256 for a database
  // with no ingested event yet and sha256 for one filled before the form was recorded.
  std::optional<Error> choose_digest() {
    Statement read;
    if (!read.prepare(db_, "SELECT value FROM convo_meta WHERE key = ?1")) return failure("cannot read convo_meta");
    read.bind_text(1, kDigestKey);
    std::string form;
    if (read.step() == SQLITE_ROW) form = std::string(read.text_view(0));
    if (form.empty()) {
      Statement any;
      if (!any.prepare(db_, "SELECT 1 FROM convo_ingest LIMIT 1")) return failure("cannot read convo_ingest");
      form = any.step() == SQLITE_ROW ? kHashDigest : kTimeDigest;
      Statement record;
      if (!record.prepare(db_, "INSERT OR IGNORE INTO convo_meta (key, value) VALUES (?1, ?2)"))
        return failure("cannot write convo_meta");
      record.bind_text(1, kDigestKey);
      record.bind_text(2, form);
      if (record.step() != SQLITE_DONE) return failure("cannot record the digest form");
    }
    if (form != kTimeDigest && form != kHashDigest)
      return runtime_error(path_ + ": convo_meta names an unknown digest form '" + form +
                           "' (written by a newer convo?)");
    time_digest_ = form == kTimeDigest;
    return std::nullopt;
  }

  sqlite3* db_;
  std::string path_;
  std::unique_ptr<DeadLetterFile> dead_letters_;
  ParseContext ctx_;
  EventDecoder decoder_{ctx_};  // after ctx_, which it refers to
  EVP_MD_CTX* md_;
  Statement begin_, commit_, rollback_, find_, insert_event_, insert_ingest_, insert_dead_, upsert_offset_,
      read_offset_;
  bool created_ = false;  // the database file did not exist when the sink opened it
  bool time_digest_ = true;  // the digest form (see kDigestKey)
};

}  // namespace

Result<std::unique_ptr<IngestSink>> open_sqlite_ingest(const std::string& url, const IngestOptions& options) {
  auto path = sqlite_path_of(url);
  if (!path) return usage_error("consumers store into SQLite only (sqlite:///path.db or a file path), not '" + url + "'");
  std::unique_ptr<DeadLetterFile> dead_letters;
  if (!options.dead_letter_file.empty()) {
    auto opened = DeadLetterFile::open(options.dead_letter_file);
    if (!opened) return opened.error();
    dead_letters = std::move(*opened);
  }
  struct stat existing {};
  const bool created = ::stat(path->c_str(), &existing) != 0;
  auto db = open_sqlite_database(*path, StoreAccess::ReadWrite);
  if (!db) return db.error();
  auto sink = std::make_unique<SqliteIngest>(*db, *path, std::move(dead_letters), created);
  if (auto err = sink->prepare()) return *err;
  return std::unique_ptr<IngestSink>(std::move(sink));
}

}  // namespace convo
