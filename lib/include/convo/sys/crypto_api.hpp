// OpenSSL's libcrypto, loaded on first use (convo/sys/dl.hpp): the SHA-256 digests convo computes
// (model fingerprints, the consumers' event digests), as forwarders in namespace convo. Include
// this instead of <openssl/evp.h>; calls stay as they are.
#pragma once

#include <openssl/evp.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_CRYPTO_FUNCTIONS(X) \
  X(EVP_Digest)                   \
  X(EVP_sha256)                   \
  X(EVP_MD_CTX_new)               \
  X(EVP_MD_CTX_free)              \
  X(EVP_DigestInit_ex)            \
  X(EVP_DigestUpdate)             \
  X(EVP_DigestFinal_ex)

struct CryptoApi {
  CONVO_CRYPTO_FUNCTIONS(CONVO_DL_MEMBER)
};

inline const CryptoApi& crypto_api() {
  static const CryptoApi table = [] {
    static const sys::SharedLibrary lib("libcrypto.so.3", "libssl3");
    CryptoApi t;
    CONVO_CRYPTO_FUNCTIONS(CONVO_DL_LOAD)
    return t;
  }();
  return table;
}

CONVO_DL_FORWARD(crypto_api, EVP_Digest);
CONVO_DL_FORWARD(crypto_api, EVP_sha256);
CONVO_DL_FORWARD(crypto_api, EVP_MD_CTX_new);
CONVO_DL_FORWARD(crypto_api, EVP_MD_CTX_free);
CONVO_DL_FORWARD(crypto_api, EVP_DigestInit_ex);
CONVO_DL_FORWARD(crypto_api, EVP_DigestUpdate);
CONVO_DL_FORWARD(crypto_api, EVP_DigestFinal_ex);

}  // namespace convo
