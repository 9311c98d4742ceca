// OpenSSL's libcrypto, loaded on first use (convo/sys/dl.hpp): the SHA-256 digests convo computes
// (model fingerprints, the consumers' event digests), as forwarders in namespace convo. Include
// this instead of <openssl/evp.h>; calls stay as they are.
#pragma once

#include <openssl/evp.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_CRYPTO_FUNCTIONS(X, arg) \
  X(arg, EVP_Digest) \
  X(arg, EVP_sha256) \
  X(arg, EVP_MD_CTX_new) \
  X(arg, EVP_MD_CTX_free) \
  X(arg, EVP_DigestInit_ex) \
  X(arg, EVP_DigestUpdate) \
  X(arg, EVP_DigestFinal_ex)

CONVO_DL_LIBRARY(CryptoApi, crypto_api, "libcrypto.so.3", "libssl3", CONVO_CRYPTO_FUNCTIONS)

}  // namespace convo
