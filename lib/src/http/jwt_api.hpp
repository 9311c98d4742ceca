// libjwt, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libjwt's header; calls stay as they are.
#pragma once

#include <jwt.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_JWT_FUNCTIONS(X) \
  X(jwt_add_grant_int) \
  X(jwt_add_grants_json) \
  X(jwt_decode) \
  X(jwt_encode_str) \
  X(jwt_free) \
  X(jwt_get_alg) \
  X(jwt_get_grants_json) \
  X(jwt_new) \
  X(jwt_set_alg) \
  X(jwt_str_alg)

struct JwtApi {
  CONVO_JWT_FUNCTIONS(CONVO_DL_MEMBER)
};

inline const JwtApi& jwt_api() {
  static const JwtApi table = [] {
    static const sys::SharedLibrary lib("libjwt.so.0", "libjwt0");
    JwtApi t;
    CONVO_JWT_FUNCTIONS(CONVO_DL_LOAD)
    return t;
  }();
  return table;
}

CONVO_DL_FORWARD(jwt_api, jwt_add_grant_int);
CONVO_DL_FORWARD(jwt_api, jwt_add_grants_json);
CONVO_DL_FORWARD(jwt_api, jwt_decode);
CONVO_DL_FORWARD(jwt_api, jwt_encode_str);
CONVO_DL_FORWARD(jwt_api, jwt_free);
CONVO_DL_FORWARD(jwt_api, jwt_get_alg);
CONVO_DL_FORWARD(jwt_api, jwt_get_grants_json);
CONVO_DL_FORWARD(jwt_api, jwt_new);
CONVO_DL_FORWARD(jwt_api, jwt_set_alg);
CONVO_DL_FORWARD(jwt_api, jwt_str_alg);

}  // namespace convo
