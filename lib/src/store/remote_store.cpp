// A server as a tracker store: the client side of Rasa's tracker API behind TrackerStore.
#include "convo/core/json.hpp"
#include "convo/net/http_client.hpp"
#include "convo/store/tracker_store.hpp"

namespace convo {
namespace {

Result<Json> json_of(const HttpResponse& response, const std::string& what) {
  if (response.status < 200 || response.status >= 300) return error_from_response(response, what);
  try {
    return Json::parse(response.body);
  } catch (const std::exception&) {
    return Error{ErrorKind::Upstream, what + ": the server answered with something that is not JSON"};
  }
}

class RemoteStore final : public TrackerStore {
 public:
  explicit RemoteStore(const RemoteStoreOptions& options) {
    client_.base_url = options.url;
    client_.token = options.token;
    client_.jwt = options.jwt;
    client_.timeout_s = options.timeout_s;
  }

  std::string describe() const override { return client_.base_url; }
  bool is_server() const override { return true; }

  Result<std::optional<StoredConversation>> load(const std::string& sender_id, const LoadOptions& options) override {
    if (options.all_sessions)
      return usage_error("--all-sessions is not available with --url: Rasa's API serves the last session");
    if (options.since || options.before)
      return usage_error("time windows are not available with --url: Rasa's API has only ?until=");
    auto state = request("GET", tracker_path(sender_id, "ALL", options.until), "", true);
    if (!state) return state.error();
    StoredConversation conv;
    conv.sender_id = sender_id;
    if (state->is_object() && (*state)["events"].is_array())
      for (const auto& e : (*state)["events"]) conv.events.items.push_back(dump_compact(e));
    return std::optional<StoredConversation>(std::move(conv));
  }

  Result<std::optional<std::string>> tracker_json(const std::string& sender_id, std::string_view verbosity,
                                                  std::optional<double> until) override {
    const std::string path = tracker_path(sender_id, verbosity, until);
    auto response = http_request(client_, "GET", path, "", true);
    if (!response) return response.error();
    auto checked = json_of(*response, "GET " + client_.base_url + path);
    if (!checked) return checked.error();
    return std::optional<std::string>(std::move(response->body));
  }

  Result<std::vector<OutboxMessage>> outbox_peek(std::size_t) override { return std::vector<OutboxMessage>(); }
  std::optional<Error> outbox_remove(std::int64_t) override { return std::nullopt; }
  Result<std::size_t> outbox_depth() override { return std::size_t{0}; }

  Result<std::vector<ConversationSummary>> list(const ListOptions& options) override {
    if (options.since || options.until) return usage_error("--since/--until are not available with --url");
    auto ids = request("GET", "/conversations", "", true);
    if (!ids) return ids.error();
    std::vector<ConversationSummary> out;
    if (ids->is_array())
      for (const auto& id : *ids)
        if (id.is_string()) out.push_back({id.get<std::string>(), 0, nullptr, nullptr});
    return out;
  }

 protected:
  std::optional<Error> write(const std::string& sender_id, const std::vector<EventPtr>& events,
                             const std::vector<std::string>&, bool replace_existing) override {
    Json body = Json::array();
    for (const auto& e : events) body.push_back(e->data());
    auto done = request(replace_existing ? "PUT" : "POST",
                        "/conversations/" + url_escape(sender_id) + "/tracker/events?include_events=NONE",
                        dump_compact(body), false);
    if (!done) return done.error();
    return std::nullopt;
  }

 private:
  static std::string tracker_path(const std::string& sender_id, std::string_view verbosity, std::optional<double> until) {
    std::string path = "/conversations/" + url_escape(sender_id) + "/tracker?include_events=" + std::string(verbosity);
    if (until) path += "&until=" + python_float_repr(*until);
    return path;
  }

  Result<Json> request(const std::string& method, const std::string& path, const std::string& body, bool idempotent) {
    auto response = http_request(client_, method, path, body, idempotent);
    if (!response) return response.error();
    return json_of(*response, method + " " + client_.base_url + path);
  }

  ClientOptions client_;
};

}  // namespace

std::unique_ptr<TrackerStore> open_remote_store(const RemoteStoreOptions& options) {
  return std::make_unique<RemoteStore>(options);
}

}  // namespace convo
