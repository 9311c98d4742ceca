// convo nlu parse|test: convo's own NLU (lib/include/convo/nlu) from the command line: a model
// archive's classifier on one text, and Rasa's intent report on test data, for CI.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>

#include "cli.hpp"
#include "convo/dialogue/understanding.hpp"
#include "convo/io/file.hpp"
#include "convo/model/archive.hpp"
#include "convo/model/project.hpp"
#include "convo/nlu/report.hpp"
#include "convo/render/style.hpp"

namespace convo::cli {
namespace {

namespace fs = std::filesystem;

struct ParseOptions {
  std::string text;
  std::string model = "models";
  Format format = Format::Auto;
};

struct TestOptions {
  std::vector<std::string> data;
  std::string model;
  std::vector<std::string> train;
  std::string config;
  int folds = 0;
  double min_f1 = -1;
  bool errors = false;
  Format format = Format::Auto;
};

Result<std::shared_ptr<const nlu::NluModel>> load_nlu(const std::string& path) {
  auto resolved = resolve_model_path(path);
  if (!resolved) return resolved.error();
  auto archive = load_model_archive(*resolved);
  if (!archive) return archive.error();
  if (!archive->nlu) return not_found_error(*resolved + " has no NLU model (the project had no NLU examples)");
  return archive->nlu;
}

// NLU data from files and directories (their *.yml, *.yaml, *.md, sorted by name).
Result<nlu::TrainingData> read_data(const std::vector<std::string>& paths) {
  nlu::TrainingData data;
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
      files.push_back(path);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && nlu::is_data_file_name(it->path().filename().string())) found.push_back(it->path().string());
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  for (const auto& f : files) {
    auto text = read_text_file(f);
    if (!text) return text.error();
    auto read = nlu::read_nlu_file(*text, f);
    if (!read) return read.error();
    data.merge(std::move(*read));
  }
  return data;
}

// Data that a model is trained on, its lookup table files read (from the current directory, as
// Rasa reads them when it trains; data only evaluated never needs them).
Result<nlu::TrainingData> read_training_data(const std::vector<std::string>& paths) {
  auto data = read_data(paths);
  if (!data) return data;
  if (auto lookups = read_lookup_files(*data); !lookups) return lookups.error();
  return data;
}

void print_parse_table(const Json& p) {
  const Style style = style_for_fd(STDOUT_FILENO);
  const Json& intent = p["intent"];
  std::cout << style.paint("intent", Tone::Bold) << "  " << py_str(intent["name"])
            << fmt::format(" ({:.3f})\n", intent.value("confidence", 0.0));
  if (p.contains("intent_ranking") && p["intent_ranking"].size() > 1) {
    std::cout << style.paint("ranking", Tone::Bold) << "\n";
    for (const auto& r : p["intent_ranking"])
      std::cout << fmt::format("  {:<30} {:.3f}\n", py_str(r["name"]), r.value("confidence", 0.0));
  }
  if (!p["entities"].empty()) {
    std::cout << style.paint("entities", Tone::Bold) << "\n";
    for (const auto& e : p["entities"])
      std::cout << fmt::format("  {:<16} {:<24} [{}, {})  {}\n", py_str(e["entity"]), py_str(e["value"]),
                               e["start"].dump(), e["end"].dump(), py_str(e.value("extractor", Json(""))));
  }
}

int run_parse(const ParseOptions& opt) {
  auto model = load_nlu(opt.model);
  if (!model) return report(model.error());
  const Json parsed = opt.text.rfind("/", 0) == 0 ? dialogue::parse_message(opt.text, "", nullptr, nullptr, nullptr)
                                                  : (*model)->parse(opt.text);
  if (want_json(opt.format)) std::cout << dump_compact(parsed) << "\n";
  else print_parse_table(parsed);
  return kOk;
}

void print_report_table(const Json& r, const Json& errors, bool show_errors) {
  const Style style = style_for_fd(STDOUT_FILENO);
  std::cout << style.paint(fmt::format("{:<32} {:>9} {:>9} {:>9} {:>8}  {}", "intent", "precision", "recall", "f1-score",
                                       "support", "confused with"),
                           Tone::Bold)
            << "\n";
  for (const auto& [name, row] : r.items()) {
    if (name == "accuracy" || name == "macro avg" || name == "weighted avg") continue;
    std::string confused;
    for (const auto& [other, count] : row["confused_with"].items())
      confused += (confused.empty() ? "" : ", ") + other + " (" + count.dump() + ")";
    const double f1 = row["f1-score"].get<double>();
    std::cout << fmt::format("{:<32} {:>9.3f} {:>9.3f} ", name, row["precision"].get<double>(), row["recall"].get<double>())
              << style.paint(fmt::format("{:>9.3f}", f1), f1 < 0.5 ? Tone::Warn : Tone::Plain)
              << fmt::format(" {:>8}  {}\n", row["support"].dump(), confused);
  }
  std::cout << "\n" << fmt::format("{:<32} {:>29.3f} {:>8}\n", "accuracy", r["accuracy"].get<double>(), r["weighted avg"]["support"].dump());
  for (const char* avg : {"macro avg", "weighted avg"})
    std::cout << fmt::format("{:<32} {:>9.3f} {:>9.3f} {:>9.3f} {:>8}\n", avg, r[avg]["precision"].get<double>(),
                             r[avg]["recall"].get<double>(), r[avg]["f1-score"].get<double>(), r[avg]["support"].dump());
  if (show_errors && !errors.empty()) {
    std::cout << "\n" << style.paint("errors", Tone::Bold) << "\n";
    for (const auto& e : errors)
      std::cout << fmt::format("  {:<40} {} -> {} ({:.3f})\n", e["text"].get<std::string>(), e["intent"].get<std::string>(),
                               e["intent_prediction"]["name"].get<std::string>(),
                               e["intent_prediction"]["confidence"].get<double>());
  }
}

Result<std::vector<nlu::Prediction>> predictions_for(const TestOptions& opt, const nlu::TrainingData& data) {
  std::vector<std::string> warnings;
  if (opt.folds > 0) {
    auto predicted = nlu::cross_validate(data, opt.folds, warnings);
    warn_all(warnings);
    return predicted;
  }
  std::shared_ptr<const nlu::NluModel> model;
  if (!opt.train.empty()) {
    auto train = read_training_data(opt.train);
    if (!train) return train.error();
    nlu::FallbackSettings fallback;
    auto trained = nlu::NluModel::train(*train, fallback, warnings);
    warn_all(warnings);
    if (!trained) return trained.error();
    model = std::make_shared<const nlu::NluModel>(std::move(*trained));
  } else {
    auto loaded = load_nlu(opt.model.empty() ? "models" : opt.model);
    if (!loaded) return loaded.error();
    model = *loaded;
  }
  return nlu::evaluate(*model, data);
}

int run_test(const TestOptions& opt) {
  if (opt.folds > 0 && (!opt.model.empty() || !opt.train.empty()))
    return report(usage_error("--cross-validation trains its own models: give neither --model nor --train"));
  if (!opt.model.empty() && !opt.train.empty()) return report(usage_error("give --model or --train, not both"));
  auto data = opt.folds > 0 ? read_training_data(opt.data) : read_data(opt.data);
  if (!data) return report(data.error());
  warn_all(data->warnings);
  if (data->examples.empty()) return report(runtime_error("no NLU examples in " + opt.data.front() + (opt.data.size() > 1 ? " ..." : "")));
  auto predicted = predictions_for(opt, *data);
  if (!predicted) return report(predicted.error());
  const Json r = nlu::intent_report(*predicted);
  const Json errors = nlu::intent_errors(*predicted);
  if (want_json(opt.format)) std::cout << dump_compact(Json{{"intent_report", r}, {"errors", errors}}) << "\n";
  else print_report_table(r, errors, opt.errors);
  const double f1 = r["weighted avg"]["f1-score"].get<double>();
  if (opt.min_f1 >= 0 && f1 < opt.min_f1) {
    std::cerr << "convo: " << fmt::format("weighted F1 {:.4f} is below --min-f1 {:.4f}", f1, opt.min_f1) << "\n";
    return kRuntime;
  }
  return kOk;
}

}  // namespace

void setup_nlu(CLI::App& app, int& exit_code) {
  CLI::App* nlu = app.add_subcommand("nlu", "Parse texts and test intents with a model's built-in NLU");
  nlu->require_subcommand(1);
  set_examples(*nlu, {"convo nlu parse \"I want to fly to Berlin\" --model models/",
                      "convo nlu test data/nlu.yml --cross-validation 5 --min-f1 0.8"});

  auto parse = std::make_shared<ParseOptions>();
  CLI::App* p = nlu->add_subcommand("parse", "Parse one text as /model/parse does (intent, entities, intent_ranking)");
  set_examples(*p, {"convo nlu parse \"hello there\"                 # the newest archive in models/",
                    "convo nlu parse \"book a table for two\" --model models/bot.tar.gz -o json",
                    "convo nlu parse '/greet{\"name\": \"Ann\"}'      # '/' texts: Rasa's regex interpreter"},
               "Exit 3 when the model is missing or has no NLU model (built from a project\nwithout NLU examples).");
  p->add_option("text", parse->text, "The text to parse")->required()->type_name("TEXT");
  p->add_option("--model", parse->model, "Model archive, or a directory (its newest *.tar.gz)")->capture_default_str()->type_name("PATH");
  add_format_option(*p, parse->format);
  p->callback([parse, &exit_code] { exit_code = run_parse(*parse); });

  auto test = std::make_shared<TestOptions>();
  CLI::App* t = nlu->add_subcommand("test", "Rasa's intent report (precision, recall, F1, confusions) on test data");
  set_examples(*t, {"convo nlu test data/test_nlu.yml --model models/",
                    "convo nlu test data/ --cross-validation 5 -o json",
                    "convo nlu test test.yml --train train.yml --min-f1 0.85 || echo 'NLU got worse'"},
               "DATA: NLU files (YAML 2.x or Markdown *.md) or directories of them. Predictions come from\n"
               "--model (default: the newest archive in models/), from a model trained on --train, or\n"
               "from --cross-validation K (stratified folds in data order: deterministic). The nlu_fallback\n"
               "intent is not applied, as in `rasa test nlu`. Exit 1 when the weighted average F1 is below\n"
               "--min-f1; 3 when the model is missing or has no NLU model.");
  t->add_option("data", test->data, "NLU test data: files or directories")->required()->type_name("DATA");
  t->add_option("--model", test->model, "Model archive, or a directory (its newest *.tar.gz); default models/")->type_name("PATH");
  t->add_option("--train", test->train, "Train a model on these NLU files or directories instead (repeatable)")->type_name("DATA");
  t->add_option("--cross-validation", test->folds, "Cross-validate DATA with K folds instead")->check(CLI::Range(2, 1000))->type_name("K");
  t->add_option("--min-f1", test->min_f1, "Exit 1 when the weighted average F1 is below this")->check(CLI::Range(0.0, 1.0))->type_name("X");
  t->add_flag("--errors", test->errors, "List the wrongly predicted examples under the table (JSON always has them)");
  add_format_option(*t, test->format);
  t->callback([test, &exit_code] { exit_code = run_test(*test); });
}

}  // namespace convo::cli
