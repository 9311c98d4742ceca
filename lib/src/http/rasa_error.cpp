#include "convo/http/rasa_error.hpp"

namespace convo {

Json rasa_error_json(const HttpError& error) {
  Json body = Json::object();
  body["version"] = kRasaVersion;
  body["status"] = "failure";
  body["message"] = error.message;
  body["reason"] = error.reason;
  body["details"] = error.details;
  body["help"] = error.help;
  body["code"] = error.code;
  return body;
}

HttpError http_error_for(const Error& error, const std::string& reason) {
  switch (error.kind) {
    case ErrorKind::Usage:
      return {400, "BadRequest", error.message, {{"parameter", ""}, {"in", "body"}}, nullptr};
    case ErrorKind::NotFound:
      return {404, "NotFound", error.message, Json::object(), nullptr};
    case ErrorKind::Auth:
      return {401, "NotAuthenticated", error.message, Json::object(), nullptr};
    case ErrorKind::Runtime:
    case ErrorKind::Upstream:
      break;
  }
  return {500, reason, error.message, Json::object(), nullptr};
}

}  // namespace convo
