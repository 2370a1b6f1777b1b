// SPDX-License-Identifier: MIT
#include "cli.hpp"

#include <sstream>

#include <CLI/CLI.hpp>

#include "diagnostic.hpp"

namespace pt {

namespace {

constexpr const char* k_footer = R"(
Exit status: 0 all ran tasks succeeded (or nothing to run), 1 a task failed,
timed out, crashed or could not start, 64 usage error, 75 every selected task
was skipped because another run holds it, 78 invalid or untrusted config,
130/143 interrupted by SIGINT/SIGTERM.

Environment: PERIODIC_TASKS_CONFIG names the config file (like --config).
See periodic_tasks(8) and docs/ for the config format and journal fields.)";

struct RunFlags
{
  CLI::Option* as_of = nullptr;
};

// Adds the run options to `command` (the top level and the `run` subcommand
// share them, so `periodic_tasks --dry-run` and `periodic_tasks run --dry-run` match).
void add_run_options(CLI::App& command, CliOptions& options, std::string& as_of,
                     std::vector<CLI::Option*>& as_of_options)
{
  command.add_flag(
      "--dry-run", options.dry_run,
      "Run each task's dry_run_args form; tasks without one only report what would run");
  as_of_options.push_back(command.add_option(
      "--as-of", as_of, "The day to run for, YYYY-MM-DD (default: today in settings.timezone)"));
  command.add_flag("--json", options.json, "Print the run summary as one JSON object on stdout");
}

void add_config_option(CLI::App& command, std::string& config, std::vector<CLI::Option*>& list)
{
  list.push_back(command.add_option("-c,--config", config,
                                    "Config file (default: $PERIODIC_TASKS_CONFIG, else "
                                    "/etc/periodic-tasks/config.toml)"));
}

bool any_given(const std::vector<CLI::Option*>& options)
{
  for (const auto* option : options) {
    if (option->count() > 0) {
      return true;
    }
  }
  return false;
}

} // namespace

CliParse parse_command_line(int argc, const char* const* argv)
{
  CliOptions options;
  std::string config;
  std::string as_of;
  std::vector<CLI::Option*> config_options;
  std::vector<CLI::Option*> as_of_options;
  bool version = false;

  CLI::App app{"Runs a server's periodic maintenance tasks in turn, with failure isolation, "
               "logging to the systemd journal.",
               "periodic_tasks"};
  app.footer(k_footer);
  app.require_subcommand(0, 1);
  app.add_flag("--version", version, "Print the version and exit");
  add_config_option(app, config, config_options);
  add_run_options(app, options, as_of, as_of_options);

  auto* run = app.add_subcommand("run", "Run every enabled task in order, or just the named ones "
                                        "(disabled ones too)");
  run->add_option("task", options.tasks, "Tasks to run, in this order");
  add_config_option(*run, config, config_options);
  add_run_options(*run, options, as_of, as_of_options);

  auto* list = app.add_subcommand("list", "List the tasks in run order");
  list->add_flag("--json", options.json, "Print the list as JSON");
  add_config_option(*list, config, config_options);

  auto* check = app.add_subcommand("check", "Validate the config and its drop-ins; exit 0 or 78");
  add_config_option(*check, config, config_options);

  std::vector<std::string> args;
  for (int i = argc - 1; i > 0; --i) {
    args.emplace_back(argv[i]); // CLI11 wants them reversed
  }
  CliParse result;
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp&) {
    result.output = app.help();
    return result;
  } catch (const CLI::CallForAllHelp&) {
    result.output = app.help("", CLI::AppFormatMode::All);
    return result;
  } catch (const CLI::ParseError& e) {
    result.output = std::string(e.what()) + "; run 'periodic_tasks --help' for usage";
    result.exit_code = k_exit_usage;
    return result;
  }

  if (version) {
    options.command = Command::version;
  } else if (list->parsed()) {
    options.command = Command::list;
  } else if (check->parsed()) {
    options.command = Command::check;
  }
  if (any_given(config_options)) {
    options.config_path = config;
  }
  if (any_given(as_of_options)) {
    options.as_of = as_of;
  }
  result.options = options;
  return result;
}

} // namespace pt
