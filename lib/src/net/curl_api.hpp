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

#define CONVO_CURL_FUNCTIONS(X) \
  X(curl_easy_cleanup) \
  X(curl_easy_getinfo) \
  X(curl_easy_init) \
  X(curl_easy_perform) \
  X(curl_easy_setopt) \
  X(curl_easy_strerror) \
  X(curl_global_init) \
  X(curl_slist_append) \
  X(curl_slist_free_all)

struct CurlApi {
  CONVO_CURL_FUNCTIONS(CONVO_DL_MEMBER)
};

inline const CurlApi& curl_api() {
  static const CurlApi table = [] {
    static const sys::SharedLibrary lib("libcurl.so.4", "libcurl4");
    CurlApi t;
    CONVO_CURL_FUNCTIONS(CONVO_DL_LOAD)
    return t;
  }();
  return table;
}

CONVO_DL_FORWARD(curl_api, curl_easy_cleanup);
CONVO_DL_FORWARD(curl_api, curl_easy_getinfo);
CONVO_DL_FORWARD(curl_api, curl_easy_init);
CONVO_DL_FORWARD(curl_api, curl_easy_perform);
CONVO_DL_FORWARD(curl_api, curl_easy_setopt);
CONVO_DL_FORWARD(curl_api, curl_easy_strerror);
CONVO_DL_FORWARD(curl_api, curl_global_init);
CONVO_DL_FORWARD(curl_api, curl_slist_append);
CONVO_DL_FORWARD(curl_api, curl_slist_free_all);

}  // namespace convo
