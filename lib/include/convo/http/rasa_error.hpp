// Rasa's error JSON (spec http-api.md §1.3): {version, status: "failure", message, reason, details,
// help, code}. The one place the HTTP layer turns failures into bodies.
#pragma once

#include <string>

#include "convo/core/error.hpp"
#include "convo/core/json.hpp"
#include "convo/core/rasa_version.hpp"

namespace convo {

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

// The server edge's one error mapping, from a library error to Rasa's status and body: Usage
// 400 BadRequest (the request body is at fault), NotFound 404, Auth 401, Runtime and Upstream
// 500 with `reason` (Rasa's ConversationError for conversation routes, LoadingError for models).
HttpError http_error_for(const Error& error, const std::string& reason = "ConversationError");

}  // namespace convo
