#include "convo/render/timeline.hpp"

#include <fmt/format.h>

#include <unordered_set>

#include "convo/core/datetime.hpp"

namespace convo {
namespace {

// Strings unquoted, everything else as compact JSON.
std::string text_of(const Json& v) { return v.is_string() ? v.get<std::string>() : dump_compact(v); }

std::string quoted(const Json& v) { return v.is_string() ? "\"" + v.get<std::string>() + "\"" : dump_compact(v); }

std::string entity_list(const Json& entities) {
  if (!entities.is_array() || entities.empty()) return "";
  std::string out;
  for (const auto& ent : entities) {
    if (!out.empty()) out += ", ";
    if (ent.is_object() && ent.contains("entity"))
      out += text_of(ent["entity"]) + "=" + quoted(ent.value("value", Json()));
    else
      out += dump_compact(ent);
  }
  return out;
}

std::string time_of(const Json& ts) {
  return ts.is_number() ? format_epoch_utc(ts.get<double>()) : dump_compact(ts);
}

Tone tone_of(const std::string& actor) {
  if (actor == "user") return Tone::User;
  if (actor == "bot") return Tone::Bot;
  if (actor == "action") return Tone::Action;
  return Tone::System;
}

// Cuts to `width` display columns (UTF-8 aware), marking the cut with an ellipsis.
std::string fit(const std::string& s, std::size_t width) {
  std::size_t cols = 0, i = 0;
  while (i < s.size()) {
    if (cols + 1 == width && i < s.size()) {
      std::size_t rest = 0;
      for (std::size_t j = i; j < s.size(); ++j)
        if ((static_cast<unsigned char>(s[j]) & 0xC0) != 0x80) ++rest;
      if (rest > 1) return s.substr(0, i) + "…";
    }
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    ++cols;
  }
  return s;
}

}  // namespace

std::string event_actor(const Event& e) {
  switch (e.type) {
    case EventType::User:
    case EventType::UserFeaturization:
    case EventType::Entities: return "user";
    case EventType::Bot:
    case EventType::Agent: return "bot";
    case EventType::Action:
    case EventType::ActionExecutionRejected:
    case EventType::Followup:
    case EventType::ActiveLoop:
    case EventType::LoopInterrupted: return "action";
    default: return "system";
  }
}

std::string event_details(const Event& e) {
  switch (e.type) {
    case EventType::User: {
      std::string out = quoted(e.get("text"));
      const Json intent = e.intent_name();
      if (!intent.is_null()) {
        out += "  intent=" + text_of(intent);
        const Json& pd = e.get("parse_data");
        if (pd.is_object() && pd["intent"].is_object() && pd["intent"].contains("confidence"))
          out += fmt::format(" ({})", dump_compact(pd["intent"]["confidence"]));
      }
      std::string ents = entity_list(e.nlu_entities());
      if (!ents.empty()) out += "  " + ents;
      if (!e.get("input_channel").is_null()) out += "  via " + text_of(e.get("input_channel"));
      return out;
    }
    case EventType::Bot: {
      std::string out = quoted(e.get("text"));
      const Json& md = e.get("metadata");
      if (md.is_object() && md.contains("utter_action")) out += "  (" + text_of(md["utter_action"]) + ")";
      return out;
    }
    case EventType::Agent: return quoted(e.get("text"));
    case EventType::Action: {
      std::string out = py_truthy(e.get("name")) ? text_of(e.get("name")) : quoted(e.get("action_text"));
      if (!e.get("policy").is_null()) out += "  " + text_of(e.get("policy"));
      if (!e.get("confidence").is_null()) out += " " + dump_compact(e.get("confidence"));
      return out;
    }
    case EventType::Slot: return text_of(e.get("name")) + " = " + dump_compact(e.get("value"));
    case EventType::Entities: return entity_list(e.get("entities"));
    case EventType::UserFeaturization:
      return "use_text=" + dump_compact(e.get("use_text_for_featurization"));
    case EventType::ActiveLoop:
      return e.get("name").is_null() ? "deactivated" : text_of(e.get("name"));
    case EventType::LoopInterrupted: return "is_interrupted=" + dump_compact(e.get("is_interrupted"));
    case EventType::ActionExecutionRejected: return text_of(e.get("name"));
    case EventType::Followup: return text_of(e.get("name"));
    case EventType::Reminder:
      return text_of(e.get("name")) + " at " + text_of(e.get("date_time")) + " -> " +
             text_of(e.get("intent"));
    case EventType::SessionStarted: {
      const Json& md = e.get("metadata");
      return md.is_null() ? "" : "metadata " + dump_compact(md);
    }
    case EventType::Passthrough: {
      Json rest = e.data();
      rest.erase("event");
      rest.erase("timestamp");
      return dump_compact(rest);
    }
    default: return "";
  }
}

std::string render_timeline(const Tracker& tracker, const TimelineOptions& options,
                            const Style& style) {
  std::string out;
  auto events = select_events(tracker.events_for(options.verbosity), options.types, options.tail);
  std::unordered_set<const Event*> applied;
  for (const auto& e : tracker.applied_events()) applied.insert(e.get());

  out += style.paint(fmt::format("Conversation {}", tracker.sender_id()), Tone::Bold);
  out += fmt::format("  {} events ({} shown, {}), {} applied\n", tracker.events().size(),
                     events.size(), verbosity_name(options.verbosity), applied.size());
  out += style.paint(fmt::format("  {:<23} {:<6} {:<18} {}\n", "TIME", "ACTOR", "EVENT", "DETAILS"),
                     Tone::Dim);
  const std::size_t detail_width = options.width > 52 ? options.width - 52 : 20;
  for (const auto& e : events) {
    bool live = applied.count(e.get()) > 0;
    std::string actor = event_actor(*e);
    std::string name(e->name());
    std::string line = fmt::format("{:<23} ", time_of(e->timestamp()));
    std::string marker = live ? " " : "~";
    out += style.paint(marker, Tone::Dim) + " " + (live ? line : style.paint(line, Tone::Dim));
    out += style.paint(fmt::format("{:<6}", actor), live ? tone_of(actor) : Tone::Dim) + " ";
    out += style.paint(fmt::format("{:<18}", name), live ? Tone::Plain : Tone::Dim) + " ";
    out += style.paint(fit(event_details(*e), detail_width), live ? Tone::Plain : Tone::Dim) + "\n";
  }
  if (events.size() != applied.size() || events.empty()) {
    out += style.paint("  ~ = not applied (before a restart or session start, rewound, undone, "
                       "or collapsed into a form run)\n", Tone::Dim);
  }

  out += "\n" + style.paint("Slots", Tone::Bold) + "\n";
  Json slots = tracker.slot_values();
  if (slots.empty()) out += "  (none)\n";
  for (const auto& [name, value] : slots.items()) {
    Tone tone = value.is_null() ? Tone::Dim : Tone::Plain;
    out += style.paint(fmt::format("  {:<24} {}\n", name, dump_compact(value)), tone);
  }

  out += "\n" + style.paint("Latest message", Tone::Bold) + "\n";
  Json msg = tracker.latest_message_data();
  const Json& intent = msg["intent"];
  out += fmt::format("  text      {}\n", quoted(msg.value("text", Json())));
  if (intent.is_object() && intent.contains("name"))
    out += fmt::format("  intent    {} ({})\n", text_of(intent["name"]),
                       dump_compact(intent.value("confidence", Json())));
  std::string ents = entity_list(msg["entities"]);
  if (!ents.empty()) out += "  entities  " + ents + "\n";

  out += "\n" + style.paint("State", Tone::Bold) + "\n";
  Json loop = tracker.active_loop_state();
  out += fmt::format("  latest action    {}\n", text_of(tracker.latest_action_name()));
  out += fmt::format("  followup action  {}\n", text_of(tracker.followup_action()));
  out += fmt::format("  active loop      {}\n",
                     loop.contains("name") ? text_of(loop["name"]) : std::string("none"));
  out += fmt::format("  paused           {}\n", tracker.paused() ? "yes" : "no");
  out += fmt::format("  input channel    {}\n", text_of(tracker.latest_input_channel()));
  return out;
}

}  // namespace convo
