// credentials.yml as Rasa reads it (spec http-api.md §6.1, §7.4 ${VAR} substitution): which input
// channels `convo serve` mounts at /webhooks/<name>/. Built in: rest and callback. Custom
// connectors need no code: an entry with `type: custom` says where the sender, text, metadata and
// input channel sit in the incoming JSON and whether replies are collected in the answer or POSTed.
#pragma once

#include <string>
#include <vector>

#include "convo/config/endpoints.hpp"
#include "convo/core/error.hpp"
#include "convo/core/json.hpp"

namespace convo {

struct ChannelConfig {
  enum class Kind { Rest, Callback, Custom };
  Kind kind = Kind::Rest;
  std::string name;               // the URL prefix: /webhooks/<name>/webhook
  // callback, and custom connectors with reply: post: where each bot message is POSTed
  std::string reply_url;
  Json headers = Json::object();  // extra request headers (callback's `headers`)
  // custom connectors: paths into the incoming JSON ("$.user.id" or "user.id")
  std::string sender_path = "sender", text_path = "message", metadata_path, input_channel;
  bool reply_post = false;
};

struct Credentials {
  std::vector<ChannelConfig> channels;
  std::vector<std::string> warnings;
};

// Without a credentials file: the REST channel only, as `rasa run`.
Credentials default_credentials();

// Parses credentials.yml. Channels convo does not implement (facebook, slack, a Python class path
// without `type: custom`) are Usage errors naming them, as Rasa fails to start on channels it
// cannot load; so are a callback without a url and a custom connector without a text path.
Result<Credentials> load_credentials_yaml(std::string_view text, const std::string& source, const Environment& env);

// The value at a simple path ("$.a.b", "a.b", "$" for the whole document); null when absent.
Json json_at_path(const Json& document, const std::string& path);

}  // namespace convo
