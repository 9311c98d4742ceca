// POST /model/parse and POST /conversations/{id}/messages: texts parsed as Rasa's processor parses
// them (Conversations::parse_text: "/" texts by the regex interpreter, others by the nlu: endpoint,
// the model's NLU, else the regex interpreter; spec http-api.md §1.6, §3.11, §3.16).
#include "convo/core/text.hpp"
#include "server_internal.hpp"

namespace convo::http_internal {

void add_nlu_routes(std::vector<Route>& routes, Conversations& conversations) {
  Conversations* conv = &conversations;
  routes.push_back({"POST", std::regex("/model/parse"), true, true, false,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch&) {
                      if (req.has_param("emulation_mode")) {
                        const std::string mode = ascii_lower(req.get_param_value("emulation_mode"));
                        if (mode != "wit" && mode != "luis" && mode != "dialogflow")
                          return reply_error(res, {400, "BadRequest", "Invalid parameter value for 'emulation_mode'. "
                                                   "Should be one of ['WIT', 'LUIS', 'DIALOGFLOW']",
                                                   {{"parameter", "emulation_mode"}, {"in", "query"}}, nullptr});
                        return reply_error(res, {400, "BadRequest", "emulation_mode '" + mode + "' is not supported by convo",
                                                 {{"parameter", "emulation_mode"}, {"in", "query"}}, nullptr});
                      }
                      auto body = object_body(req, res);
                      if (!body) return;
                      Json text = body->value("text", Json());
                      if (text.is_array() && !text.empty()) text = text[0];
                      if (!text.is_string())
                        return reply_error(res, {400, "BadRequest", "No text message defined in request_body. Add text "
                                                 "message to request body in order to obtain the intent and extracted entities.",
                                                 {{"parameter", "text"}, {"in", "body"}}, nullptr});
                      reply_json(res, 200, conv->parse_text(text.get<std::string>(), ""));
                    }});
  routes.push_back({"POST", std::regex("/conversations/(.+)/messages"), true, true, true,
                    [conv](const httplib::Request& req, httplib::Response& res, const std::smatch& m) {
                      auto body = object_body(req, res);
                      if (!body) return;
                      if (body->value("sender", Json()) != "user")
                        return reply_error(res, {400, "BadRequest", "Currently, only user messages can be passed to this endpoint. "
                                                 "Messages of sender '" + py_str(body->value("sender", Json())) + "' cannot be handled.",
                                                 {{"parameter", "sender"}, {"in", "body"}}, nullptr});
                      Json text = body->value("text", Json());
                      if (!text.is_string())
                        return reply_error(res, {400, "BadRequest", "No text message defined in request body.",
                                                 {{"parameter", "text"}, {"in", "body"}}, nullptr});
                      Verbosity verbosity;
                      if (!verbosity_param(req, res, verbosity)) return;
                      const std::string message = strip_whitespace(text.get<std::string>());
                      Json parse_data = body->contains("parse_data") && (*body)["parse_data"].is_object()
                                            ? (*body)["parse_data"]
                                            : conv->parse_text(message, "");
                      auto tracker = conv->log_message(m[1].str(), message, parse_data);
                      if (!tracker) return reply_error(res, http_error_for(tracker.error()));
                      res.status = 200;
                      res.set_content((*tracker)->state_json(verbosity), "application/json");
                    }});
}

}  // namespace convo::http_internal
