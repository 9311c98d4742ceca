// The Rasa version convo speaks for (GET /version, model metadata, error bodies).
#pragma once

namespace convo {

constexpr const char* kRasaVersion = "2.8.12";  // what clients see as the server's Rasa version
constexpr const char* kMinimumCompatibleVersion = "2.8.9";

}  // namespace convo
