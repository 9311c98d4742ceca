// libcurl, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libcurl's header; calls stay as they are.
#pragma once

#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
// curl.h wraps these two in same-call macros to count their arguments; the forwarders replace them.
#undef curl_easy_setopt
#undef curl_easy_getinfo

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_CURL_FUNCTIONS(X, arg) \
  X(arg, curl_easy_cleanup) \
  X(arg, curl_easy_getinfo) \
  X(arg, curl_easy_init) \
  X(arg, curl_easy_perform) \
  X(arg, curl_easy_setopt) \
  X(arg, curl_easy_strerror) \
  X(arg, curl_global_init) \
  X(arg, curl_slist_append) \
  X(arg, curl_slist_free_all)

CONVO_DL_LIBRARY(CurlApi, curl_api, "libcurl.so.4", "libcurl4", CONVO_CURL_FUNCTIONS)

}  // namespace convo
