// AMQP addresses and the `event_broker: type: pika` section (brokers spec §4.1, §4.2). No I/O.
#include <cctype>
#include <string>
#include <vector>

#include "convo/broker/amqp.hpp"
#include "convo/core/text.hpp"

namespace convo {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> percent_decode(const std::string& text, const std::string& what) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    int hi = i + 2 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) return usage_error("AMQP URL: bad percent-encoding in the " + what);
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool all_digits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Python's int() on a string accepts surrounding blanks.
std::string trimmed(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
}

std::optional<bool> flag_value(const std::string& v) {
  if (v == "1" || v == "true" || v == "True" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "False" || v == "no" || v.empty()) return false;
  return std::nullopt;
}

Result<bool> apply_query(AmqpAddress& a, const std::string& query) {
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    std::string pair = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    std::size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), "query");
    auto value = percent_decode(eq == std::string::npos ? "" : pair.substr(eq + 1), "query");
    if (!key) return key.error();
    if (!value) return value.error();
    if (*key == "cafile") a.ca_file = *value;
    else if (*key == "certfile") a.cert_file = *value;
    else if (*key == "keyfile") a.key_file = *value;
    else if (*key == "no_verify_ssl") {
      auto f = flag_value(*value);
      if (!f) return usage_error("AMQP URL: no_verify_ssl must be 0 or 1, got '" + *value + "'");
      a.verify_peer = !*f;
    } else if (*key == "heartbeat") {
      if (!all_digits(*value) || value->size() > 5)
        return usage_error("AMQP URL: heartbeat must be a number of seconds, got '" + *value + "'");
      a.heartbeat = std::stoi(*value);
    }
    // Other options of Rasa's AMQP client (name, reconnect_interval, ...) have no use here.
  }
  return true;
}

}  // namespace

Result<AmqpAddress> parse_amqp_url(const std::string& url) {
  AmqpAddress a;
  std::size_t colon = url.find("://");
  const std::string scheme = ascii_lower(colon == std::string::npos ? "" : url.substr(0, colon));
  if (scheme != "amqp" && scheme != "amqps")
    return usage_error("AMQP URL must start with amqp:// or amqps://, got '" + url + "'");
  a.tls = scheme == "amqps";
  a.port = a.tls ? 5671 : 5672;
  std::string rest = url.substr(colon + 3);
  std::size_t query_at = rest.find('?');
  std::string query = query_at == std::string::npos ? "" : rest.substr(query_at + 1);
  rest = rest.substr(0, query_at);
  std::size_t slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash + 1);

  std::size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t sep = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, sep), "user name");
    if (!user) return user.error();
    a.username = *user;
    if (sep != std::string::npos) {
      auto password = percent_decode(userinfo.substr(sep + 1), "password");
      if (!password) return password.error();
      a.password = *password;
    }
  }
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {  // IPv6 literal
    std::size_t close = authority.find(']');
    if (close == std::string::npos) return usage_error("AMQP URL: unclosed '[' in the host");
    a.host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return usage_error("AMQP URL: unexpected text after the host");
    if (!after.empty()) port_text = after.substr(1);
    if (after == ":") return usage_error("AMQP URL: empty port");
  } else {
    std::size_t sep = authority.rfind(':');
    auto host = percent_decode(authority.substr(0, sep), "host");
    if (!host) return host.error();
    a.host = *host;
    if (sep != std::string::npos) {
      port_text = authority.substr(sep + 1);
      if (port_text.empty()) return usage_error("AMQP URL: empty port");
    }
  }
  if (a.host.empty()) return usage_error("AMQP URL has no host: '" + url + "'");
  if (!port_text.empty()) {
    if (!all_digits(port_text) || port_text.size() > 5 || std::stoi(port_text) < 1 ||
        std::stoi(port_text) > 65535)
      return usage_error("AMQP URL: port must be a number from 1 to 65535, got '" + port_text + "'");
    a.port = std::stoi(port_text);
  }
  auto vhost = percent_decode(path, "virtual host");
  if (!vhost) return vhost.error();
  a.vhost = vhost->empty() ? "/" : *vhost;
  auto query_ok = apply_query(a, query);
  if (!query_ok) return query_ok.error();
  return a;
}

namespace {

class SectionReader {
 public:
  SectionReader(const Json& section, const std::string& source) : section_(section), prefix_(source + ": event_broker: ") {}

  const Json* get(const char* key) const {
    auto it = section_.find(key);
    return it == section_.end() || it->is_null() ? nullptr : &*it;
  }
  Error bad(const std::string& key, const std::string& expected, const Json& v) const {
    return usage_error(prefix_ + key + ": expected " + expected + ", got " + describe_type(v) + " " + dump_compact(v));
  }
  // A scalar as text (YAML may type a password as a number).
  Result<std::string> text(const char* key, const Json& v) const {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number() || v.is_boolean()) return py_str(v);
    return bad(key, "a string", v);
  }
  Result<int> integer(const char* key, const Json& v, int low, int high) const {
    long long n = -1;
    if (v.is_number_integer()) n = v.get<long long>();
    else if (v.is_string() && all_digits(trimmed(v.get<std::string>())) && trimmed(v.get<std::string>()).size() < 7)
      n = std::stoll(trimmed(v.get<std::string>()));
    if (n < low || n > high) return bad(key, "a number from " + std::to_string(low) + " to " + std::to_string(high), v);
    return static_cast<int>(n);
  }
  Result<bool> boolean(const char* key, const Json& v) const {
    if (v.is_boolean()) return v.get<bool>();
    if (v.is_string())
      if (auto f = flag_value(v.get<std::string>())) return *f;
    return bad(key, "true or false", v);
  }
  std::string warning(const std::string& text) const { return prefix_ + text; }

 private:
  const Json& section_;
  std::string prefix_;
};

// convo's own keys (spec §4.2 "SHOULD"): with a URI they only fill what the URI leaves unset.
std::optional<Error> apply_convo_keys(const SectionReader& r, AmqpAddress& a, bool from_uri) {
  if (const Json* v = r.get("virtual_host")) {
    auto s = r.text("virtual_host", *v);
    if (!s) return s.error();
    if (!from_uri || a.vhost == "/") a.vhost = s->empty() ? "/" : *s;
  }
  struct FileKey {
    const char* key;
    std::string* field;
  };
  for (FileKey f : {FileKey{"ssl_ca_file", &a.ca_file}, FileKey{"ssl_cert_file", &a.cert_file},
                    FileKey{"ssl_key_file", &a.key_file}}) {
    const Json* v = r.get(f.key);
    if (!v) continue;
    auto s = r.text(f.key, *v);
    if (!s) return s.error();
    if (f.field->empty()) *f.field = *s;
    if (!from_uri) a.tls = true;
  }
  if (const Json* v = r.get("ssl_verify_peer")) {
    auto b = r.boolean("ssl_verify_peer", *v);
    if (!b) return b.error();
    if (!*b) a.verify_peer = false;
  }
  if (const Json* v = r.get("heartbeat")) {
    auto n = r.integer("heartbeat", *v, 0, 65535);
    if (!n) return n.error();
    if (a.heartbeat == 0) a.heartbeat = *n;
  }
  return std::nullopt;
}

Result<std::vector<std::string>> read_queues(const SectionReader& r, std::vector<std::string>& warnings) {
  std::vector<std::string> queues;
  const Json* v = r.get("queues");
  if (v) {
    for (const Json& item : v->is_array() ? *v : Json::array({*v})) {
      auto name = r.text("queues", item);
      if (!name) return name.error();
      if (!name->empty()) queues.push_back(*name);
    }
  } else if (const Json* legacy = r.get("queue")) {
    auto name = r.text("queue", *legacy);
    if (!name) return name.error();
    if (!name->empty()) {
      queues.push_back(*name);
      warnings.push_back(r.warning("'queue' is a Rasa 1 key: convo uses it, but Rasa 2 ignores it and "
                                   "publishes to 'rasa_core_events' (write 'queues: [" + *name + "]')"));
    }
  }
  if (queues.empty()) {
    queues.push_back("rasa_core_events");
    warnings.push_back(r.warning("no queues given; using 'rasa_core_events'"));
  }
  return queues;
}

}  // namespace

Result<AmqpBrokerSettings> amqp_broker_settings(const Json& section, const BrokerOptions& options,
                                                std::vector<std::string>& warnings) {
  static const char* const kKnown[] = {
      "type", "store_type", "url", "username", "password", "port", "queues", "queue", "exchange_name",
      "should_keep_unpublished_messages", "raise_on_failure", "connection_attempts",
      "retry_delay_in_seconds", "log_level", "virtual_host", "ssl_ca_file", "ssl_cert_file",
      "ssl_key_file", "ssl_verify_peer", "heartbeat"};
  SectionReader r(section, options.source);
  if (!section.is_object()) return usage_error(options.source + ": event_broker: expected a mapping");
  for (const auto& item : section.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || item.key() == k;
    if (!known) warnings.push_back(r.warning("unknown key '" + item.key() + "' ignored"));
  }
  AmqpBrokerSettings settings;
  const Json* url = r.get("url");
  if (!url) return usage_error(options.source + ": event_broker: url is required (the RabbitMQ host or an amqp:// URL)");
  auto url_text = r.text("url", *url);
  if (!url_text) return url_text.error();
  // Rasa 2 takes anything starting with "amqp" for a URI, which then wins over the other keys.
  bool from_uri = url_text->compare(0, 4, "amqp") == 0;
  if (from_uri) {
    auto address = parse_amqp_url(*url_text);
    if (!address) return usage_error(options.source + ": event_broker: url: " + address.error().message);
    settings.address = *address;
  } else {
    settings.address.host = *url_text;
    for (const char* key : {"username", "password"}) {
      const Json* v = r.get(key);
      if (!v) continue;
      auto s = r.text(key, *v);
      if (!s) return s.error();
      (key[0] == 'u' ? settings.address.username : settings.address.password) = *s;
    }
    if (const Json* v = r.get("port")) {
      auto port = r.integer("port", *v, 1, 65535);
      if (!port) return port.error();
      settings.address.port = *port;
    }
    auto cert = options.env ? options.env("RABBITMQ_SSL_CLIENT_CERTIFICATE") : std::nullopt;
    auto key = options.env ? options.env("RABBITMQ_SSL_CLIENT_KEY") : std::nullopt;
    if (cert && key) {
      settings.address.tls = true;
      settings.address.cert_file = *cert;
      settings.address.key_file = *key;
    }
  }
  if (auto err = apply_convo_keys(r, settings.address, from_uri)) return *err;
  auto queues = read_queues(r, warnings);
  if (!queues) return queues.error();
  settings.queues = *queues;
  if (const Json* v = r.get("exchange_name")) {
    auto s = r.text("exchange_name", *v);
    if (!s) return s.error();
    settings.exchange = *s;
  }
  if (options.env)
    if (auto env = options.env("RASA_ENVIRONMENT")) settings.app_id = *env;
  return settings;
}

}  // namespace convo
