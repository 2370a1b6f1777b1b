// SPDX-License-Identifier: MIT
// The composition root: the only place that builds real collaborators and
// turns a fatal error into "periodic_tasks: error: ..." and an exit code.
#include "app/app.hpp"

#include <cstdio>
#include <cstdlib>
#include <pwd.h>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "app/calendar_command.hpp"
#include "app/cli.hpp"
#include "app/cluster_command.hpp"
#include "app/print.hpp"
#include "app/report.hpp"
#include "app/summary.hpp"
#include "config/loader.hpp"
#include "journal/history.hpp"
#include "journal/notify.hpp"
#include "journal/progress.hpp"
#include "journal/reader.hpp"
#include "journal/records.hpp"
#include "journal/writer.hpp"
#include "metrics/file.hpp"
#include "postgres/executor.hpp"
#include "process/posix.hpp"
#include "run/context.hpp"
#include "run/environment.hpp"
#include "run/runner.hpp"
#include "run/scheduled.hpp"
#include "run/selection.hpp"
#include "run/slot_state.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

std::string_view stderr_priority(std::string_view prefix);

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
    if (!date) { // load_config() checked the zone; only a zone file removed since gets here
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

// Where this process takes task locks (see default_lock_directory).
std::filesystem::path lock_directory()
{
  return default_lock_directory(std::getenv("RUNTIME_DIRECTORY"), std::getenv("XDG_RUNTIME_DIR"),
                                ::geteuid(), owner_of(k_system_lock_directory));
}

std::string env_or_empty(const char* name)
{
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The task `run --scheduled` names: one that has a schedule and is enabled
// (its timer exists only then). A name that is not in the config is a usage
// error, as for `run NAME`; a task the config does not schedule is a config matter.
const Task& scheduled_task(const CliOptions& options, const Config& config)
{
  if (options.tasks.size() != 1) {
    throw Fatal(k_exit_usage, "--scheduled takes exactly one task name, as the task's timer "
                              "passes it: periodic_tasks run --scheduled TASK");
  }
  if (options.as_of || options.dry_run) {
    throw Fatal(k_exit_usage,
                fmt::format("--scheduled runs the due slots of a task and marks them done; "
                            "--as-of and --dry-run are for runs by hand: periodic_tasks run {} "
                            "--as-of YYYY-MM-DD (see what is due with: periodic_tasks status {})",
                            options.tasks.front(), options.tasks.front()));
  }
  auto named = select_tasks(config, options.tasks);
  if (!named) {
    throw Fatal(k_exit_usage, named.error());
  }
  const Task& task = *named->front();
  if (task.schedule.empty()) {
    throw Fatal(k_exit_config,
                fmt::format("{}: task \"{}\" has no schedule, so --scheduled has no slot to run; "
                            "hint: it runs with the other tasks without a schedule (periodic_tasks "
                            "run), or by hand: periodic_tasks run {}",
                            format_location(task.origin), task.name, task.name));
  }
  if (!task.enabled) {
    throw Fatal(k_exit_config,
                fmt::format("{}: task \"{}\" is disabled, so its slots do not run; hint: set "
                            "enabled = true, or run it by hand: periodic_tasks run {}",
                            format_location(task.origin), task.name, task.name));
  }
  return task;
}

// Where scheduled tasks keep their slots ($STATE_DIRECTORY/slots).
FileSlotStore slot_store()
{
  return FileSlotStore(default_slot_directory(std::getenv("STATE_DIRECTORY")));
}

// What was decided before anything runs: a plain run's request, or a
// scheduled task's slots.
struct RunPlan
{
  RunRequest request;
  const Task* scheduled = nullptr;
  std::optional<SlotState> state; // the scheduled task's, read once per wake
  SlotPlan slots;
};

// Plans `plan.scheduled`'s slots again by a clock `db_offset` from this
// host's, from the state already read.
SlotPlan slots_at(const RunPlan& plan, const Clock& clock, Duration db_offset)
{
  return plan_slots(slot_request(*plan.scheduled), clock.wall() + db_offset, plan.state);
}

// `db_offset`: the database clock minus this host's in cluster mode, so that
// due slots are those of the cluster's clock; zero otherwise.
RunPlan plan_run(const CliOptions& options, const Config& config, const Clock& clock,
                 SlotStore& store, Duration db_offset)
{
  RunPlan plan;
  plan.request.firing = {env_or_empty("TRIGGER_TIMER_REALTIME_USEC"),
                         env_or_empty("TRIGGER_TIMER_MONOTONIC_USEC")};
  if (options.scheduled) {
    plan.scheduled = &scheduled_task(options, config);
    auto state = store.load(plan.scheduled->name);
    if (!state) { // never a guess: a lost state would run history, a forged one skip slots
      throw Fatal(k_exit_os_error, state.error());
    }
    plan.state = std::move(*state);
    plan.slots = slots_at(plan, clock, db_offset);
    return plan;
  }
  auto tasks = select_tasks(config, options.tasks);
  if (!tasks) {
    throw Fatal(k_exit_usage, tasks.error());
  }
  plan.request.tasks = *tasks;
  plan.request.context = run_context(options, config, clock);
  plan.request.trigger = Trigger::manual;
  const char* invocation = std::getenv("INVOCATION_ID");
  if (options.tasks.empty() && invocation != nullptr && *invocation != '\0') {
    plan.request.trigger = Trigger::timer; // started by systemd, not by a person naming tasks
  }
  return plan;
}

// Runs the slots of `plan` (saving the first-sight baseline first), or says
// at debug level why none is due.
std::vector<RunSummary> run_scheduled(const Config& config, const RunPlan& plan, SlotStore& store,
                                      RunnerDeps& deps)
{
  const Task& task = *plan.scheduled;
  emit_slots_planned(deps.log, task, plan.slots, plan.request.firing);
  if (plan.slots.baseline) {
    if (auto saved = store.save(task.name, *plan.slots.baseline); !saved) {
      throw Fatal(k_exit_os_error, saved.error());
    }
  }
  const auto ran = run_slots(config.settings, task, plan.slots, store, deps, plan.request.firing,
                             [] { return new_run_id(); });
  if (!ran.state_error.empty()) {
    for (const auto& summary : ran.runs) { // what ran is reported before the error
      print(stdout, render_summary_text(summary));
    }
    throw Fatal(k_exit_os_error,
                fmt::format("task \"{}\" ran for slot {}, but the slot could not be marked done, "
                            "so the next firing runs it again: {}",
                            task.name, ran.runs.back().context.slot, ran.state_error));
  }
  return ran.runs;
}

// The logs of a run: the journal when it is there, readable stderr when not,
// and progress on stderr as well for a person at a terminal.
class RunLogs
{
public:
  RunLogs()
      : m_journal(m_fields_on_stderr), m_journal_and_progress(m_journal, m_progress),
        m_log(!journal_available()      ? static_cast<EventLog*>(&m_fields_on_stderr)
              : ::isatty(STDERR_FILENO) ? static_cast<EventLog*>(&m_journal_and_progress)
                                        : static_cast<EventLog*>(&m_journal))
  {
  }
  // Returns the log a run writes to.
  EventLog& log() { return *m_log; }

private:
  ConsoleLog m_fields_on_stderr{stderr, ConsoleLog::Detail::all_fields};
  ConsoleLog m_progress{stderr, ConsoleLog::Detail::progress};
  JournalLog m_journal;
  TeeLog m_journal_and_progress;
  EventLog* m_log;
};

// Whether `plan` is a scheduled task's wake with nothing to do: no slot due,
// no first-sight baseline to save, and no claim store opened (a wake that
// opened it prunes the claims past the retention on the way out).
bool is_idle_wake(const RunPlan& plan, const ClusterClaims* cluster)
{
  return plan.scheduled != nullptr && plan.slots.slots.empty() && !plan.slots.baseline &&
         (cluster == nullptr || !cluster->store_opened());
}

int run_command(const CliOptions& options, const Config& config)
{
  // 1. Decide what runs before touching anything: a usage error runs nothing.
  //    In cluster mode a scheduled task's slots are those of the database's
  //    clock. The claim store opens only when a slot may be due by a clock
  //    within max_clock_skew of ours: an idle wake connects to nothing. When
  //    it cannot open, the slots are planned by this host's clock, and each is
  //    reported not run.
  const SystemClock clock;
  FileSlotStore store = slot_store();
  const FileSecretSource secrets(env_or_empty("CREDENTIALS_DIRECTORY"));
  RunPlan plan = plan_run(options, config, clock, store, Duration{});
  std::unique_ptr<ClusterClaims> cluster = cluster_claims_for(
      config, options.scheduled ? std::vector<const Task*>{plan.scheduled} : plan.request.tasks,
      secrets);
  if (cluster && options.scheduled) {
    const Duration margin = cluster->settings().max_clock_skew;
    const bool maybe_due = !plan.slots.slots.empty() ||
                           !slots_at(plan, clock, margin).slots.empty() ||
                           !slots_at(plan, clock, -margin).slots.empty();
    if (const auto skew = maybe_due ? cluster->clock_skew() : ClusterResult<Duration>(Duration{});
        skew && *skew != Duration{} && (*skew < Duration{} ? -*skew : *skew) <= margin) {
      plan.slots = slots_at(plan, clock, *skew);
    }
  }

  // 2. Logs: the journal when it is there, readable stderr when not, and
  //    progress on stderr for a person at a terminal. An idle wake (nothing
  //    due, what a minutely timer finds most of the time) logs why and ends
  //    here, before any of a run's machinery is built.
  RunLogs logs;
  EventLog& log = logs.log();
  if (is_idle_wake(plan, cluster.get())) {
    emit_slots_planned(log, *plan.scheduled, plan.slots, plan.request.firing);
    return k_exit_ok;
  }
  // Under systemd ($NOTIFY_SOCKET), the running task and its elapsed time also
  // become the unit's status line in `systemctl status` (journal/notify.cpp).
  ProgressLog progress_log(log, clock);
  const auto systemd_status =
      systemd_status_if_listening(progress_log, std::getenv("NOTIFY_SOCKET"));
  EventLog& run_log = systemd_status ? static_cast<EventLog&>(progress_log) : log;

  // 3. Own the task trees: signals arrive as data, orphans come back to us.
  SignalStop stop;
  PosixProcessRunner::become_subreaper();
  PosixProcessRunner processes(stop, stop.wake_fd());
  StopAwareDelay delay(stop);
  FileTaskLocks locks(lock_directory());

  // 4. PostgreSQL: connections open lazily, so a run without SQL tasks never
  //    touches the network; passwords come from files or systemd credentials.
  PgExecutor sql(config.databases, secrets, stop, stop.wake_fd());
  RunnerDeps deps{processes,          sql,          run_log, locks, clock, stop, delay,
                  current_identity(), cluster.get()};

  // 5. Run (a scheduled task: once per due slot, each a run of its own), then
  //    report on stdout (unless stdout is the journal, which already has it all).
  const std::vector<RunSummary> runs =
      plan.scheduled != nullptr
          ? run_scheduled(config, plan, store, deps)
          : std::vector<RunSummary>{run_tasks(config.settings, plan.request, deps)};
  if (cluster) { // finished claims past the retention, a few rows per transaction
    if (const std::string warning = cluster->prune(); !warning.empty()) {
      print(stderr, fmt::format("{}periodic_tasks: warning: {}\n", stderr_priority("<4>"),
                                escape_control(warning)));
    }
  }
  const bool table = !fd_is_journal_stream(STDOUT_FILENO, std::getenv("JOURNAL_STREAM"));
  for (const auto& summary : runs) {
    if (config.metrics.textfile) { // a failure is a warning record, never another exit code
      write_run_metrics(*config.metrics.textfile, summary, config, log);
    }
    if (options.json) {
      print(stdout, render_summary_json(summary, exit_code_for(summary)));
    } else if (table) {
      print(stdout, render_summary_text(summary));
    }
  }
  return exit_code_for(runs);
}

// Opens the journal `status` and `history` read, refusing to show a partial
// picture: without the right to read the system journal, sd-journal would
// quietly return only this user's own entries.
std::unique_ptr<TaskJournal> open_task_journal(const CliOptions& options)
{
  if (!options.journal_directory) {
    const JournalFiles files = find_journal_files();
    if (!files.unreadable.empty()) {
      const std::string user = current_identity().user;
      throw Fatal(k_exit_no_permission,
                  fmt::format("cannot read the system journal ({}) as user {}; hint: run as root, "
                              "or add the user to the systemd-journal group: "
                              "usermod -aG systemd-journal {}",
                              files.unreadable.front().string(), user, user));
    }
    if (!files.any) {
      print(stderr, fmt::format("{}periodic_tasks: warning: no journal files under "
                                "/run/log/journal or /var/log/journal (is systemd-journald "
                                "running?)\n",
                                stderr_priority("<4>")));
    }
  }
  auto journal = SdTaskJournal::open(options.journal_directory);
  if (!journal) {
    throw Fatal(k_exit_usage, journal.error());
  }
  return std::move(*journal);
}

// The lock directories a task may be locked in: this user's and the service's.
FileLockProbe lock_probe()
{
  std::vector<std::filesystem::path> directories{lock_directory()};
  if (directories.front() != k_system_lock_directory) {
    directories.emplace_back(k_system_lock_directory);
  }
  return FileLockProbe(std::move(directories));
}

std::int64_t usec_since_epoch(TimePoint time)
{
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

// Adds a scheduled task's schedule, next elapse and the missed slots a
// scheduled run now would catch up on (the same plan_slots() as the run's).
void add_schedule_status(TaskStatus& status, const Task& task, SlotStore& store, TimePoint now)
{
  if (task.schedule.empty()) {
    return;
  }
  const SlotRequest request = slot_request(task);
  status.schedule = schedule_key(request.specs);
  if (const auto next = next_run(task, now)) {
    status.next_usec = usec_since_epoch(*next);
  }
  auto state = store.load(task.name);
  if (!state) {
    status.slot_error = state.error();
    return;
  }
  if (!task.enabled) {
    return;
  }
  for (const Slot& slot : plan_slots(request, now, *state).slots) {
    if (slot.kind == SlotKind::missed) {
      status.catch_up_usec.push_back(usec_since_epoch(slot.time));
    }
  }
}

int status_command(const CliOptions& options, const Config& config)
{
  std::vector<const Task*> tasks;
  if (options.tasks.empty()) {
    for (const auto& task : config.tasks) {
      tasks.push_back(&task); // disabled ones too: they are shown as disabled
    }
  } else if (auto named = select_tasks(config, options.tasks)) {
    tasks = *named;
  } else {
    throw Fatal(k_exit_usage, named.error());
  }
  const auto journal = open_task_journal(options);
  const FileLockProbe locks = lock_probe();
  FileSlotStore store = slot_store();
  const auto now = SystemClock().wall();
  std::vector<TaskStatus> statuses;
  bool any_failing = false;
  for (const Task* task : tasks) {
    statuses.push_back(read_status(*journal, *task, locks));
    add_schedule_status(statuses.back(), *task, store, now);
    any_failing = any_failing || (statuses.back().last && is_failure(statuses.back().last->result));
  }
  // In cluster mode, the cluster's claims: which host ran each task's last
  // slot, and which holds it now.
  const FileSecretSource secrets(env_or_empty("CREDENTIALS_DIRECTORY"));
  std::optional<ClusterView> cluster;
  if (auto claims = read_cluster_status(config, secrets)) {
    cluster = ClusterView{config.cluster->database, {}, {}};
    if (*claims) {
      cluster->tasks = std::move(**claims);
    } else {
      cluster->error = claims->error().message;
    }
  }
  const ClusterView* view = cluster ? &*cluster : nullptr;
  print(stdout,
        options.json ? render_status_json(statuses, view) : render_status_text(statuses, view));
  return any_failing ? k_exit_task_failed : k_exit_ok;
}

int history_command(const CliOptions& options)
{
  HistoryQuery query;
  query.limit = options.limit;
  query.failed_only = options.failed_only;
  query.filter.task = options.tasks.empty() ? std::string() : options.tasks.front();
  query.filter.run_id = options.run_id;
  query.filter.invocation = options.invocation;
  if (options.since) {
    const SystemClock clock;
    const auto now =
        std::chrono::duration_cast<std::chrono::microseconds>(clock.wall().time_since_epoch())
            .count();
    auto since = parse_since(*options.since, now);
    if (!since) {
      throw Fatal(k_exit_usage, fmt::format("--since: {}", since.error()));
    }
    query.filter.since_usec = *since;
  }
  const auto journal = open_task_journal(options);
  const auto runs = read_history(*journal, query, lock_probe());
  print(stdout, options.json ? render_history_json(runs) : render_history_text(runs));
  if (runs.empty() && !options.json) {
    print(stderr, "periodic_tasks: no matching task runs in the journal\n");
  }
  return k_exit_ok;
}

int calendar_main(const CliOptions& options)
{
  const CalendarRequest request{options.expressions, options.base_time, options.iterations,
                                options.timezone, options.json};
  const CalendarOutput output = calendar_command(request, SystemClock().wall());
  print(stdout, output.out);
  print(stderr, output.err);
  return output.exit_code;
}

// Returns `prefix` ("<3>" for err, "<4>" for warning) when stderr is the
// journal (a service's, e.g. periodic-tasks-reload.service running `check`):
// journald takes it as the line's priority (SyslogLevelPrefix=, on by
// default), so `journalctl -p err` finds a rejected config. Else nothing.
std::string_view stderr_priority(std::string_view prefix)
{
  static const bool journal = fd_is_journal_stream(STDERR_FILENO, std::getenv("JOURNAL_STREAM"));
  return journal ? prefix : std::string_view();
}

// Prints `message` as one "periodic_tasks: error: " line on stderr. Messages
// echo what a user wrote (a TOML key or value, a task name, an argument), so
// control characters are shown escaped: the line cannot be split or rewrite
// the screen.
void print_error(std::string_view message)
{
  print(stderr, fmt::format("{}periodic_tasks: error: {}\n", stderr_priority("<3>"),
                            escape_control(message)));
}

// Prints one "periodic_tasks: warning: FILE:LINE:COL: MESSAGE" line on stderr
// (priority warning in the journal), control characters escaped as in
// print_error().
void print_warning(const SourceLocation& where, std::string_view message)
{
  print(stderr, fmt::format("{}periodic_tasks: warning: {}\n", stderr_priority("<4>"),
                            escape_control(format_location(where) + ": " + std::string(message))));
}

// Warns (stderr, exit status unchanged) about command tasks the kernel would
// refuse to start: an argument or variable over MAX_ARG_STRLEN, or all of them
// over ARG_MAX, which depends on the stack limit at run time.
// Returns how many warnings it printed.
std::size_t warn_exec_limits(const Config& config)
{
  std::size_t count = 0;
  const ExecLimits limits = current_exec_limits();
  const std::vector<std::string> base = base_environment(current_identity());
  // The run's own variables at their real lengths (a run id has 32 characters,
  // a slot 20), as `run` sets them: a scheduled task's slot run has
  // PERIODIC_TASKS_SLOT, any other run of a task none (a manual run passes less).
  const std::string run_id(32, '0');
  const RunContext unscheduled{run_id, "YYYY-MM-DD", false};
  RunContext slot_run = unscheduled;
  slot_run.slot = "YYYY-MM-DDTHH:MM:SSZ";
  for (const Task& task : config.tasks) {
    const RunContext& context = task.schedule.empty() ? unscheduled : slot_run;
    for (const std::string& warning : exec_limit_warnings(task, base, context, limits)) {
      print_warning(task.origin, warning);
      ++count;
    }
  }
  return count;
}

// Warns (stderr, exit status unchanged) about schedule expressions that never
// fire again: systemd accepts them, and their task would silently never run.
// Returns how many warnings it printed.
std::size_t warn_dead_schedules(const Config& config, CalendarTime now)
{
  std::size_t count = 0;
  for (const Task& task : config.tasks) {
    for (const Schedule* schedule : schedules_never_firing(task, now)) {
      print_warning(schedule->where,
                    fmt::format("schedule \"{}\" in task \"{}\" never fires after now; hint: a "
                                "date in the past or a day that never comes (such as February "
                                "30) runs nothing; give a calendar that repeats",
                                schedule->text, task.name));
      ++count;
    }
  }
  return count;
}

int dispatch(const CliOptions& options)
{
  if (options.command == Command::version) {
    print(stdout, fmt::format("periodic_tasks {}\n", PT_VERSION));
    return k_exit_ok;
  }
  if (options.command == Command::history) {
    return history_command(options); // needs no config: history outlives a broken one
  }
  if (options.command == Command::calendar) {
    return calendar_main(options); // needs no config: a tool for writing one
  }
  if (options.command == Command::cluster_init && options.print_sql) {
    print(stdout, cluster_init_script()); // for a DBA: needs no config
    return k_exit_ok;
  }
  const Config config = load(options);
  switch (options.command) {
  case Command::check: {
    const std::size_t warnings =
        warn_exec_limits(config) + warn_dead_schedules(config, SystemClock().wall());
    print(stdout, fmt::format("{}: OK, {} task{} from {} file{}{}\n",
                              escape_control(config.sources.front()), config.tasks.size(),
                              config.tasks.size() == 1 ? "" : "s", config.sources.size(),
                              config.sources.size() == 1 ? "" : "s",
                              warnings == 0 ? std::string()
                                            : fmt::format(" ({} warning{} on stderr)", warnings,
                                                          warnings == 1 ? "" : "s")));
    return k_exit_ok;
  }
  case Command::list:
    print(stdout, options.json ? render_task_list_json(config, SystemClock().wall())
                               : render_task_list_text(config, SystemClock().wall()));
    return k_exit_ok;
  case Command::status:
    return status_command(options, config);
  case Command::cluster_init:
    print(stdout, cluster_init(config, FileSecretSource(env_or_empty("CREDENTIALS_DIRECTORY"))));
    return k_exit_ok;
  default:
    return run_command(options, config);
  }
}

// Parses the command line and runs the command; returns the exit code.
int run_main(int argc, char** argv)
{
  const CliParse parsed = parse_command_line(argc, argv);
  if (!parsed.options) {
    if (parsed.exit_code == 0) {
      print(stdout, parsed.output);
    } else {
      print_error(parsed.output);
    }
    return parsed.exit_code;
  }
  try {
    return dispatch(*parsed.options);
  } catch (const Fatal& e) {
    static_cast<void>(std::fflush(stdout)); // what was printed comes before the error
    print_error(e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    static_cast<void>(std::fflush(stdout)); // what was printed comes before the error
    print_error(std::string("internal error: ") + e.what());
    return k_exit_internal;
  }
}

} // namespace

int main_entry(int argc, char** argv)
{
  return finish_stdout(run_main(argc, argv));
}

} // namespace pt
