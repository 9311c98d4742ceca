// libjwt, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libjwt's header; calls stay as they are.
#pragma once

#include <jwt.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_JWT_FUNCTIONS(X, arg) \
  X(arg, jwt_add_grant_int) \
  X(arg, jwt_add_grants_json) \
  X(arg, jwt_decode) \
  X(arg, jwt_encode_str) \
  X(arg, jwt_free) \
  X(arg, jwt_get_alg) \
  X(arg, jwt_get_grants_json) \
  X(arg, jwt_new) \
  X(arg, jwt_set_alg) \
  X(arg, jwt_str_alg)

CONVO_DL_LIBRARY(JwtApi, jwt_api, "libjwt.so.0", "libjwt0", CONVO_JWT_FUNCTIONS)

}  // namespace convo
