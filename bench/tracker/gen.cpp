// convo_bench_gen N OUT.json — writes a deterministic, Rasa 2.8-shaped event list of exactly N
// events (one JSON array): sessions of chit-chat, custom actions with slots, forms (active_loop,
// requested_slot, rejections, deactivation), NLU fallbacks that rewind, undos and restarts.
// Shapes and key order follow what Rasa 2.8's tracker store holds; ~270 bytes per event.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "convo/core/json.hpp"

namespace {

using convo::Json;

// splitmix64: fixed seed, identical output on every platform and standard library.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(double p) { return unit() < p; }
  template <class T>
  const T& pick(const std::vector<T>& v) { return v[below(v.size())]; }

 private:
  std::uint64_t s_;
};

struct Intent {
  std::string name;
  std::vector<std::string> texts;
  std::string entity;  // entity type the texts mention, or ""
  std::vector<std::string> values;
};

const std::vector<Intent>& intents() {
  static const std::vector<Intent> table = {
      {"greet", {"hello there", "hi", "good morning", "hey, how is it going?"}, "", {}},
      {"goodbye", {"bye", "see you later", "goodbye, thanks for the help"}, "", {}},
      {"affirm", {"yes", "yes please", "that sounds good", "correct"}, "", {}},
      {"deny", {"no", "no thanks", "not really", "never mind"}, "", {}},
      {"mood_great", {"I am feeling great today", "wonderful", "very good, thanks"}, "", {}},
      {"mood_unhappy", {"I feel sad", "not good at all", "my day was terrible"}, "", {}},
      {"bot_challenge", {"are you a bot?", "am I talking to a human?"}, "", {}},
      {"ask_weather", {"what is the weather like in ", "will it rain tomorrow in "}, "location",
       {"Berlin", "San Francisco", "Lagos", "Tokyo", "Buenos Aires"}},
      {"check_balance", {"how much money is on my ", "show the balance of my "}, "account_type",
       {"savings account", "credit card", "checking account"}},
      {"inform", {"I would like ", "let's go with ", "make it "}, "cuisine",
       {"italian", "thai", "mexican", "ethiopian", "vegan"}},
  };
  return table;
}

const std::vector<std::string> kIntentNames = {
    "greet", "goodbye", "affirm", "deny", "mood_great", "mood_unhappy", "bot_challenge",
    "ask_weather", "check_balance", "inform", "request_restaurant", "chitchat", "thankyou",
    "restart", "out_of_scope", "nlu_fallback"};

const std::vector<std::string> kPolicies = {
    "policy_0_MemoizationPolicy", "policy_1_RulePolicy", "policy_2_TEDPolicy"};

class Generator {
 public:
  Generator(std::ostream& out, std::size_t n) : out_(out), target_(n) {}

  void run() {
    out_ << '[';
    while (!done()) session();
    out_ << "]\n";
  }
  std::size_t bytes() const { return bytes_; }

 private:
  bool done() const { return count_ >= target_; }

  void emit(const Json& event) {
    if (done()) return;
    std::string text = event.dump();
    if (count_ > 0) {
      out_ << ',';
      ++bytes_;
    }
    out_ << text;
    bytes_ += text.size();
    ++count_;
  }

  // Timestamps as Rasa stores them: epoch seconds with microseconds.
  double tick(double lo, double hi) {
    t_ += lo + (hi - lo) * rng_.unit();
    return std::round(t_ * 1e6) / 1e6;
  }
  // Model outputs are float32 widened to double: 0.9998236894607544, as Rasa writes them.
  double confidence(double lo, double hi) {
    return static_cast<double>(static_cast<float>(lo + (hi - lo) * rng_.unit()));
  }
  std::string uuid_hex() {
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (int i = 0; i < 2; ++i) {
      std::uint64_t v = rng_.next();
      for (int j = 0; j < 16; ++j, v >>= 4) s += hex[v & 15];
    }
    return s;
  }
  static std::int64_t intent_id(const std::string& name) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a: a stable, hash-looking id per intent
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<std::int64_t>(h);
  }

  Json base(const char* type, double lo = 0.002, double hi = 0.05) {
    Json e = Json::object();
    e["event"] = type;
    e["timestamp"] = tick(lo, hi);
    return e;
  }

  // An action a policy predicted (a random policy and confidence unless given).
  void action(const std::string& name, const char* policy = nullptr, double conf = -1) {
    action_event(name, policy ? Json(policy) : Json(rng_.pick(kPolicies)),
                 conf >= 0 ? Json(conf) : Json(confidence(0.55, 1.0)));
  }
  void action_event(const std::string& name, Json policy, Json conf) {
    Json e = base("action");
    e["name"] = name;
    e["policy"] = std::move(policy);
    e["confidence"] = std::move(conf);
    e["action_text"] = nullptr;
    e["hide_rule_turn"] = false;
    emit(e);
  }
  void listen() { action("action_listen"); }

  void bot(const std::string& utter, const std::string& text, bool buttons = false) {
    Json e = base("bot", 0.01, 0.2);
    e["metadata"] = {{"utter_action", utter}};
    e["text"] = text;
    Json data = {{"elements", nullptr}, {"quick_replies", nullptr}, {"buttons", nullptr},
                 {"attachment", nullptr}, {"image", nullptr}, {"custom", nullptr}};
    if (buttons)
      data["buttons"] = Json::array({{{"title", "great"}, {"payload", "/mood_great"}},
                                     {{"title", "super sad"}, {"payload", "/mood_unhappy"}}});
    e["data"] = std::move(data);
    emit(e);
  }

  void slot(const std::string& name, Json value) {
    Json e = base("slot", 0.0005, 0.003);
    e["name"] = name;
    e["value"] = std::move(value);
    emit(e);
  }

  // A user message as the NLU pipeline parsed it; returns the entity value it carried, if any.
  std::string user(const std::string& intent_name, const std::string& text_in,
                   const std::string& entity = "", const std::string& value = "") {
    std::string text = text_in + value;
    std::string mid = uuid_hex();
    Json top = {{"id", intent_id(intent_name)}, {"name", intent_name},
                {"confidence", confidence(0.7, 1.0)}};
    Json ranking = Json::array({top});
    double rest = 1.0 - top["confidence"].get<double>();
    for (int i = 0; i < 4; ++i) {
      const std::string& other = rng_.pick(kIntentNames);
      rest *= 0.3 + 0.4 * rng_.unit();
      ranking.push_back({{"id", intent_id(other)}, {"name", other},
                         {"confidence", static_cast<double>(static_cast<float>(rest))}});
    }
    Json entities = Json::array();
    if (!entity.empty()) {
      auto start = text_in.size();
      entities.push_back({{"entity", entity}, {"start", start}, {"end", start + value.size()},
                          {"confidence_entity", confidence(0.9, 1.0)}, {"value", value},
                          {"extractor", "DIETClassifier"}});
    }
    Json e = base("user", 2.0, 60.0);
    bool channel_meta = rng_.chance(0.1);
    if (channel_meta) e["metadata"] = {{"session_id", uuid_hex()}};
    e["text"] = text;
    e["parse_data"] = {{"intent", top},
                       {"entities", std::move(entities)},
                       {"text", text},
                       {"message_id", mid},
                       {"metadata", channel_meta ? e["metadata"] : Json::object()},
                       {"intent_ranking", std::move(ranking)}};
    if (rng_.chance(0.6)) e["parse_data"]["response_selector"] = response_selector();
    e["input_channel"] = channel_meta ? "socketio" : "rest";
    e["message_id"] = mid;
    if (!channel_meta) e["metadata"] = Json::object();
    emit(e);
    if (!entity.empty()) slot(entity, value);  // 2.8 auto-fills slots right after the message
    Json f = base("user_featurization", 0.01, 0.05);
    f["use_text_for_featurization"] = false;
    emit(f);
    return value;
  }

  // What a pipeline with a ResponseSelector but no retrieval intents adds to every parse.
  static Json response_selector() {
    return {{"all_retrieval_intents", Json::array()},
            {"default",
             {{"response",
               {{"id", nullptr}, {"responses", nullptr}, {"response_templates", nullptr},
                {"confidence", 0.0}, {"intent_response_key", nullptr},
                {"utter_action", "utter_None"}, {"template_name", "utter_None"}}},
              {"ranking", Json::array()}}}};
  }

  // The processor runs action_session_start unpredicted; its events end in an action_listen.
  void session_start() {
    action_event("action_session_start", nullptr, 1.0);
    emit(base("session_started", 0.0005, 0.002));
    if (rng_.chance(0.3)) slot("name", "Ada");  // carried-over slots
    action_event("action_listen", nullptr, nullptr);
  }

  void session() {
    t_ += 3600 + 86400 * rng_.unit();  // sessions expire after 60 minutes
    session_start();
    std::size_t turns = 3 + rng_.below(13);
    for (std::size_t i = 0; i < turns && !done(); ++i) {
      double r = rng_.unit();
      if (r < 0.55) chitchat();
      else if (r < 0.75) custom_action();
      else if (r < 0.85) form();
      else if (r < 0.93) fallback();
      else if (r < 0.97) undo();
      else {
        restart();
        break;
      }
    }
  }

  void chitchat() {
    const Intent& in = intents()[rng_.below(7)];
    user(in.name, rng_.pick(in.texts));
    action("utter_" + in.name);
    bot("utter_" + in.name, "Sure! Here is a reply for " + in.name + ".", rng_.chance(0.2));
    listen();
  }

  void custom_action() {
    const Intent& in = intents()[7 + rng_.below(2)];
    std::string value = user(in.name, rng_.pick(in.texts), in.entity, rng_.pick(in.values));
    action("action_" + in.name);
    if (in.name == "ask_weather") {
      slot("temperature", std::round(rng_.unit() * 350) / 10);
      slot("conditions", Json::array({"cloudy", "windy"}));
    } else {
      slot("balance", static_cast<std::int64_t>(rng_.below(100000)));
    }
    bot("utter_" + in.name + "_result", "Here is what I found for " + value + ".");
    listen();
  }

  // A restaurant form: activation, one turn per required slot (sometimes interrupted by
  // chit-chat, which the form rejects), then deactivation and the submit action.
  void form() {
    static const std::vector<std::string> required = {"cuisine", "num_people", "outdoor_seating"};
    const char* rule = "policy_1_RulePolicy";
    user("request_restaurant", "I want to book a table");
    action("restaurant_form", rule, 1.0);
    Json loop = base("active_loop");
    loop["name"] = "restaurant_form";
    emit(loop);
    slot("requested_slot", required[0]);
    bot("utter_ask_cuisine", "What cuisine?");
    action("action_listen", rule, 1.0);
    for (std::size_t i = 0; i < required.size() && !done(); ++i) {
      if (rng_.chance(0.2)) {
        user("chitchat", "what is the meaning of life?");
        Json rej = base("action_execution_rejected");
        rej["name"] = "restaurant_form";
        rej["policy"] = rule;
        rej["confidence"] = 1.0;
        emit(rej);
        action("utter_chitchat", "policy_2_TEDPolicy");
        bot("utter_chitchat", "I am not sure, but let's get back to your booking.");
        action("restaurant_form", rule, 1.0);
        Json intr = base("loop_interrupted");
        intr["is_interrupted"] = false;
        emit(intr);
        bot("utter_ask_" + required[i], "Could you tell me the " + required[i] + "?");
        action("action_listen", rule, 1.0);
      }
      const Intent& inform = intents()[9];
      std::string value = i == 0 ? rng_.pick(inform.values) : i == 1 ? "4" : "yes";
      user("inform", rng_.pick(inform.texts), i == 0 ? "cuisine" : "", i == 0 ? value : "");
      action("restaurant_form", rule, 1.0);
      if (i == 1) slot(required[i], 4);
      else if (i == 2) slot(required[i], true);
      else slot(required[i], value);
      if (i + 1 < required.size()) {
        slot("requested_slot", required[i + 1]);
        bot("utter_ask_" + required[i + 1], "Could you tell me the " + required[i + 1] + "?");
        action("action_listen", rule, 1.0);
      }
    }
    slot("requested_slot", nullptr);
    Json off = base("active_loop");
    off["name"] = nullptr;
    emit(off);
    action("utter_submit", rule, 1.0);
    bot("utter_submit", "All done! Your table is booked.");
    action("action_listen", rule, 1.0);
  }

  // Low NLU confidence: the default fallback replies and reverts the user message.
  void fallback() {
    user("nlu_fallback", "asdf qwerty");
    action("action_default_fallback", "policy_1_RulePolicy", 1.0);
    bot("utter_default", "Sorry, I didn't get that. Could you rephrase?");
    emit(base("rewind"));
  }

  void undo() {
    user("deny", "no, undo that");
    action("action_undo_last");
    bot("utter_undone", "Okay, I undid that.");
    emit(base("undo"));
    listen();
  }

  void restart() {
    user("restart", "/restart");
    action("action_restart", "policy_1_RulePolicy", 1.0);
    bot("utter_restart", "Restarted.");
    emit(base("restart"));
    session_start();
  }

  std::ostream& out_;
  std::size_t target_;
  std::size_t count_ = 0;
  std::size_t bytes_ = 1;  // the opening bracket
  double t_ = 1630000000.0;
  Rng rng_{0xC0FFEE2808ULL};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: convo_bench_gen N OUT.json\n";
    return 2;
  }
  char* end = nullptr;
  unsigned long long n = std::strtoull(argv[1], &end, 10);
  if (!end || *end != '\0' || n == 0) {
    std::cerr << "convo_bench_gen: N must be a positive integer\n";
    return 2;
  }
  std::vector<char> buffer(1 << 20);
  std::ofstream out;
  out.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.open(argv[2], std::ios::binary);
  if (!out) {
    std::cerr << "convo_bench_gen: cannot write " << argv[2] << "\n";
    return 1;
  }
  Generator gen(out, static_cast<std::size_t>(n));
  gen.run();
  out.flush();
  if (!out) {
    std::cerr << "convo_bench_gen: write to " << argv[2] << " failed\n";
    return 1;
  }
  std::printf("wrote %llu events, %zu bytes (%.1f bytes/event) to %s\n", n, gen.bytes() + 2,
              static_cast<double>(gen.bytes() + 2) / static_cast<double>(n), argv[2]);
  return 0;
}
