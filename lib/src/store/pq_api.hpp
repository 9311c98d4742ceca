// libpq, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libpq's header; calls stay as they are.
#pragma once

#include <libpq-fe.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_PQ_FUNCTIONS(X) \
  X(PQconnectdbParams) \
  X(PQconnectionNeedsPassword) \
  X(PQconninfoFree) \
  X(PQconninfoParse) \
  X(PQerrorMessage) \
  X(PQexecParams) \
  X(PQexecPrepared) \
  X(PQfinish) \
  X(PQfreemem) \
  X(PQgetisnull) \
  X(PQgetlength) \
  X(PQgetvalue) \
  X(PQhost) \
  X(PQntuples) \
  X(PQport) \
  X(PQprepare) \
  X(PQresultStatus) \
  X(PQsetNoticeProcessor) \
  X(PQstatus) \
  X(PQclear)

struct PqApi {
  CONVO_PQ_FUNCTIONS(CONVO_DL_MEMBER)
};

inline const PqApi& pq_api() {
  static const PqApi table = [] {
    static const sys::SharedLibrary lib("libpq.so.5", "libpq5");
    PqApi t;
    CONVO_PQ_FUNCTIONS(CONVO_DL_LOAD)
    return t;
  }();
  return table;
}

CONVO_DL_FORWARD(pq_api, PQconnectdbParams);
CONVO_DL_FORWARD(pq_api, PQconnectionNeedsPassword);
CONVO_DL_FORWARD(pq_api, PQconninfoFree);
CONVO_DL_FORWARD(pq_api, PQconninfoParse);
CONVO_DL_FORWARD(pq_api, PQerrorMessage);
CONVO_DL_FORWARD(pq_api, PQexecParams);
CONVO_DL_FORWARD(pq_api, PQexecPrepared);
CONVO_DL_FORWARD(pq_api, PQfinish);
CONVO_DL_FORWARD(pq_api, PQfreemem);
CONVO_DL_FORWARD(pq_api, PQgetisnull);
CONVO_DL_FORWARD(pq_api, PQgetlength);
CONVO_DL_FORWARD(pq_api, PQgetvalue);
CONVO_DL_FORWARD(pq_api, PQhost);
CONVO_DL_FORWARD(pq_api, PQntuples);
CONVO_DL_FORWARD(pq_api, PQport);
CONVO_DL_FORWARD(pq_api, PQprepare);
CONVO_DL_FORWARD(pq_api, PQresultStatus);
CONVO_DL_FORWARD(pq_api, PQsetNoticeProcessor);
CONVO_DL_FORWARD(pq_api, PQstatus);
CONVO_DL_FORWARD(pq_api, PQclear);

}  // namespace convo
