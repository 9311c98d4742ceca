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

}  // namespace convo
