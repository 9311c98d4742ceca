// Shared between the server's dispatcher (server.cpp) and its route handlers (routes_*.cpp).
#pragma once

#include <httplib.h>

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "convo/http/rasa_error.hpp"
#include "convo/http/server.hpp"

namespace convo::http_internal {

using Handler = std::function<void(const httplib::Request&, httplib::Response&, const std::smatch&)>;

struct Route {
  std::string method;
  std::regex pattern;          // matched against the whole decoded path
  bool api = true;             // only with --enable-api
  bool protected_route = true; // needs a token or JWT when auth is on
  bool has_conversation = false;  // capture group 1 is {conversation_id}
  Handler handler;
};

void reply_json(httplib::Response& res, int status, const Json& body);
void reply_text(httplib::Response& res, int status, const std::string& body, const std::string& type);
void reply_error(httplib::Response& res, const HttpError& error);

// The body as a JSON object, or false after replying 400 (Rasa's error JSON).
std::optional<Json> object_body(const httplib::Request& req, httplib::Response& res);

// include_events (default AFTER_RESTART); false after replying 400 for a bad value.
bool verbosity_param(const httplib::Request& req, httplib::Response& res, Verbosity& out);
// A float query parameter; unparsable or absent -> nullopt (Rasa ignores bad values).
std::optional<double> float_param(const httplib::Request& req, const std::string& name);
// Rasa's boolean rule: true iff the text lower-cases to "true".
bool bool_param(const httplib::Request& req, const std::string& name, bool fallback);

// The routes of the management API (routes_tracker.cpp, routes_misc.cpp).
void add_tracker_routes(std::vector<Route>& routes, Conversations& conversations);
void add_nlu_routes(std::vector<Route>& routes, Conversations& conversations);
void add_channel_routes(std::vector<Route>& routes, Conversations& conversations, const Credentials& channels);
void add_misc_routes(std::vector<Route>& routes, Conversations& conversations, const ServerOptions& options);

}  // namespace convo::http_internal
