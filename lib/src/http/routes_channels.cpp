// Input channels and the dialogue routes (spec http-api.md §6, §3.8-§3.10): the REST channel
// (POST /webhooks/rest/webhook, ?stream=true), /execute, /trigger_intent and /predict.
#include "convo/core/text.hpp"
#include "convo/net/http_client.hpp"
#include "convo/dialogue/nlg.hpp"
#include "convo/pipeline/conversations.hpp"
#include "server_internal.hpp"

namespace convo::http_internal {
namespace {

const char* kConversation = "/conversations/(.+)";

HttpError no_agent() {
  return {409, "Conflict", "No agent loaded. To continue processing, a model of a trained agent needs to be loaded.",
          Json::object(), "https://rasa.com/docs/rasa/user-guide/configuring-http-api/"};
}

// The REST channel's sender: a string as is, other JSON as its text, missing or null "default".
std::string sender_of(const Json& body) {
  auto it = body.find("sender");
  if (it == body.end() || it->is_null()) return "default";
  return it->is_string() ? it->get<std::string>() : py_str(*it);
}

Conversations::Message rest_message(const Json& body) {
  Conversations::Message m;
  m.sender_id = sender_of(body);
  const Json text = body.value("message", Json());
  m.text = text.is_string() ? strip_whitespace(text.get<std::string>()) : std::string();
  const Json channel = body.value("input_channel", Json());
  m.input_channel = channel.is_string() && !channel.get<std::string>().empty() ? channel.get<std::string>() : "rest";
  if (body.contains("metadata") && body["metadata"].is_object()) m.metadata = body["metadata"];
  return m;
}

// The response for /execute and /trigger_intent: the tracker, and the messages when they were
// collected (the default output channel).
void reply_turn(httplib::Response& res, const Tracker& tracker, Verbosity verbosity, const std::vector<Json>* messages) {
  std::string body = "{\"tracker\":" + tracker.state_json(verbosity);
  if (messages) body += ",\"messages\":" + dump_compact(Json(*messages));
  body += "}";
  res.status = 200;
  res.set_content(body, "application/json");
}

// POSTs one bot message to a channel's reply URL; a failure stops the turn (callback channel).
void post_reply(const ChannelConfig& channel, const Json& message, dialogue::OutputChannel& out) {
  if (out.failed) return;
  HttpTransfer t;
  t.method = "POST";
  t.url = channel.reply_url;
  t.headers.push_back("Content-Type: application/json");
  for (const auto& [k, v] : channel.headers.items()) t.headers.push_back(k + ": " + (v.is_string() ? v.get<std::string>() : dump_compact(v)));
  t.body = dump_compact(message);
  t.timeout_s = 30;
  auto done = perform(t);
  if (!done) out.failed = Error{ErrorKind::Upstream, "the bot message could not be sent to " + channel.reply_url + ": " + done.error().message};
  // A 4xx/5xx from the receiver is logged by Rasa and ignored.
}

// Pushes one message to a channel's reply URL after the request (a reminder's turn): a failure is
// logged by the caller's turn as any other, the turn is stored.
std::function<void(const Json&)> push_later(const ChannelConfig& channel) {
  return [channel](const Json& message) {
    dialogue::OutputChannel ignored;
    post_reply(channel, message, ignored);
  };
}

// One input channel's two routes: GET /webhooks/<name>/ and POST /webhooks/<name>/webhook.
void add_channel(std::vector<Route>& routes, Conversations* conv, const ChannelConfig& channel) {
  const std::string prefix = "/webhooks/" + channel.name;
  routes.push_back({"GET", std::regex(prefix + "/?"), false, false, false,
                    [](const httplib::Request&, httplib::Response& res, const std::smatch&) {
                      reply_json(res, 200, {{"status", "ok"}});
                    }});
  routes.push_back({"POST", std::regex(prefix + "/webhook"), false, false, false,
                    [conv, channel](const httplib::Request& req, httplib::Response& res, const std::smatch&) {
                      auto body = object_body(req, res);
                      if (!body) return;
                      Conversations::Message m;
                      if (channel.kind == ChannelConfig::Kind::Custom) {
                        Json sender = json_at_path(*body, channel.sender_path);
                        m.sender_id = sender.is_null() ? "default" : sender.is_string() ? sender.get<std::string>() : py_str(sender);
                        Json text = json_at_path(*body, channel.text_path);
                        m.text = text.is_string() ? strip_whitespace(text.get<std::string>()) : std::string();
                        if (!channel.metadata_path.empty()) {
                          Json meta = json_at_path(*body, channel.metadata_path);
                          if (meta.is_object()) m.metadata = meta;
                        }
                        m.input_channel = channel.input_channel;
                      } else {
                        m = rest_message(*body);
                        if (channel.kind == ChannelConfig::Kind::Callback) {
                          m.input_channel = "callback";
                          m.metadata = nullptr;
                        }
                      }
                      dialogue::OutputChannel out;
                      out.name = channel.kind == ChannelConfig::Kind::Rest ? "collector" : channel.name;
                      std::vector<Json> collected;
                      if (channel.reply_post) {
                        out.push_later = push_later(channel);
                        out.send = [&](const Json& bot) {
                          for (const auto& o : dialogue::collector_messages(bot, m.sender_id)) post_reply(channel, o, out);
                        };
                        auto done = conv->handle_message(m, out);
                        if (!done) return reply_error(res, http_error_for(done.error()));
                        return reply_text(res, 200, "success", "text/plain; charset=utf-8");
                      }
                      if (channel.kind == ChannelConfig::Kind::Rest && bool_param(req, "stream", false)) {
                        // Each bot message as one JSON line as soon as it is logged; the turn runs
                        // while the response is written.
                        res.set_chunked_content_provider(
                            "text/event-stream", [conv, m](std::size_t, httplib::DataSink& sink) {
                              dialogue::OutputChannel stream;
                              stream.name = "queue";
                              stream.send = [&](const Json& bot) {
                                for (const auto& o : dialogue::collector_messages(bot, m.sender_id)) {
                                  std::string line = dump_compact(o) + "\n";
                                  sink.write(line.data(), line.size());
                                }
                              };
                              (void)conv->handle_message(m, stream);  // a failed turn ends the stream, unstored
                              sink.done();
                              return true;
                            });
                        return;
                      }
                      out.send = [&](const Json& bot) {
                        for (auto& o : dialogue::collector_messages(bot, m.sender_id)) collected.push_back(std::move(o));
                      };
                      // As Rasa: a turn that fails answers what was collected; it is not stored.
                      (void)conv->handle_message(m, out);
                      reply_json(res, 200, Json(collected));
                    }});
}

// Rasa's output_channel query parameter (spec §3.20): "latest" is the conversation's latest input
// channel; a mounted channel that can push (callback, a connector with reply: post) gets the
// messages, and the answer then has no "messages"; anything else collects them.
const ChannelConfig* pushing_channel(const httplib::Request& req, Conversations& conv, const std::string& id,
                                     const Credentials& channels) {
  if (!req.has_param("output_channel")) return nullptr;
  std::string name = req.get_param_value("output_channel");
  if (name == "latest") {
    auto tracker = conv.get(id, std::nullopt);
    const Json latest = tracker ? (*tracker)->latest_input_channel() : Json();
    name = latest.is_string() ? latest.get<std::string>() : "";
  }
  for (const auto& c : channels.channels)
    if (c.reply_post && (c.name == name || (c.kind == ChannelConfig::Kind::Custom && c.input_channel == name))) return &c;
  return nullptr;
}

// The output channel of /execute and /trigger_intent: pushing to `channel` or collecting.
void route_output(dialogue::OutputChannel& out, const ChannelConfig* channel, const std::string& id,
                  std::vector<Json>& collected) {
  if (channel) {
    out.name = channel->name;
    auto* self = &out;
    out.push_later = push_later(*channel);
    out.send = [channel, id, self](const Json& bot) {
      for (const auto& o : dialogue::collector_messages(bot, id)) post_reply(*channel, o, *self);
    };
  } else {
    out.send = [&collected, id](const Json& bot) {
      for (auto& o : dialogue::collector_messages(bot, id)) collected.push_back(std::move(o));
    };
  }
}

}  // namespace

void add_channel_routes(std::vector<Route>& routes, Conversations& conversations, const Credentials& channels) {
  Conversations* conv = &conversations;
  for (const auto& channel : channels.channels) add_channel(routes, conv, channel);

  // /execute and /trigger_intent: a name from the body, then the turn; the tracker and, when they
  // were collected, the messages.
  using Turn = std::function<Result<Conversations::TrackerRef>(const std::string& id, const std::string& name,
                                                                 const Json& body, dialogue::OutputChannel& out)>;
  auto turn_route = [conv, channels](const char* what, std::vector<const char*> keys, Turn run) {
    return [conv, channels, what, keys, run](const httplib::Request& req, httplib::Response& res, const std::smatch& match) {
      if (!conv->bot()) return reply_error(res, no_agent());
      auto body = object_body(req, res);
      if (!body) return;
      Json name;
      for (const char* key : keys)
        if (name.is_null()) name = body->value(key, Json());
      if (!name.is_string() || name.get<std::string>().empty())
        return reply_error(res, {400, "BadRequest", std::string("Name of the ") + what + " not provided in request body.",
                                 {{"parameter", "name"}, {"in", "body"}}, nullptr});
      Verbosity verbosity;
      if (!verbosity_param(req, res, verbosity)) return;
      std::vector<Json> collected;
      const std::string id = match[1].str();
      const ChannelConfig* push = pushing_channel(req, *conv, id, channels);
      dialogue::OutputChannel out;
      route_output(out, push, id, collected);
      auto tracker = run(id, name.get<std::string>(), *body, out);
      if (!tracker) return reply_error(res, http_error_for(tracker.error()));
      reply_turn(res, **tracker, verbosity, push ? nullptr : &collected);
    };
  };
  routes.push_back({"POST", std::regex(std::string(kConversation) + "/execute"), true, true, true,
                    turn_route("action", {"name", "action"},
                               [conv](const std::string& id, const std::string& name, const Json& body, dialogue::OutputChannel& out) {
                                 return conv->execute(id, name, body.value("policy", Json()), body.value("confidence", Json()), out);
                               })});
  routes.push_back({"POST", std::regex(std::string(kConversation) + "/trigger_intent"), true, true, true,
                    turn_route("intent", {"name"},
                               [conv](const std::string& id, const std::string& name, const Json& body, dialogue::OutputChannel& out) {
                                 return conv->trigger_intent(id, name, body.value("entities", Json()), out);
                               })});

  // rasa_core 0.14's respond (spec §5.1): the message from `query`/`q` in the query or the body,
  // the turn's bot messages as the REST channel answers them.
  for (const char* method : {"GET", "POST"}) {
    routes.push_back({method, std::regex(std::string(kConversation) + "/respond"), true, true, true,
                      [conv](const httplib::Request& req, httplib::Response& res, const std::smatch& match) {
                        Json text;
                        for (const char* key : {"query", "q"})
                          if (text.is_null() && req.has_param(key)) text = req.get_param_value(key);
                        if (text.is_null() && !req.body.empty()) {
                          auto parsed = parse_json_text(req.body);
                          if (auto* body = std::get_if<Json>(&parsed); body && body->is_object())
                            for (const char* key : {"query", "q"})
                              if (text.is_null() && body->contains(key) && (*body)[key].is_string()) text = (*body)[key];
                        }
                        if (!text.is_string())
                          return reply_error(res, {400, "InvalidParameter", "Missing the message parameter.",
                                                   {{"parameter", "query"}, {"in", "query"}}, nullptr});
                        Conversations::Message m;
                        m.sender_id = match[1].str();
                        m.text = strip_whitespace(text.get<std::string>());
                        m.input_channel = "rest";
                        std::vector<Json> collected;
                        dialogue::OutputChannel out;
                        out.send = [&](const Json& bot) {
                          for (auto& o : dialogue::collector_messages(bot, m.sender_id)) collected.push_back(std::move(o));
                        };
                        auto done = conv->handle_message(m, out);
                        if (!done) return reply_error(res, http_error_for(done.error()));
                        reply_json(res, 200, Json(collected));
                      }});
  }

  routes.push_back({"POST", std::regex(std::string(kConversation) + "/predict"), true, true, true,
                    [conv](const httplib::Request&, httplib::Response& res, const std::smatch& match) {
                      if (!conv->bot()) return reply_error(res, no_agent());
                      auto predicted = conv->predict(match[1].str());
                      if (!predicted) return reply_error(res, http_error_for(predicted.error()));
                      reply_json(res, 200, *predicted);
                    }});
}

}  // namespace convo::http_internal
