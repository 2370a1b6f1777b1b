// SPDX-License-Identifier: MIT
// The composition root: the only place that builds real collaborators and
// turns a fatal error into "periodic_tasks: error: ..." and an exit code.
#include "app.hpp"

#include <cstdio>
#include <cstdlib>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "cli.hpp"
#include "config_loader.hpp"
#include "journal.hpp"
#include "metrics_file.hpp"
#include "notify.hpp"
#include "postgres.hpp"
#include "process_posix.hpp"
#include "progress.hpp"
#include "run_context.hpp"
#include "runner.hpp"
#include "selection.hpp"
#include "summary.hpp"

namespace pt {

namespace {

constexpr int k_exit_internal = 70;

std::filesystem::path config_path(const CliOptions& options)
{
  if (options.config_path) {
    return *options.config_path;
  }
  if (const char* env = std::getenv("PERIODIC_TASKS_CONFIG"); env != nullptr && *env != '\0') {
    return env;
  }
  return k_default_config;
}

Config load(const CliOptions& options)
{
  LoadOptions load_options;
  load_options.main_file = config_path(options);
  load_options.dropin_dirs = default_dropin_dirs(load_options.main_file);
  if (::geteuid() == 0) {
    load_options.required_owner = 0; // the rule cron, sudo and logrotate apply
  }
  auto config = load_config(load_options);
  if (!config) {
    throw Fatal(k_exit_config, format_config_error(config.error()));
  }
  return std::move(*config);
}

Identity current_identity()
{
  const uid_t uid = ::geteuid();
  if (const passwd* pw = ::getpwuid(uid); pw != nullptr) {
    return {pw->pw_name, pw->pw_dir};
  }
  return {std::to_string(uid), "/"};
}

RunContext run_context(const CliOptions& options, const Config& config, const Clock& clock)
{
  RunContext context;
  context.run_id = new_run_id();
  context.dry_run = options.dry_run;
  if (options.as_of) {
    auto date = parse_as_of(*options.as_of);
    if (!date) {
      throw Fatal(k_exit_usage, fmt::format("--as-of: {}", date.error()));
    }
    context.as_of = *date;
  } else {
    auto date = local_date(clock.wall(), config.settings.timezone);
    if (!date) {
      throw Fatal(k_exit_config,
                  fmt::format("{}: settings.timezone: {}; hint: use an IANA name such as "
                              "\"Europe/Berlin\" or \"UTC\"",
                              config.sources.front(), date.error()));
    }
    context.as_of = *date;
  }
  return context;
}

// Returns the uid owning directory `path`, or -1 when there is none.
long owner_of(const char* path)
{
  struct stat st
  {
  };
  if (::stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return -1;
  }
  return static_cast<long>(st.st_uid);
}

std::string env_or_empty(const char* name)
{
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

int run_command(const CliOptions& options, const Config& config)
{
  // 1. Decide what runs before touching anything: a usage error runs nothing.
  auto tasks = select_tasks(config, options.tasks);
  if (!tasks) {
    throw Fatal(k_exit_usage, tasks.error());
  }
  const SystemClock clock;
  RunRequest request{*tasks, run_context(options, config, clock), Trigger::manual};
  const char* invocation = std::getenv("INVOCATION_ID");
  if (options.tasks.empty() && invocation != nullptr && *invocation != '\0') {
    request.trigger = Trigger::timer; // started by systemd, not by a person naming tasks
  }

  // 2. Logs: the journal when it is there, readable stderr when not, and
  //    progress on stderr for a person at a terminal.
  ConsoleLog fields_on_stderr(stderr, ConsoleLog::Detail::all_fields);
  ConsoleLog progress(stderr, ConsoleLog::Detail::progress);
  JournalLog journal(fields_on_stderr);
  const bool has_journal = journal_available();
  TeeLog journal_and_progress(journal, progress);
  EventLog& log = !has_journal              ? static_cast<EventLog&>(fields_on_stderr)
                  : ::isatty(STDERR_FILENO) ? static_cast<EventLog&>(journal_and_progress)
                                            : static_cast<EventLog&>(journal);
  // Under systemd ($NOTIFY_SOCKET), the running task and its elapsed time also
  // become the unit's status line in `systemctl status` (notify.cpp).
  ProgressLog progress_log(log, clock);
  const auto systemd_status =
      systemd_status_if_listening(progress_log, std::getenv("NOTIFY_SOCKET"));
  EventLog& run_log = systemd_status ? static_cast<EventLog&>(progress_log) : log;

  // 3. Own the task trees: signals arrive as data, orphans come back to us.
  SignalStop stop;
  PosixProcessRunner::become_subreaper();
  PosixProcessRunner processes(stop, stop.wake_fd());
  StopAwareDelay delay(stop);
  FileTaskLocks locks(default_lock_directory(std::getenv("RUNTIME_DIRECTORY"),
                                             std::getenv("XDG_RUNTIME_DIR"), ::geteuid(),
                                             owner_of(k_system_lock_directory)));

  // 4. PostgreSQL: connections open lazily, so a run without SQL tasks never
  //    touches the network; passwords come from files or systemd credentials.
  const FileSecretSource secrets(env_or_empty("CREDENTIALS_DIRECTORY"));
  PgExecutor sql(config.databases, secrets, stop, stop.wake_fd());
  RunnerDeps deps{processes, sql, run_log, locks, clock, stop, delay, current_identity()};

  // 5. Run, then report on stdout (unless stdout is the journal, which already has it all).
  const RunSummary summary = run_tasks(config.settings, request, deps);
  if (config.metrics.textfile) { // a failure is a warning record, never another exit code
    write_run_metrics(*config.metrics.textfile, summary, config, log);
  }
  const int code = exit_code_for(summary);
  if (options.json) {
    std::fputs(render_summary_json(summary, code).c_str(), stdout);
  } else if (!fd_is_journal_stream(STDOUT_FILENO, std::getenv("JOURNAL_STREAM"))) {
    std::fputs(render_summary_text(summary).c_str(), stdout);
  }
  return code;
}

int dispatch(const CliOptions& options)
{
  if (options.command == Command::version) {
    std::printf("periodic_tasks %s\n", PT_VERSION);
    return k_exit_ok;
  }
  const Config config = load(options);
  switch (options.command) {
  case Command::check:
    std::printf("%s: OK, %zu task%s from %zu file%s\n", config.sources.front().c_str(),
                config.tasks.size(), config.tasks.size() == 1 ? "" : "s", config.sources.size(),
                config.sources.size() == 1 ? "" : "s");
    return k_exit_ok;
  case Command::list:
    std::fputs(
        (options.json ? render_task_list_json(config) : render_task_list_text(config)).c_str(),
        stdout);
    return k_exit_ok;
  default:
    return run_command(options, config);
  }
}

} // namespace

int main_entry(int argc, char** argv)
{
  const CliParse parsed = parse_command_line(argc, argv);
  if (!parsed.options) {
    if (parsed.exit_code == 0) {
      std::fputs(parsed.output.c_str(), stdout);
    } else {
      std::fprintf(stderr, "periodic_tasks: error: %s\n", parsed.output.c_str());
    }
    return parsed.exit_code;
  }
  try {
    return dispatch(*parsed.options);
  } catch (const Fatal& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "periodic_tasks: error: %s\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "periodic_tasks: error: internal error: %s\n", e.what());
    return k_exit_internal;
  }
}

} // namespace pt
