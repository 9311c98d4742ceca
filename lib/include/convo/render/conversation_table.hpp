// `convo tracker list` for people: one row a conversation (id, event count, first and last event
// time in UTC) and a closing line naming the store.
#pragma once

#include <string>
#include <vector>

#include "convo/render/style.hpp"
#include "convo/store/tracker_store.hpp"

namespace convo {

std::string render_conversation_table(const std::vector<ConversationSummary>& conversations,
                                      const std::string& where, const Style& style);

}  // namespace convo
