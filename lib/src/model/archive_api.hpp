// libarchive, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libarchive's header; calls stay as they are.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_ARCHIVE_FUNCTIONS(X) \
  X(archive_entry_filetype) \
  X(archive_entry_hardlink) \
  X(archive_entry_new) \
  X(archive_entry_free) \
  X(archive_entry_pathname) \
  X(archive_entry_set_filetype) \
  X(archive_entry_set_mtime) \
  X(archive_entry_set_pathname) \
  X(archive_entry_set_perm) \
  X(archive_entry_set_size) \
  X(archive_entry_size) \
  X(archive_entry_size_is_set) \
  X(archive_error_string) \
  X(archive_filter_code) \
  X(archive_read_data) \
  X(archive_read_free) \
  X(archive_read_new) \
  X(archive_read_next_header) \
  X(archive_read_open_filename) \
  X(archive_read_open_memory) \
  X(archive_read_support_filter_gzip) \
  X(archive_read_support_format_tar) \
  X(archive_write_add_filter_gzip) \
  X(archive_write_close) \
  X(archive_write_data) \
  X(archive_write_free) \
  X(archive_write_header) \
  X(archive_write_new) \
  X(archive_write_open_filename) \
  X(archive_write_set_format_pax_restricted)

struct ArchiveApi {
  CONVO_ARCHIVE_FUNCTIONS(CONVO_DL_MEMBER)
};

// Loaded while an ArchiveUse (convo/model/archive.hpp) is alive: a server maps libarchive, and the
// XML and ICU libraries it brings, only while it reads or writes a model.
inline sys::LoadedWhileUsed<ArchiveApi>& archive_library() {
  static sys::LoadedWhileUsed<ArchiveApi> loaded("libarchive.so.13", "libarchive13",
                                                 [](const sys::SharedLibrary& lib, ArchiveApi& t) {
                                                   CONVO_ARCHIVE_FUNCTIONS(CONVO_DL_LOAD)
                                                 });
  return loaded;
}

inline const ArchiveApi& archive_api() { return archive_library().table(); }

CONVO_DL_FORWARD(archive_api, archive_entry_filetype);
CONVO_DL_FORWARD(archive_api, archive_entry_hardlink);
CONVO_DL_FORWARD(archive_api, archive_entry_new);
CONVO_DL_FORWARD(archive_api, archive_entry_free);
CONVO_DL_FORWARD(archive_api, archive_entry_pathname);
CONVO_DL_FORWARD(archive_api, archive_entry_set_filetype);
CONVO_DL_FORWARD(archive_api, archive_entry_set_mtime);
CONVO_DL_FORWARD(archive_api, archive_entry_set_pathname);
CONVO_DL_FORWARD(archive_api, archive_entry_set_perm);
CONVO_DL_FORWARD(archive_api, archive_entry_set_size);
CONVO_DL_FORWARD(archive_api, archive_entry_size);
CONVO_DL_FORWARD(archive_api, archive_entry_size_is_set);
CONVO_DL_FORWARD(archive_api, archive_error_string);
CONVO_DL_FORWARD(archive_api, archive_filter_code);
CONVO_DL_FORWARD(archive_api, archive_read_data);
CONVO_DL_FORWARD(archive_api, archive_read_free);
CONVO_DL_FORWARD(archive_api, archive_read_new);
CONVO_DL_FORWARD(archive_api, archive_read_next_header);
CONVO_DL_FORWARD(archive_api, archive_read_open_filename);
CONVO_DL_FORWARD(archive_api, archive_read_open_memory);
CONVO_DL_FORWARD(archive_api, archive_read_support_filter_gzip);
CONVO_DL_FORWARD(archive_api, archive_read_support_format_tar);
CONVO_DL_FORWARD(archive_api, archive_write_add_filter_gzip);
CONVO_DL_FORWARD(archive_api, archive_write_close);
CONVO_DL_FORWARD(archive_api, archive_write_data);
CONVO_DL_FORWARD(archive_api, archive_write_free);
CONVO_DL_FORWARD(archive_api, archive_write_header);
CONVO_DL_FORWARD(archive_api, archive_write_new);
CONVO_DL_FORWARD(archive_api, archive_write_open_filename);
CONVO_DL_FORWARD(archive_api, archive_write_set_format_pax_restricted);

}  // namespace convo
