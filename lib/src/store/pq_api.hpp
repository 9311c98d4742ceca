// libpq, loaded on first use (convo/sys/dl.hpp): the functions convo calls, as forwarders in
// namespace convo. Include this instead of libpq's header; calls stay as they are.
#pragma once

#include <libpq-fe.h>

#include "convo/sys/dl.hpp"

namespace convo {

#define CONVO_PQ_FUNCTIONS(X, arg) \
  X(arg, PQconnectdbParams) \
  X(arg, PQconnectionNeedsPassword) \
  X(arg, PQconninfoFree) \
  X(arg, PQconninfoParse) \
  X(arg, PQerrorMessage) \
  X(arg, PQexecParams) \
  X(arg, PQexecPrepared) \
  X(arg, PQfinish) \
  X(arg, PQfreemem) \
  X(arg, PQgetisnull) \
  X(arg, PQgetlength) \
  X(arg, PQgetvalue) \
  X(arg, PQhost) \
  X(arg, PQntuples) \
  X(arg, PQport) \
  X(arg, PQprepare) \
  X(arg, PQresultStatus) \
  X(arg, PQsetNoticeProcessor) \
  X(arg, PQstatus) \
  X(arg, PQclear)

CONVO_DL_LIBRARY(PqApi, pq_api, "libpq.so.5", "libpq5", CONVO_PQ_FUNCTIONS)

}  // namespace convo
