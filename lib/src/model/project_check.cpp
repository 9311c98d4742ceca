// Validation of a Rasa 2.x project: every check that makes `rasa data validate` fail is an error
// here, located by file and line through the SourceMap of each parsed file.
#include <algorithm>
#include <map>
#include <set>

#include "convo/core/yaml_json.hpp"
#include "convo/model/archive.hpp"
#include "convo/model/project.hpp"
#include "convo/dialogue/processor.hpp"

namespace convo {
namespace {


struct Parsed {
  const ProjectFile* file = nullptr;
  Json doc;
  SourceMap map;
};

std::string base_intent(const std::string& name) { return name.substr(0, name.find('/')); }

class Checker {
 public:
  explicit Checker(ProjectReport& report) : r_(report) {}

  void error(const SourceMap& m, const std::string& ptr, const std::string& msg) {
    r_.errors.push_back(m.prefix(ptr) + msg);
  }
  void warning(const SourceMap& m, const std::string& ptr, const std::string& msg) {
    r_.warnings.push_back(m.prefix(ptr) + msg);
  }

  void set_domain(const Domain& d) {
    has_domain_ = true;
    intents_.insert(d.intents.begin(), d.intents.end());
    entities_.insert(d.entities.begin(), d.entities.end());
    for (const auto& s : d.slots) slots_.insert(s.name);
    for (const auto& item : d.responses.items()) responses_.insert(item.key());
    forms_.insert(d.form_names.begin(), d.form_names.end());
    // Rasa's default actions are valid in stories and rules without being listed in the domain.
    actions_.insert(default_action_names().begin(), default_action_names().end());
    actions_.insert(d.actions.begin(), d.actions.end());
    actions_.insert(responses_.begin(), responses_.end());
    actions_.insert(forms_.begin(), forms_.end());
  }

  // `version` must be a quoted 2.x string; a missing key is read as 2.x with a warning.
  void version(const Parsed& p) {
    if (!p.doc.is_object() || !p.doc.contains("version")) {
      warning(p.map, "", "no 'version' key: read as Rasa 2.x format (add version: \"2.0\")");
      return;
    }
    const Json& v = p.doc["version"];
    if (!v.is_string()) {
      error(p.map, "/version", "'version' must be a string: write version: \"2.0\" with quotes");
      return;
    }
    std::string text = v.get<std::string>();
    if (text.empty() || text[0] != '2' || (text.size() > 1 && text[1] != '.'))
      error(p.map, "/version", "version \"" + text + "\" is not supported: convo reads Rasa 2.x files (version \"2.0\")");
  }

  void domain_extras(const Parsed& p) {
    if (!p.doc.is_object()) return;
    if (p.doc.contains("actions") && p.doc["actions"].is_array()) {
      const Json& actions = p.doc["actions"];
      for (std::size_t i = 0; i < actions.size(); ++i) {
        if (!actions[i].is_string()) continue;
        std::string name = actions[i].get<std::string>();
        if (name.rfind("utter_", 0) == 0 && !responses_.count(name))
          error(p.map, json_pointer_child("/actions", i), "action '" + name + "' has no response in the domain");
      }
    }
    if (p.doc.contains("forms") && p.doc["forms"].is_object()) {
      for (const auto& form : p.doc["forms"].items()) {
        if (!form.value().is_object() || !form.value().contains("required_slots")) continue;
        const Json& required = form.value()["required_slots"];
        std::string ptr = json_pointer_child(json_pointer_child("/forms", form.key()), "required_slots");
        std::vector<std::string> names;
        if (required.is_object())
          for (const auto& item : required.items()) names.push_back(item.key());
        else if (required.is_array())
          for (const auto& item : required)
            if (item.is_string()) names.push_back(item.get<std::string>());
        for (const auto& slot : names)
          if (!slots_.count(slot))
            error(p.map, json_pointer_child(ptr, slot), "form '" + form.key() + "': required slot '" + slot + "' is not in the domain");
      }
    }
  }

  void config(const Parsed& p) {
    if (p.doc.is_null()) {
      warning(p.map, "", "config.yml is empty: Rasa's default pipeline and policies apply");
      return;
    }
    if (!p.doc.is_object()) {
      error(p.map, "", "config.yml must be a mapping (language:, pipeline:, policies:)");
      return;
    }
    static const std::set<std::string> known = {"version", "language", "pipeline", "policies", "importers", "recipe"};
    for (const auto& item : p.doc.items()) {
      std::string ptr = json_pointer_child("", item.key());
      if (!known.count(item.key())) warning(p.map, ptr, "unknown key '" + item.key() + "' (Rasa ignores it)");
    }
    if (!p.doc.contains("language")) warning(p.map, "", "no 'language': Rasa assumes \"en\"");
    else if (!p.doc["language"].is_string()) error(p.map, "/language", "'language' must be a string such as \"en\"");
    for (const char* key : {"pipeline", "policies"}) {
      if (!p.doc.contains(key) || p.doc[key].is_null()) continue;
      std::string ptr = json_pointer_child("", key);
      const Json& list = p.doc[key];
      if (!list.is_array()) {
        error(p.map, ptr, std::string("'") + key + "' must be a list of components (- name: ...)");
        continue;
      }
      for (std::size_t i = 0; i < list.size(); ++i)
        if (!list[i].is_object() || !list[i].contains("name") || !list[i]["name"].is_string())
          error(p.map, json_pointer_child(ptr, i), std::string(key) + " item " + std::to_string(i + 1) + " needs a 'name'");
    }
  }

  void data_file(const Parsed& p) {
    if (p.doc.is_null()) return;
    if (!p.doc.is_object()) {
      error(p.map, "", "a training data file must be a mapping (version:, nlu:, stories:, rules:)");
      return;
    }
    version(p);
    for (const auto& item : p.doc.items()) {
      const std::string& key = item.key();
      std::string ptr = json_pointer_child("", key);
      if (key == "version") continue;
      if (item.value().is_null()) continue;
      if ((key == "nlu" || key == "stories" || key == "rules") && !item.value().is_array()) {
        error(p.map, ptr, "'" + key + "' must be a list");
        continue;
      }
      if (key == "nlu") nlu(p, item.value());
      else if (key == "stories") blocks(p, item.value(), "story", "/stories");
      else if (key == "rules") blocks(p, item.value(), "rule", "/rules");
      else if (key != "responses") warning(p.map, ptr, "unknown key '" + key + "' (Rasa ignores it)");
    }
  }

  // Rasa 1.x Markdown NLU data (data/*.md): counted and checked against the domain; its warnings
  // are reported when the NLU model is trained.
  void markdown_file(const ProjectFile& f, const std::string& location) {
    auto data = nlu::read_nlu_file(f.text, location + f.name);
    if (!data) {
      r_.errors.push_back(data.error().message);
      return;
    }
    std::set<std::string> unknown;
    for (const auto& ex : data->examples) {
      ++r_.nlu_examples;
      nlu_intents_.insert(ex.intent);
      example_intents_[ex.text].insert(ex.full_intent);
      if (has_domain_ && !intents_.count(ex.intent) && unknown.insert(ex.intent).second)
        r_.errors.push_back(ex.where + ": intent '" + ex.full_intent + "' has examples but is not in the domain");
    }
  }

  // After every file: domain intents without examples, examples under two intents.
  void finish(const Parsed* domain) {
    for (const auto& [text, intents] : example_intents_) {
      if (intents.size() < 2) continue;
      std::string list;
      for (const auto& i : intents) list += (list.empty() ? "" : ", ") + i;
      r_.warnings.push_back("example '" + text + "' is listed under several intents: " + list);
    }
    if (!domain || !domain->doc.is_object()) return;
    Json names = domain_names(domain->doc);
    for (std::size_t i = 0; i < names["intents"].size(); ++i) {
      std::string intent = names["intents"][i].get<std::string>();
      if (!nlu_intents_.count(intent) && r_.nlu_examples > 0)
        warning(domain->map, json_pointer_child("/intents", i), "intent '" + intent + "' has no NLU examples");
    }
  }

 private:
  void nlu(const Parsed& p, const Json& items) {
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string ptr = json_pointer_child("/nlu", i);
      const Json& item = items[i];
      if (!item.is_object()) {
        error(p.map, ptr, "an nlu item must be a mapping (intent:, examples:)");
        continue;
      }
      std::string kind;
      for (const char* k : {"intent", "synonym", "regex", "lookup"})
        if (item.contains(k)) kind = k;
      if (kind.empty()) {
        error(p.map, ptr, "an nlu item needs one of intent:, synonym:, regex:, lookup:");
        continue;
      }
      if (!item[kind].is_string()) {
        error(p.map, json_pointer_child(ptr, kind), kind + " name must be a string");
        continue;
      }
      std::string name = item[kind].get<std::string>();
      if (!item.contains("examples")) {
        error(p.map, ptr, kind + " '" + name + "' has no examples");
        continue;
      }
      std::vector<std::string> examples = example_texts(item["examples"]);
      if (examples.empty())
        error(p.map, json_pointer_child(ptr, "examples"), kind + " '" + name + "': examples must be a block of '- text' lines");
      if (kind != "intent") continue;
      r_.nlu_examples += examples.size();
      nlu_intents_.insert(base_intent(name));
      for (const auto& e : examples) example_intents_[e].insert(name);
      if (has_domain_ && !intents_.count(base_intent(name)))
        error(p.map, json_pointer_child(ptr, "intent"), "intent '" + name + "' has examples but is not in the domain");
    }
  }

  static std::vector<std::string> example_texts(const Json& examples) {
    std::vector<std::string> out;
    if (examples.is_string()) {
      std::string text = examples.get<std::string>();
      std::size_t start = 0;
      while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        line.erase(0, line.find_first_not_of(" \t"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (line.rfind("- ", 0) == 0 && line.size() > 2) out.push_back(line.substr(2));
        if (end == std::string::npos) break;
        start = end + 1;
      }
    } else if (examples.is_array()) {
      for (const auto& e : examples)
        if (e.is_object() && e.contains("text") && e["text"].is_string()) out.push_back(e["text"].get<std::string>());
    }
    return out;
  }

  void blocks(const Parsed& p, const Json& items, const std::string& kind, const std::string& base) {
    static const std::set<std::string> story_keys = {"story", "steps", "metadata"};
    static const std::set<std::string> rule_keys = {"rule", "steps", "metadata", "condition", "conversation_start", "wait_for_user_input"};
    const auto& allowed = kind == "story" ? story_keys : rule_keys;
    for (std::size_t i = 0; i < items.size(); ++i) {
      std::string ptr = json_pointer_child(base, i);
      const Json& block = items[i];
      (kind == "story" ? r_.stories : r_.rules) += 1;
      if (!block.is_object() || !block.contains(kind) || !block[kind].is_string()) {
        error(p.map, ptr, "a " + kind + " needs a name ('" + kind + ": ...')");
        if (!block.is_object()) continue;
      }
      std::string label = kind + " '" + block.value(kind, std::string("?")) + "': ";
      for (const auto& item : block.items())
        if (!allowed.count(item.key())) error(p.map, json_pointer_child(ptr, item.key()), label + "unknown key '" + item.key() + "'");
      if (!block.contains("steps") || !block["steps"].is_array()) {
        error(p.map, ptr, label + "'steps' must be a list");
        continue;
      }
      steps(p, block["steps"], json_pointer_child(ptr, "steps"), label);
      if (block.contains("condition")) {
        if (block["condition"].is_array()) steps(p, block["condition"], json_pointer_child(ptr, "condition"), label);
        else error(p.map, json_pointer_child(ptr, "condition"), label + "'condition' must be a list");
      }
    }
  }

  void steps(const Parsed& p, const Json& list, const std::string& ptr, const std::string& label) {
    for (std::size_t i = 0; i < list.size(); ++i) step(p, list[i], json_pointer_child(ptr, i), label);
  }

  void step(const Parsed& p, const Json& s, const std::string& ptr, const std::string& label) {
    static const std::set<std::string> keys = {"intent", "user", "entities", "action", "bot", "active_loop",
                                               "slot_was_set", "checkpoint", "or", "metadata"};
    if (!s.is_object()) {
      error(p.map, ptr, label + "a step must be a mapping (intent:, action:, slot_was_set:, ...)");
      return;
    }
    for (const auto& item : s.items()) {
      const std::string& key = item.key();
      const Json& v = item.value();
      std::string at = json_pointer_child(ptr, key);
      if (!keys.count(key)) {
        error(p.map, at, label + "unknown step key '" + key + "'");
      } else if (key == "intent" || key == "action" || key == "user" || key == "bot" || key == "checkpoint") {
        if (!v.is_string()) error(p.map, at, label + key + " must be a string");
        else if (key == "intent") name_check(p, at, label, "intent", base_intent(v.get<std::string>()), intents_);
        else if (key == "action") action_check(p, at, label, v.get<std::string>());
      } else if (key == "active_loop") {
        if (!v.is_null() && !v.is_string()) error(p.map, at, label + "active_loop must be a form name or null");
        else if (v.is_string() && v.get<std::string>() != "null" && v.get<std::string>() != "action_two_stage_fallback")
          name_check(p, at, label, "form", v.get<std::string>(), forms_);  // Rasa's one loop action is allowed too
      } else if (key == "entities" || key == "slot_was_set") {
        names_in_list(p, v, at, label, key == "entities" ? "entity" : "slot", key == "entities" ? entities_ : slots_);
      } else if (key == "or") {
        if (!v.is_array()) error(p.map, at, label + "'or' must be a list of steps");
        else steps(p, v, at, label);
      }
    }
  }

  void names_in_list(const Parsed& p, const Json& v, const std::string& at, const std::string& label,
                     const std::string& what, const std::set<std::string>& known) {
    if (!v.is_array()) {
      error(p.map, at, label + what + " list expected (- name or - name: value)");
      return;
    }
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::string item_ptr = json_pointer_child(at, i);
      if (v[i].is_string()) name_check(p, item_ptr, label, what, v[i].get<std::string>(), known);
      else if (v[i].is_object() && v[i].size() == 1) name_check(p, item_ptr, label, what, v[i].begin().key(), known);
      else error(p.map, item_ptr, label + what + " items are '- name' or '- name: value'");
    }
  }

  void name_check(const Parsed& p, const std::string& at, const std::string& label, const std::string& what,
                  const std::string& name, const std::set<std::string>& known) {
    if (has_domain_ && !known.count(name)) error(p.map, at, label + what + " '" + name + "' is not in the domain");
  }

  void action_check(const Parsed& p, const std::string& at, const std::string& label, const std::string& name) {
    if (!has_domain_ || actions_.count(name)) return;
    if (name.rfind("utter_", 0) == 0) error(p.map, at, label + "action '" + name + "' has no response in the domain");
    else error(p.map, at, label + "action '" + name + "' is not in the domain");
  }

  ProjectReport& r_;
  bool has_domain_ = false;
  std::set<std::string> intents_, entities_, slots_, responses_, forms_, actions_;
  std::set<std::string> nlu_intents_;
  std::map<std::string, std::set<std::string>> example_intents_;
};

}  // namespace

Json domain_names(const Json& domain_yaml) {
  Json out = Json::object();
  for (const char* key : {"intents", "entities", "slots", "responses", "actions", "forms"}) {
    Json names = Json::array();
    const Json* section = domain_yaml.is_object() && domain_yaml.contains(key) ? &domain_yaml[key] : nullptr;
    if (section && section->is_object()) {
      for (const auto& item : section->items()) names.push_back(item.key());
    } else if (section && section->is_array()) {
      for (const auto& item : *section) {
        if (item.is_string()) names.push_back(item);
        else if (item.is_object() && item.size() == 1) names.push_back(item.begin().key());
      }
    }
    out[key] = std::move(names);
  }
  return out;
}

ProjectReport validate_project(const std::vector<ProjectFile>& files, const std::string& location) {
  ProjectReport report;
  Checker check(report);
  std::vector<Parsed> parsed;
  for (const auto& f : files) {
    if (nlu::is_markdown_name(f.name)) continue;  // Markdown NLU data: markdown_file below
    Parsed p{&f, Json(), SourceMap(location + f.name)};
    auto doc = yaml_to_json(f.text, p.map);
    if (!doc) {
      report.errors.push_back(doc.error().message);
      continue;
    }
    p.doc = std::move(*doc);
    parsed.push_back(std::move(p));
  }
  const Parsed* domain = nullptr;
  const Parsed* config = nullptr;
  for (const auto& p : parsed) {
    if (p.file->name == "domain.yml") domain = &p;
    if (p.file->name == "config.yml") config = &p;
  }
  bool have_domain_file = std::any_of(files.begin(), files.end(), [](const ProjectFile& f) { return f.name == "domain.yml"; });
  bool have_config_file = std::any_of(files.begin(), files.end(), [](const ProjectFile& f) { return f.name == "config.yml"; });
  if (!have_domain_file) report.errors.push_back(location + "domain.yml: missing (a project needs domain.yml and config.yml)");
  if (!have_config_file) report.errors.push_back(location + "config.yml: missing (a project needs domain.yml and config.yml)");
  if (domain) {
    check.version(*domain);
    auto loaded = domain_from_yaml(domain->file->text, location + "domain.yml");
    if (loaded) {
      for (const auto& w : loaded->warnings) report.warnings.push_back(location + "domain.yml: " + w);
      check.set_domain(*loaded);
      check.domain_extras(*domain);
      report.domain = std::move(*loaded);
    } else {
      report.errors.push_back(loaded.error().message);
    }
  }
  if (config) check.config(*config);
  for (const auto& p : parsed)
    if (p.file->name != "domain.yml" && p.file->name != "config.yml") check.data_file(p);
  for (const auto& f : files)
    if (nlu::is_markdown_name(f.name)) check.markdown_file(f, location);
  check.finish(report.domain ? domain : nullptr);
  if (report.ok() && report.stories == 0 && report.rules == 0)
    report.warnings.push_back(location + "data/: no stories and no rules");
  // The dialogue is trained as `convo serve` will train it: what would fail there fails here.
  if (report.ok() && report.domain && config) {
    std::vector<std::pair<std::string, std::string>> data;
    for (const auto& f : files)
      if (is_training_file(f.name)) data.emplace_back(location + f.name, f.text);
    auto bot = dialogue::build_bot(std::make_shared<const Domain>(*report.domain), config->doc, data);
    if (!bot) report.errors.push_back(location + bot.error().message);
    else
      for (const auto& w : (*bot)->warnings) report.warnings.push_back(w);
  }
  return report;
}

}  // namespace convo
