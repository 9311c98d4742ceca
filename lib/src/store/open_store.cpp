#include "convo/store/tracker_store.hpp"
#include "memory_store.hpp"
#include "postgres_store.hpp"
#include "sqlite_store.hpp"

#include <cstdlib>

namespace convo {

Result<std::unique_ptr<TrackerStore>> open_store(const std::string& url, StoreAccess access) {
  if (url == "memory:" || url == "memory://" || url == "sqlite:///" || url == "sqlite:///:memory:")
    return std::unique_ptr<TrackerStore>(new MemoryStore());
  if (auto path = sqlite_path_of(url)) return SqliteStore::open(*path, access);
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return PostgresStore::open(url, access);
  return usage_error("unsupported store URL '" + url +
                     "' (use sqlite:///path.db, postgresql://user:pw@host/db or memory:)");
}

std::string default_store_url() {
  const char* env = std::getenv("CONVO_STORE");
  return env && *env ? env : "sqlite:///rasa.db";
}

}  // namespace convo
