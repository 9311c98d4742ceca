// libarchive, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libarchive's header; calls stay as they are.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_ARCHIVE_FUNCTIONS(X, arg) \
  X(arg, archive_entry_filetype) \
  X(arg, archive_entry_hardlink) \
  X(arg, archive_entry_new) \
  X(arg, archive_entry_free) \
  X(arg, archive_entry_pathname) \
  X(arg, archive_entry_set_filetype) \
  X(arg, archive_entry_set_mtime) \
  X(arg, archive_entry_set_pathname) \
  X(arg, archive_entry_set_perm) \
  X(arg, archive_entry_set_size) \
  X(arg, archive_entry_size) \
  X(arg, archive_entry_size_is_set) \
  X(arg, archive_error_string) \
  X(arg, archive_filter_code) \
  X(arg, archive_read_data) \
  X(arg, archive_read_free) \
  X(arg, archive_read_new) \
  X(arg, archive_read_next_header) \
  X(arg, archive_read_open_filename) \
  X(arg, archive_read_open_memory) \
  X(arg, archive_read_support_filter_gzip) \
  X(arg, archive_read_support_format_tar) \
  X(arg, archive_write_add_filter_gzip) \
  X(arg, archive_write_close) \
  X(arg, archive_write_data) \
  X(arg, archive_write_free) \
  X(arg, archive_write_header) \
  X(arg, archive_write_new) \
  X(arg, archive_write_open_filename) \
  X(arg, archive_write_set_format_pax_restricted)

CONVO_DL_TABLE(ArchiveApi, CONVO_ARCHIVE_FUNCTIONS)

// Loaded while an ArchiveUse (convo/model/archive.hpp) is alive: a server maps libarchive, and the
// XML and ICU libraries it brings, only while it reads or writes a model.
inline sys::LoadedWhileUsed<ArchiveApi>& archive_library() {
  static sys::LoadedWhileUsed<ArchiveApi> loaded("libarchive.so.13", "libarchive13",
                                                 [](const sys::SharedLibrary& lib, ArchiveApi& t) {
                                                   CONVO_ARCHIVE_FUNCTIONS(CONVO_DL_LOAD, _)
                                                 });
  return loaded;
}

inline const ArchiveApi& archive_api() { return archive_library().table(); }

CONVO_DL_FORWARDERS(archive_api, CONVO_ARCHIVE_FUNCTIONS)

}  // namespace convo
