#include "convo/render/conversation_table.hpp"

#include <fmt/format.h>

#include "convo/core/datetime.hpp"

namespace convo {
namespace {

std::string when(const Json& t) { return t.is_number() ? format_epoch_utc(t.get<double>(), false) : "-"; }

}  // namespace

std::string render_conversation_table(const std::vector<ConversationSummary>& conversations, const std::string& where,
                                      const Style& style) {
  std::string out = style.paint(fmt::format("{:<32} {:>7}  {:<19}  {:<19}\n", "CONVERSATION", "EVENTS", "FIRST (UTC)", "LAST (UTC)"), Tone::Dim);
  for (const auto& c : conversations)
    out += fmt::format("{:<32} {:>7}  {:<19}  {:<19}\n", c.sender_id, c.events, when(c.first_event_time), when(c.last_event_time));
  out += style.paint(fmt::format("{} conversation{} in {}\n", conversations.size(), conversations.size() == 1 ? "" : "s", where), Tone::Dim);
  return out;
}

}  // namespace convo
