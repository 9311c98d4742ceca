// /conversations/{id}/tracker and /tracker/events (spec http-api.md §3.4–§3.6).
#include "convo/core/event_schema.hpp"
#include "convo/render/story_writer.hpp"
#include "server_internal.hpp"

namespace convo::http_internal {
namespace {

const char* kConversation = "/conversations/(.+)";

// The body as JSON, or a 400 reply.
std::optional<Json> json_body(const httplib::Request& req, httplib::Response& res) {
  try {
    if (req.body.empty()) throw std::runtime_error("empty body");
    return Json::parse(req.body);
  } catch (const std::exception&) {
    reply_error(res, {400, "BadRequest", "Failed to parse the request body as JSON.", {{"parameter", ""}, {"in", "body"}},
                      nullptr});
    return std::nullopt;
  }
}

// Rasa validates event bodies against its events schema before anything else (§3.5).
bool schema_ok(const Json& events, httplib::Response& res) {
  if (auto problem = validate_events_schema(events)) {
    reply_error(res, {400, "BadRequest",
                      "Failed to validate the events format. For more information about the format visit the "
                      "docs. Error: " + *problem,
                      {{"parameter", ""}, {"in", "body"}}, kDocsHttpApiUrl});
    return false;
  }
  return true;
}

void send_state(httplib::Response& res, const Tracker& tracker, Verbosity verbosity) {
  res.status = 200;
  res.set_content(tracker.state_json(verbosity), "application/json");
}

}  // namespace

void add_tracker_routes(std::vector<Route>& routes, Conversations& conversations) {
  Conversations* conv = &conversations;
  routes.push_back({"GET", std::regex(std::string(kConversation) + "/tracker"), true, true, true,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch& m) {
                      Verbosity verbosity;
                      if (!verbosity_param(req, res, verbosity)) return;
                      auto tracker = conv->get(m[1].str(), float_param(req, "until"));
                      if (!tracker) return reply_error(res, http_error_for(tracker.error()));
                      send_state(res, **tracker, verbosity);
                    }});

  routes.push_back({"POST", std::regex(std::string(kConversation) + "/tracker/events"), true, true, true,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch& m) {
                      auto body = json_body(req, res);
                      if (!body) return;
                      Json events = body->is_array() ? *body : Json::array({*body});
                      if (!schema_ok(events, res)) return;
                      Verbosity verbosity;
                      if (!verbosity_param(req, res, verbosity)) return;
                      auto tracker = conv->append(m[1].str(), events);
                      if (!tracker) return reply_error(res, http_error_for(tracker.error()));
                      send_state(res, **tracker, verbosity);
                    }});

  routes.push_back({"PUT", std::regex(std::string(kConversation) + "/tracker/events"), true, true, true,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch& m) {
                      auto body = json_body(req, res);
                      if (!body) return;
                      if (!body->is_array()) {
                        reply_error(res, {400, "BadRequest", "The request body must be a list of events.",
                                          {{"parameter", ""}, {"in", "body"}}, kDocsHttpApiUrl});
                        return;
                      }
                      if (!schema_ok(*body, res)) return;
                      Verbosity verbosity;
                      if (!verbosity_param(req, res, verbosity)) return;
                      auto tracker = conv->replace(m[1].str(), *body);
                      if (!tracker) return reply_error(res, http_error_for(tracker.error()));
                      send_state(res, **tracker, verbosity);
                    }});

  // §3.7: the conversation as Rasa's YAML test stories. Loaded without `until`: Rasa applies it
  // to each session after splitting, and drops a story it leaves empty (story_writer.hpp).
  routes.push_back({"GET", std::regex(std::string(kConversation) + "/story"), true, true, true,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch& m) {
                      const bool all_sessions = bool_param(req, "all_sessions", false);
                      auto tracker = conv->load(m[1].str(), std::nullopt, all_sessions);
                      if (!tracker) return reply_error(res, http_error_for(tracker.error()));
                      if (!*tracker)
                        return reply_error(res, {404, "Not found", "Conversation ID not found.", Json::object(),
                                                 nullptr});
                      auto yaml = try_tracker_story_yaml(**tracker, all_sessions, float_param(req, "until"));
                      if (!yaml)
                        return reply_error(res, http_error_for(runtime_error("An unexpected error occurred. Error: " + yaml.error().message)));
                      reply_text(res, 200, *yaml, "text/plain; charset=utf-8");
                    }});
}

}  // namespace convo::http_internal
