// Rasa's error JSON (spec http-api.md §1.3): {version, status: "failure", message, reason, details,
// help, code}. The one place the HTTP layer turns failures into bodies.
#pragma once

#include <string>

#include "convo/core/json.hpp"

namespace convo {

constexpr const char* kRasaVersion = "2.8.12";  // what clients see as the server's Rasa version
constexpr const char* kMinimumCompatibleVersion = "2.8.9";
constexpr const char* kDocsSecurityUrl = "https://rasa.com/docs/rasa/user-guide/configuring-http-api/#security-considerations";
constexpr const char* kDocsHttpApiUrl = "https://rasa.com/docs/rasa/api/http-api";

struct HttpError {
  int code = 500;
  std::string reason = "ConversationError";
  std::string message;
  Json details = Json::object();
  Json help = nullptr;
};

Json rasa_error_json(const HttpError& error);

}  // namespace convo
