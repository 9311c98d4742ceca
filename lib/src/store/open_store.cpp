#include "convo/store/tracker_store.hpp"
#include "memory_store.hpp"
#include "postgres_store.hpp"
#include "sqlite_store.hpp"

namespace convo {

Result<std::unique_ptr<TrackerStore>> open_store(const std::string& url, StoreAccess access) {
  if (url == "memory:" || url == "memory://") return std::unique_ptr<TrackerStore>(new MemoryStore());
  const std::string sqlite_prefix = "sqlite:///";
  if (url.rfind(sqlite_prefix, 0) == 0) {
    std::string path = url.substr(sqlite_prefix.size());  // sqlite:////abs keeps its leading /
    if (path.empty() || path == ":memory:") return std::unique_ptr<TrackerStore>(new MemoryStore());
    return SqliteStore::open(path, access);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0)
    return PostgresStore::open(url, access);
  if (url.find("://") != std::string::npos || url.rfind("sqlite:", 0) == 0)
    return usage_error("unsupported store URL '" + url +
                       "' (use sqlite:///path.db, postgresql://user:pw@host/db or memory:)");
  return SqliteStore::open(url, access);  // a plain path
}

}  // namespace convo
