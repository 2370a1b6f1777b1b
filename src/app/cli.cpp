// SPDX-License-Identifier: MIT
#include "app/cli.hpp"

#include <sstream>

#include <CLI/CLI.hpp>

#include "util/diagnostic.hpp"

namespace pt {

namespace {

constexpr const char* k_footer = R"(
Exit status: 0 all ran tasks succeeded (or nothing to run), 1 a task failed,
timed out, crashed or could not start, 64 usage error, 75 every selected task
was skipped because another run holds it, 77 status/history may not read the
journal, 78 invalid or untrusted config, 130/143 interrupted by SIGINT/SIGTERM.

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

void add_journal_option(CLI::App& command, std::string& directory, std::vector<CLI::Option*>& list)
{
  list.push_back(command.add_option(
      "-D,--directory", directory,
      "Read the journal files in this directory (like journalctl -D) instead of the system "
      "journal"));
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
  std::string journal_directory;
  std::vector<CLI::Option*> journal_options;
  std::string since;
  CLI::Option* since_option = nullptr;
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

  auto* status = app.add_subcommand(
      "status", "Show each task's last run, last success and consecutive failures from the "
                "journal, and what is running now; exit 1 if a shown task's last run failed");
  status->add_option("task", options.tasks, "Tasks to show (default: all configured tasks)");
  status->add_flag("--json", options.json, "Print the status as JSON");
  add_config_option(*status, config, config_options);
  add_journal_option(*status, journal_directory, journal_options);

  auto* history = app.add_subcommand("history", "Show past task runs from the journal, newest "
                                                "first, one line per task run");
  history->add_option("task", options.tasks, "Only this task's runs")->expected(0, 1);
  history->add_option("-n,--lines", options.limit, "Show at most N runs (0: all)")
      ->capture_default_str();
  since_option = history->add_option(
      "--since", since,
      "Only runs since then: YYYY-MM-DD, \"YYYY-MM-DD HH:MM\", today, yesterday, or a time span "
      "ago such as 2d");
  history->add_option("--invocation", options.invocation,
                      "Only runs of this systemd invocation (_SYSTEMD_INVOCATION_ID; "
                      "an OnFailure= handler gets it as $MONITOR_INVOCATION_ID)");
  history->add_option("--run", options.run_id, "Only the task runs of this RUN_ID");
  history->add_flag("--failed", options.failed_only,
                    "Only runs that failed, timed out, were killed, could not start or never "
                    "finished");
  history->add_flag("--json", options.json, "Print the runs as JSON");
  add_journal_option(*history, journal_directory, journal_options);

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
  } else if (status->parsed()) {
    options.command = Command::status;
  } else if (history->parsed()) {
    options.command = Command::history;
  }
  if (any_given(journal_options)) {
    options.journal_directory = journal_directory;
  }
  if (since_option->count() > 0) {
    options.since = since;
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
