// SPDX-License-Identifier: MIT
#include "app/cli.hpp"

#include <sstream>
#include <utility>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config/loader.hpp"
#include "util/diagnostic.hpp"

namespace pt {

namespace {

constexpr const char* k_footer = R"(
Exit status: 0 all ran tasks succeeded (or nothing to run), 1 a task failed,
timed out, crashed or could not start, 64 usage error, 70 internal error, 71
operating-system error, 75 every selected task was skipped because another run
holds it, 77 status/history may not read the journal, 78 invalid or untrusted
config, 128+n interrupted by signal n (130 SIGINT, 143 SIGTERM/SIGHUP).

Environment: PERIODIC_TASKS_CONFIG names the config file (like --config).
See periodic_tasks(8) and docs/ for the config format and journal fields.)";

// The command line being declared: the CLI11 app, the options it fills, and
// the raw values of options several subcommands share (given if any of their
// CLI::Options was).
class CommandLine
{
public:
  CommandLine();

  // Parses `args` (reversed, as CLI11 wants them); --help and usage errors go to `result`.
  bool parse(std::vector<std::string> args, CliParse& result);
  // Returns the options after a successful parse().
  CliOptions options();

private:
  void add_top_level();
  void add_run();
  void add_list();
  void add_check();
  void add_status();
  void add_history();
  void add_calendar();
  void add_cluster();
  void add_run_options(CLI::App& command);
  void add_config_option(CLI::App& command);
  void add_journal_option(CLI::App& command);

  CLI::App m_app{"Runs a server's periodic maintenance tasks in turn, with failure isolation, "
                 "logging to the systemd journal.",
                 "periodic_tasks"};
  CliOptions m_options;
  bool m_version = false;
  std::vector<std::pair<CLI::App*, Command>> m_commands;
  std::string m_config;
  std::vector<CLI::Option*> m_config_options;
  std::string m_as_of;
  std::vector<CLI::Option*> m_as_of_options;
  std::string m_journal_directory;
  std::vector<CLI::Option*> m_journal_options;
  std::string m_since;
  CLI::Option* m_since_option = nullptr;
  std::string m_base_time;
  CLI::Option* m_base_time_option = nullptr;
};

bool any_given(const std::vector<CLI::Option*>& options)
{
  for (const auto* option : options) {
    if (option->count() > 0) {
      return true;
    }
  }
  return false;
}

CommandLine::CommandLine()
{
  add_top_level();
  add_run();
  add_list();
  add_check();
  add_status();
  add_history();
  add_calendar();
  add_cluster();
}

// `periodic_tasks [OPTIONS]` alone runs, like `run`.
void CommandLine::add_top_level()
{
  m_app.footer(k_footer);
  m_app.require_subcommand(0, 1);
  m_app.add_flag("--version", m_version, "Print the version and exit");
  add_config_option(m_app);
  add_run_options(m_app);
}

void CommandLine::add_run()
{
  auto* run = m_app.add_subcommand("run", "Run every enabled task without a schedule in order, "
                                          "or just the named ones (disabled ones too)");
  run->add_option("task", m_options.tasks, "Tasks to run, in this order");
  run->add_flag("--scheduled", m_options.scheduled,
                "Run the slots of one scheduled task that are due, as its timer does "
                "(periodic-tasks@TASK.service)");
  add_config_option(*run);
  add_run_options(*run);
  m_commands.emplace_back(run, Command::run);
}

void CommandLine::add_list()
{
  auto* list = m_app.add_subcommand("list", "List the tasks in run order");
  list->add_flag("--json", m_options.json, "Print the list as JSON");
  add_config_option(*list);
  m_commands.emplace_back(list, Command::list);
}

void CommandLine::add_check()
{
  auto* check = m_app.add_subcommand("check", "Validate the config and its drop-ins; exit 0 or 78");
  add_config_option(*check);
  m_commands.emplace_back(check, Command::check);
}

void CommandLine::add_status()
{
  auto* status = m_app.add_subcommand(
      "status", "Show each task's last run, last success and consecutive failures from the "
                "journal, and what is running now; exit 1 if a shown task's last run failed");
  status->add_option("task", m_options.tasks, "Tasks to show (default: all configured tasks)");
  status->add_flag("--json", m_options.json, "Print the status as JSON");
  add_config_option(*status);
  add_journal_option(*status);
  m_commands.emplace_back(status, Command::status);
}

void CommandLine::add_history()
{
  auto* history = m_app.add_subcommand("history", "Show past task runs from the journal, newest "
                                                  "first, one line per task run");
  history->add_option("task", m_options.tasks, "Only this task's runs")->expected(0, 1);
  history->add_option("-n,--lines", m_options.limit, "Show at most N runs (0: all)")
      ->capture_default_str();
  m_since_option = history->add_option(
      "--since", m_since,
      "Only runs since then: YYYY-MM-DD, \"YYYY-MM-DD HH:MM\", today, yesterday, or a time span "
      "ago such as 2d");
  history->add_option("--invocation", m_options.invocation,
                      "Only runs of this systemd invocation (_SYSTEMD_INVOCATION_ID; "
                      "an OnFailure= handler gets it as $MONITOR_INVOCATION_ID)");
  history->add_option("--run", m_options.run_id, "Only the task runs of this RUN_ID");
  history->add_flag("--failed", m_options.failed_only,
                    "Only runs that failed, timed out, were killed, could not start or never "
                    "finished");
  history->add_flag("--json", m_options.json, "Print the runs as JSON");
  add_journal_option(*history);
  m_commands.emplace_back(history, Command::history);
}

void CommandLine::add_cluster()
{
  auto* cluster = m_app.add_subcommand(
      "cluster", "Cluster mode: hosts sharing one PostgreSQL run each task's slot once");
  cluster->require_subcommand(1);
  auto* init = cluster->add_subcommand(
      "init", "Create or update the periodic_tasks schema in the [cluster] database (runs "
              "create it on first use when their role may)");
  init->add_flag("--print", m_options.print_sql,
                 "Print the SQL for a DBA to run instead (needs no config or database)");
  add_config_option(*init);
  m_commands.emplace_back(init, Command::cluster_init);
}

void CommandLine::add_calendar()
{
  auto* calendar = m_app.add_subcommand(
      "calendar", "Normalize systemd calendar expressions (OnCalendar=) and show when they elapse "
                  "next, like systemd-analyze calendar; exit 64 if one does not parse");
  calendar->add_option("expression", m_options.expressions, "Calendar expressions")->required();
  m_base_time_option = calendar->add_option(
      "--base-time", m_base_time,
      "Compute elapses after this time instead of now: @SECONDS or \"YYYY-MM-DD HH:MM:SS[ ZONE]\" "
      "(without ZONE in --timezone)");
  calendar->add_option("--iterations", m_options.iterations, "Show the next N elapses")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  calendar
      ->add_option("--timezone", m_options.timezone,
                   "The zone of expressions without one, and of the times shown (like "
                   "settings.timezone)")
      ->capture_default_str();
  calendar->add_flag("--json", m_options.json, "Print the results as a JSON array");
  m_commands.emplace_back(calendar, Command::calendar);
}

// Adds the run options to `command` (the top level and the `run` subcommand
// share them, so `periodic_tasks --dry-run` and `periodic_tasks run --dry-run` match).
void CommandLine::add_run_options(CLI::App& command)
{
  command.add_flag(
      "--dry-run", m_options.dry_run,
      "Run each task's dry_run_args form; tasks without one only report what would run");
  m_as_of_options.push_back(command.add_option(
      "--as-of", m_as_of, "The day to run for, YYYY-MM-DD (default: today in settings.timezone)"));
  command.add_flag("--json", m_options.json, "Print the run summary as one JSON object on stdout");
}

void CommandLine::add_config_option(CLI::App& command)
{
  m_config_options.push_back(command.add_option(
      "-c,--config", m_config,
      fmt::format("Config file (default: $PERIODIC_TASKS_CONFIG, else {})", k_default_config)));
}

void CommandLine::add_journal_option(CLI::App& command)
{
  m_journal_options.push_back(command.add_option(
      "-D,--directory", m_journal_directory,
      "Read the journal files in this directory (like journalctl -D) instead of the system "
      "journal"));
}

bool CommandLine::parse(std::vector<std::string> args, CliParse& result)
{
  try {
    m_app.parse(args);
  } catch (const CLI::CallForHelp&) {
    result.output = m_app.help();
    return false;
  } catch (const CLI::CallForAllHelp&) {
    result.output = m_app.help("", CLI::AppFormatMode::All);
    return false;
  } catch (const CLI::ParseError& e) {
    result.output = std::string(e.what()) + "; run 'periodic_tasks --help' for usage";
    result.exit_code = k_exit_usage;
    return false;
  }
  return true;
}

CliOptions CommandLine::options()
{
  CliOptions options = m_options;
  for (const auto& [subcommand, command] : m_commands) {
    if (subcommand->parsed()) {
      options.command = command;
    }
  }
  if (m_version) {
    options.command = Command::version;
  }
  if (any_given(m_journal_options)) {
    options.journal_directory = m_journal_directory;
  }
  if (m_since_option->count() > 0) {
    options.since = m_since;
  }
  if (m_base_time_option->count() > 0) {
    options.base_time = m_base_time;
  }
  if (any_given(m_config_options)) {
    options.config_path = m_config;
  }
  if (any_given(m_as_of_options)) {
    options.as_of = m_as_of;
  }
  return options;
}

} // namespace

CliParse parse_command_line(int argc, const char* const* argv)
{
  std::vector<std::string> args;
  for (int i = argc - 1; i > 0; --i) {
    args.emplace_back(argv[i]); // CLI11 wants them reversed
  }
  CommandLine command_line;
  CliParse result;
  if (command_line.parse(std::move(args), result)) {
    result.options = command_line.options();
  }
  return result;
}

} // namespace pt
