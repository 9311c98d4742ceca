#include "convo/dialogue/understanding.hpp"

#include "convo/core/regex_interpreter.hpp"
#include "convo/net/http_client.hpp"
#include "convo/nlu/nlu_model.hpp"

namespace convo::dialogue {

Json parse_message(const std::string& text, const std::string& message_id, const NluEndpoint* endpoint,
                   const nlu::NluModel* model, const std::function<void(bool, const std::string&)>& log) {
  if (text.rfind("/", 0) == 0) return regex_parse(text);
  if (!endpoint || endpoint->url.empty()) return model ? model->parse(text) : regex_parse(text);
  const Json failed = {{"intent", {{"name", ""}, {"confidence", 0.0}}}, {"entities", Json::array()}, {"text", ""}};
  ClientOptions client;
  client.base_url = endpoint->url;
  client.timeout_s = endpoint->timeout_s;
  client.retries = 0;
  const std::string path = endpoint->url.size() && endpoint->url.back() == '/' ? "model/parse" : "/model/parse";
  Json body = {{"text", text}, {"message_id", message_id}, {"token", endpoint->token ? Json(*endpoint->token) : Json()}};
  auto response = http_request(client, "POST", path, dump_compact(body), false);
  auto fail = [&](const std::string& why) {
    if (log) log(true, "Failed to parse text '" + text + "' using rasa NLU over http. Error: " + why);
    return failed;
  };
  if (!response) return fail(response.error().message);
  if (response->status != 200) return fail("HTTP " + std::to_string(response->status) + ": " + response->body.substr(0, 200));
  if (response->content_type.find("json") == std::string::npos) return fail("the answer is not JSON (" + response->content_type + ")");
  auto parsed = parse_json_text(response->body);
  auto* data = std::get_if<Json>(&parsed);
  if (!data || !data->is_object()) return fail("the answer is not a JSON object");
  return *data;
}

}  // namespace convo::dialogue
