// The server edge's one error mapping: a library error to Rasa's status and error body.
#include <catch2/catch.hpp>

#include "convo/http/rasa_error.hpp"

using namespace convo;

TEST_CASE("http_error_for: each error kind to Rasa's status, reason and body", "[http]") {
  HttpError usage = http_error_for(usage_error("Couldn't extract a proper event from the request body."));
  CHECK(usage.code == 400);
  CHECK(usage.reason == "BadRequest");
  CHECK(usage.details == Json{{"parameter", ""}, {"in", "body"}});
  CHECK(http_error_for(not_found_error("x")).code == 404);
  CHECK(http_error_for(Error{ErrorKind::Auth, "x"}).code == 401);
  HttpError runtime = http_error_for(runtime_error("events[0] (user): bad"));
  CHECK(runtime.code == 500);
  CHECK(runtime.reason == "ConversationError");
  HttpError upstream = http_error_for(Error{ErrorKind::Upstream, "db down"}, "LoadingError");
  CHECK(upstream.code == 500);
  CHECK(upstream.reason == "LoadingError");

  Json body = rasa_error_json(runtime);
  CHECK(body["version"] == kRasaVersion);
  CHECK(body["status"] == "failure");
  CHECK(body["message"] == "events[0] (user): bad");
  CHECK(body["reason"] == "ConversationError");
  CHECK(body["code"] == 500);
  CHECK(body["help"].is_null());
}
