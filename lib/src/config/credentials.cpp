#include "convo/config/credentials.hpp"

#include "convo/core/text.hpp"

namespace convo {

Credentials default_credentials() {
  Credentials c;
  c.channels.push_back(ChannelConfig{});
  c.channels.back().name = "rest";
  return c;
}

Json json_at_path(const Json& document, const std::string& path) {
  std::string p = path;
  if (p.rfind("$", 0) == 0) p.erase(0, 1);
  if (!p.empty() && p[0] == '.') p.erase(0, 1);
  const Json* at = &document;
  for (const auto& key : split_nonempty(p, '.')) {
    if (at->is_object() && at->contains(key)) at = &(*at)[key];
    else if (at->is_array() && key.find_first_not_of("0123456789") == std::string::npos && std::stoul(key) < at->size())
      at = &(*at)[std::stoul(key)];
    else
      return nullptr;
  }
  return *at;
}

Result<Credentials> load_credentials_yaml(std::string_view text, const std::string& source, const Environment& env) {
  SourceMap map(source);
  auto doc = read_config_yaml(text, map, env);
  if (!doc) return doc.error();
  Credentials out;
  if (doc->is_null()) return out;
  if (!doc->is_object()) return usage_error(source + ": the top level must be a mapping of channel names to settings");
  for (const auto& [key, value] : doc->items()) {
    const std::string where = map.prefix("/" + key);
    ChannelConfig c;
    c.name = key;
    const std::string type = value.is_object() ? string_or(value, "type") : std::string();
    if (key == "rest" && type.empty()) {
      c.kind = ChannelConfig::Kind::Rest;
    } else if (key == "callback" && type.empty()) {
      if (!value.is_object() || !value.contains("url") || !value["url"].is_string() || value["url"].get<std::string>().empty())
        return usage_error(where + "the callback channel needs a url to POST the bot's messages to");
      c.kind = ChannelConfig::Kind::Callback;
      c.reply_url = value["url"];
      c.reply_post = true;
      if (value.contains("headers") && value["headers"].is_object()) c.headers = value["headers"];
    } else if (type == "custom") {
      c.kind = ChannelConfig::Kind::Custom;
      if (key.find_first_of("/?#") != std::string::npos) return usage_error(where + "a connector's name must be a URL path segment");
      c.sender_path = string_or(value, "sender", "sender");
      c.text_path = string_or(value, "text");
      if (c.text_path.empty()) return usage_error(where + "custom connector '" + key + "' needs `text`: where the message text sits");
      c.metadata_path = string_or(value, "metadata");
      c.input_channel = string_or(value, "input_channel", key);
      const std::string reply = string_or(value, "reply", "collect");
      if (reply == "post") {
        c.reply_post = true;
        c.reply_url = string_or(value, "reply_url");
        if (c.reply_url.empty()) return usage_error(where + "custom connector '" + key + "' with reply: post needs reply_url");
        if (value.contains("headers") && value["headers"].is_object()) c.headers = value["headers"];
      } else if (reply != "collect") {
        return usage_error(where + "custom connector '" + key + "': reply must be collect or post, got '" + reply + "'");
      }
    } else {
      return usage_error(where + "channel '" + key +
                         "' is not supported by convo (rest, callback, or a custom connector with `type: custom`)");
    }
    out.channels.push_back(std::move(c));
  }
  return out;
}

}  // namespace convo
