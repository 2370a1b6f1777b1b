// SPDX-License-Identifier: MIT
// Running a task so that nothing it does can hurt the next one.
//
// A task is more than one process. It starts in a session and process group of
// its own (POSIX_SPAWN_SETSID), so kill(-pgid) reaches everything that stayed in
// the group. But a task may call setsid() or setpgid() to leave the group, and
// a daemonizing child double-forks so that its parent dies; neither is reachable
// through the group. The runner therefore makes itself a child subreaper: every
// orphan of a task is reparented to the runner instead of init, so "the task"
// is the group plus every descendant of the runner, found by following the ppid
// chains in /proc. Tasks run one at a time, so no other descendants exist.
//
// Stopping is SIGTERM (plus SIGCONT, so stopped processes can act on it), then
// SIGKILL for whatever is still alive after the kill timeout; each process gets
// a signal once, from kill(-pgid) or, outside the group, directly. A scan races
// with the processes it finds: a pid may exit and be reused before we signal it.
// Our own children cannot be reused until we reap them; for deeper descendants
// we open a pidfd and re-check the parent before signalling through the pidfd.
// For the same reason the main process is reaped only at the very end: while it
// is an unreaped zombie, its pid, which is also the group id, stays reserved.
//
// Reaping: the main process is watched through a pidfd and waitid(P_PID, ...,
// WNOWAIT), never through waitpid(-1), which could steal its status. Orphans are
// reaped by pid, as the /proc scan or waitid(P_ALL, WNOWAIT) reveals them.
//
// The pipes are drained at all times, also while we wait for the tree to die:
// a child blocked writing into a full pipe cannot run its SIGTERM handler to the
// end. Reads are 64 KiB chunks fed to a bounded LineSplitter, so memory stays
// flat whatever the task writes. Every blocking call is retried on EINTR, which
// the runner's own SIGTERM/SIGINT handlers cause on purpose to wake poll().
#include "process_posix.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <dirent.h>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

// glibc 2.36's <sys/pidfd.h> lacks the extern "C" that its other headers have
// (fixed in 2.37); without this, C++ callers link against mangled names.
extern "C" {
#include <sys/pidfd.h>
}

#include "line_splitter.hpp"

namespace pt {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t k_read_chunk = std::size_t{64} * 1024;
constexpr auto k_drain_grace = 100ms;    // wait for EOF this long after the main process exits
constexpr auto k_idle_tick = 1s;         // reap reparented zombies this often while the task runs
constexpr auto k_cleanup_tick = 10ms;    // look for survivors this often while stopping the tree
constexpr int k_final_drain_chunks = 64; // bound the last read of a pipe nobody writes to

class UniqueFd
{
public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept
  {
    reset(std::exchange(other.m_fd, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return m_fd; }
  void reset(int fd = -1)
  {
    if (m_fd >= 0) {
      ::close(m_fd); // never retried: Linux closes the fd even on EINTR
    }
    m_fd = fd;
  }

private:
  int m_fd = -1;
};

std::string describe_errno(int error)
{
  return std::system_category().message(error);
}

// ---- /proc -----------------------------------------------------------------

struct ProcEntry
{
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t group = 0;
  char state = '?'; // 'Z' for a zombie
};

// Reads state, ppid and group from /proc/<pid>/stat; nullopt once the process is gone.
std::optional<ProcEntry> read_proc_entry(pid_t pid)
{
  const auto path = "/proc/" + std::to_string(pid) + "/stat";
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::array<char, 512> buffer{};
  const auto size = fd.get() < 0 ? -1 : ::read(fd.get(), buffer.data(), buffer.size());
  if (size <= 0) {
    return std::nullopt;
  }
  // "pid (comm) S ppid ...", where comm may itself contain ") ".
  const std::string_view text(buffer.data(), static_cast<std::size_t>(size));
  const auto paren = text.rfind(')');
  if (paren == std::string_view::npos || paren + 4 >= text.size()) {
    return std::nullopt;
  }
  ProcEntry entry{pid, 0, 0, text[paren + 2]};
  const char* const end = text.data() + text.size();
  const auto ppid = std::from_chars(text.data() + paren + 4, end, entry.ppid);
  if (ppid.ptr < end) {
    std::from_chars(ppid.ptr + 1, end, entry.group);
  }
  return entry;
}

std::vector<ProcEntry> list_processes()
{
  std::vector<ProcEntry> entries;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) {
    return entries;
  }
  while (const dirent* item = ::readdir(dir)) {
    pid_t pid = 0;
    const std::string_view name(item->d_name);
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error == std::errc() && end == name.data() + name.size()) {
      if (auto entry = read_proc_entry(pid)) {
        entries.push_back(*entry);
      }
    }
  }
  ::closedir(dir);
  return entries;
}

// Returns every descendant of this process, zombies included, parents before children.
std::vector<ProcEntry> list_descendants()
{
  const auto all = list_processes();
  std::unordered_multimap<pid_t, const ProcEntry*> children;
  for (const auto& entry : all) {
    children.emplace(entry.ppid, &entry);
  }
  std::vector<ProcEntry> found;
  std::vector<pid_t> parents{::getpid()};
  while (!parents.empty()) {
    const pid_t parent = parents.back();
    parents.pop_back();
    const auto [begin, end] = children.equal_range(parent);
    for (auto it = begin; it != end; ++it) {
      found.push_back(*it->second);
      parents.push_back(it->second->pid);
    }
  }
  return found;
}

// Sends `signal` to `process` unless its pid has been reused since the scan found it.
void signal_descendant(const ProcEntry& process, int signal)
{
  const pid_t self = ::getpid();
  if (process.ppid == self) {
    ::kill(process.pid, signal); // an unreaped child of ours: its pid cannot be reused
    return;
  }
  const UniqueFd pidfd(::pidfd_open(process.pid, 0));
  const auto now = read_proc_entry(process.pid);
  if (pidfd.get() < 0 || !now || (now->ppid != process.ppid && now->ppid != self)) {
    return;
  }
  ::pidfd_send_signal(pidfd.get(), signal, nullptr, 0);
}

// ---- spawning --------------------------------------------------------------

struct Spawned
{
  pid_t pid = 0;
  UniqueFd out;
  UniqueFd err;
};

struct SpawnError
{
  int error_number = 0;
  std::string message;
};

// Returns `fd`, moved to 3 or above if needed, so that it cannot collide with
// the child's 0, 1 and 2 (possible only when the runner started with them closed).
UniqueFd above_stdio(int fd)
{
  UniqueFd owned(fd);
  if (fd >= 0 && fd < 3) {
    owned.reset(::fcntl(fd, F_DUPFD_CLOEXEC, 3));
  }
  return owned;
}

struct Pipe
{
  UniqueFd read;
  UniqueFd write;
};

std::optional<Pipe> make_pipe()
{
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return std::nullopt;
  }
  Pipe pipe{above_stdio(fds[0]), above_stdio(fds[1])};
  if (pipe.read.get() < 0 || pipe.write.get() < 0) {
    return std::nullopt;
  }
  // Only our end is non-blocking; the task gets an ordinary blocking pipe.
  ::fcntl(pipe.read.get(), F_SETFL, ::fcntl(pipe.read.get(), F_GETFL) | O_NONBLOCK);
  return pipe;
}

bool is_searchable_directory(const std::string& path)
{
  struct stat status = {};
  return ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// glibc's posix_spawn reports a failed chdir and a failed exec alike, as an
// errno. Tell them apart by looking at the directory afterwards: if it is not
// a searchable directory now, the chdir is what failed. A directory that
// changes between the spawn and the look can mislead this; nothing else can.
SpawnError spawn_error(const ProcessSpec& spec, int error)
{
  if (!spec.working_directory.empty() && !is_searchable_directory(spec.working_directory)) {
    return {error, "cannot change to working directory " + spec.working_directory + ": " +
                       describe_errno(error)};
  }
  return {error, "cannot execute " + spec.argv[0] + ": " + describe_errno(error)};
}

class SpawnActions
{
public:
  SpawnActions() { ::posix_spawn_file_actions_init(&m_actions); }
  ~SpawnActions() { ::posix_spawn_file_actions_destroy(&m_actions); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &m_actions; }

private:
  posix_spawn_file_actions_t m_actions{};
};

class SpawnAttributes
{
public:
  SpawnAttributes()
  {
    ::posix_spawnattr_init(&m_attributes);
    sigset_t none;
    sigemptyset(&none);
    sigset_t all;
    sigfillset(&all);
    ::posix_spawnattr_setsigmask(&m_attributes, &none);
    ::posix_spawnattr_setsigdefault(&m_attributes, &all);
    ::posix_spawnattr_setflags(&m_attributes,
                               POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&m_attributes); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  const posix_spawnattr_t* get() const { return &m_attributes; }

private:
  posix_spawnattr_t m_attributes{};
};

std::vector<char*> c_strings(const std::vector<std::string>& strings)
{
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const auto& string : strings) {
    pointers.push_back(const_cast<char*>(string.c_str())); // posix_spawn does not write
  }
  pointers.push_back(nullptr);
  return pointers;
}

// Starts `spec` in a new session with stdin /dev/null, stdout and stderr on
// pipes, default signal handling and no other fds.
tl::expected<Spawned, SpawnError> spawn(const ProcessSpec& spec)
{
  if (spec.argv.empty()) {
    return tl::unexpected(SpawnError{EINVAL, "cannot execute an empty command"});
  }
  const auto null = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  auto out = null.get() < 0 ? std::nullopt : make_pipe();
  auto err = out ? make_pipe() : std::nullopt;
  if (!err) {
    const int error = errno; // from the open, pipe or fcntl that failed last
    return tl::unexpected(
        SpawnError{error, "cannot prepare to run " + spec.argv[0] + ": " + describe_errno(error)});
  }
  SpawnActions actions;
  ::posix_spawn_file_actions_adddup2(actions.get(), null.get(), STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(actions.get(), out->write.get(), STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(actions.get(), err->write.get(), STDERR_FILENO);
  if (!spec.working_directory.empty()) {
    ::posix_spawn_file_actions_addchdir_np(actions.get(), spec.working_directory.c_str());
  }
  ::posix_spawn_file_actions_addclosefrom_np(actions.get(), 3);
  const SpawnAttributes attributes;
  const auto argv = c_strings(spec.argv);
  const auto envp = c_strings(spec.env);
  pid_t pid = 0;
  const int error =
      ::posix_spawn(&pid, argv[0], actions.get(), attributes.get(), argv.data(), envp.data());
  if (error != 0) {
    return tl::unexpected(spawn_error(spec, error));
  }
  return Spawned{pid, std::move(out->read), std::move(err->read)};
}

// ---- supervising -----------------------------------------------------------

std::optional<Clock::time_point> deadline_after(Clock::time_point now, Duration duration)
{
  // Anything beyond a century is "never", which also keeps the addition from overflowing.
  if (duration == k_infinite || duration > std::chrono::hours(24 * 365 * 100)) {
    return std::nullopt;
  }
  return now + std::max(duration, Duration::zero());
}

int poll_timeout_ms(Clock::time_point now, Clock::time_point wake)
{
  if (wake <= now) {
    return 0;
  }
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wake - now).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, 60'000));
}

// Watches one spawned task until it and everything it started are gone.
class Supervisor
{
public:
  Supervisor(Spawned child, const ProcessSpec& spec, OutputSink& sink, const StopSource& stop,
             int stop_fd);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Runs the task to its end and returns what became of it (without duration).
  ProcessResult run();

private:
  enum class Phase {
    running,  // the main process runs
    draining, // it exited by itself; collect output until EOF or the drain grace ends
    stopping, // SIGTERM (or the stop signal) sent; SIGKILL at m_kill_at
    killing,  // SIGKILL sent; wait until nothing is left
    done,
  };

  void wait_for_events(Clock::time_point now);
  Clock::time_point next_wake(Clock::time_point now) const;
  enum class ReadResult { data, empty, closed };
  ReadResult read_stream(std::size_t index);
  void observe_main_exit();
  void reap_orphans_while_main_runs();
  void advance(Clock::time_point now);
  void advance_running(Clock::time_point now);
  void advance_draining(Clock::time_point now);
  void advance_stopping(Clock::time_point now);
  void begin_stop(int signal, Clock::time_point now);
  void signal_tree(int signal);
  int reap_and_count_survivors(bool include_zombies);
  void finish();

  const ProcessSpec& m_spec;
  const StopSource& m_stop;
  pid_t m_pid;
  UniqueFd m_pidfd;
  std::array<UniqueFd, 2> m_pipes;
  std::array<LineSplitter, 2> m_splitters;
  std::vector<char> m_buffer = std::vector<char>(k_read_chunk);
  int m_stop_fd;
  int m_stop_signal = 0;
  Phase m_phase = Phase::running;
  bool m_main_exited = false;
  std::optional<Clock::time_point> m_deadline;
  std::optional<Clock::time_point> m_kill_at;
  Clock::time_point m_drain_until{};
  Clock::time_point m_next_idle_reap{};
  ProcessResult m_result;
};

Supervisor::Supervisor(Spawned child, const ProcessSpec& spec, OutputSink& sink,
                       const StopSource& stop, int stop_fd)
    : m_spec(spec), m_stop(stop), m_pid(child.pid),
      m_pidfd(::pidfd_open(child.pid, 0)), m_pipes{std::move(child.out), std::move(child.err)},
      m_splitters{LineSplitter(Stream::out, sink), LineSplitter(Stream::err, sink)},
      m_stop_fd(stop_fd)
{
  const auto now = Clock::now();
  m_deadline = deadline_after(now, spec.timeout);
  m_next_idle_reap = now + k_idle_tick;
}

// Only reached early if the sink threw: leave nothing of the task behind.
Supervisor::~Supervisor()
{
  if (m_phase == Phase::done) {
    return;
  }
  signal_tree(SIGKILL);
  siginfo_t info = {};
  while (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED) != 0 && errno == EINTR) {
  }
}

ProcessResult Supervisor::run()
{
  while (m_phase != Phase::done) {
    wait_for_events(Clock::now());
    advance(Clock::now());
  }
  finish();
  return m_result;
}

Clock::time_point Supervisor::next_wake(Clock::time_point now) const
{
  switch (m_phase) {
  case Phase::running: {
    // Without a pidfd (old kernels) only a short tick notices the main process exit.
    auto wake = m_pidfd.get() >= 0 ? m_next_idle_reap : now + k_cleanup_tick;
    return m_deadline ? std::min(wake, *m_deadline) : wake;
  }
  case Phase::draining:
    return m_drain_until;
  case Phase::stopping:
    return m_kill_at ? std::min(now + k_cleanup_tick, *m_kill_at) : now + k_cleanup_tick;
  case Phase::killing:
  case Phase::done:
    break;
  }
  return now + k_cleanup_tick;
}

// Sleeps in poll() until output, the main process exit, a stop request or the
// next timer; reads whatever output is ready.
void Supervisor::wait_for_events(Clock::time_point now)
{
  std::array<pollfd, 4> fds{};
  nfds_t count = 0;
  for (const auto& pipe : m_pipes) {
    fds[count++] = {pipe.get(), POLLIN, 0}; // a negative fd is ignored by poll()
  }
  const bool watch_main = !m_main_exited && m_pidfd.get() >= 0;
  fds[count++] = {watch_main ? m_pidfd.get() : -1, POLLIN, 0};
  const bool watch_stop = m_phase == Phase::running && m_stop_fd >= 0;
  fds[count++] = {watch_stop ? m_stop_fd : -1, POLLIN, 0};
  if (::poll(fds.data(), count, poll_timeout_ms(now, next_wake(now))) < 0) {
    return; // EINTR: a signal for the runner; advance() looks at it
  }
  for (std::size_t index = 0; index < m_pipes.size(); ++index) {
    if (fds[index].revents != 0) {
      read_stream(index);
    }
  }
  if (watch_stop && fds[3].revents != 0 && m_stop.stop_signal() == 0) {
    m_stop_fd = -1; // readable without a stop request: stop polling it rather than spin
  }
}

// Reads one chunk of `m_pipes[index]` into its splitter; closes the pipe at EOF.
Supervisor::ReadResult Supervisor::read_stream(std::size_t index)
{
  auto& pipe = m_pipes[index];
  const auto size = ::read(pipe.get(), m_buffer.data(), m_buffer.size());
  if (size > 0) {
    m_splitters[index].feed(std::string_view(m_buffer.data(), static_cast<std::size_t>(size)));
    return ReadResult::data;
  }
  if (size < 0 && (errno == EINTR || errno == EAGAIN)) {
    return ReadResult::empty;
  }
  pipe.reset(); // EOF: every writer is gone (or an error no retry would cure)
  return ReadResult::closed;
}

// Records how the main process ended once it has, leaving it an unreaped zombie.
void Supervisor::observe_main_exit()
{
  if (m_main_exited) {
    return;
  }
  siginfo_t info = {};
  const int flags = WEXITED | WNOHANG | WNOWAIT;
  if (::waitid(P_PID, static_cast<id_t>(m_pid), &info, flags) != 0 || info.si_pid != m_pid) {
    return;
  }
  m_main_exited = true;
  if (info.si_code == CLD_EXITED) {
    m_result.exit_status = info.si_status;
  } else {
    m_result.signal = info.si_status;
    m_result.core_dumped = info.si_code == CLD_DUMPED;
  }
}

// Reaps zombies reparented to us. While the main process runs, waitid(P_ALL)
// can only report those; once it reports the main process we stop.
void Supervisor::reap_orphans_while_main_runs()
{
  for (;;) {
    siginfo_t info = {};
    const int flags = WEXITED | WNOHANG | WNOWAIT;
    if (::waitid(P_ALL, 0, &info, flags) != 0 || info.si_pid == 0 || info.si_pid == m_pid) {
      return;
    }
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

void Supervisor::advance(Clock::time_point now)
{
  switch (m_phase) {
  case Phase::running:
    advance_running(now);
    break;
  case Phase::draining:
    advance_draining(now);
    break;
  case Phase::stopping:
  case Phase::killing:
    advance_stopping(now);
    break;
  case Phase::done:
    break;
  }
}

void Supervisor::advance_running(Clock::time_point now)
{
  observe_main_exit();
  if (m_main_exited) {
    if (m_result.kind == ExitKind::exited && m_result.signal != 0) {
      m_result.kind = ExitKind::signaled;
    }
    m_phase = Phase::draining;
    m_drain_until = now + k_drain_grace;
    advance_draining(now); // the pipes may be at EOF already
  } else if (const int signal = m_stop.stop_signal(); signal != 0) {
    m_result.kind = ExitKind::interrupted;
    m_stop_signal = signal;
    begin_stop(signal, now);
  } else if (m_deadline && now >= *m_deadline) {
    m_result.kind = ExitKind::timed_out;
    begin_stop(SIGTERM, now);
  } else if (now >= m_next_idle_reap) {
    reap_orphans_while_main_runs();
    m_next_idle_reap = now + k_idle_tick;
  }
}

// The main process has exited by itself; once its output is in, whatever it
// left running is a leftover to stop.
void Supervisor::advance_draining(Clock::time_point now)
{
  const bool at_eof = m_pipes[0].get() < 0 && m_pipes[1].get() < 0;
  if (!at_eof && now < m_drain_until) {
    return;
  }
  m_result.leftover_processes = reap_and_count_survivors(false);
  if (m_result.leftover_processes == 0) {
    m_phase = Phase::done;
  } else {
    begin_stop(SIGTERM, now);
  }
}

void Supervisor::advance_stopping(Clock::time_point now)
{
  observe_main_exit();
  if (m_main_exited && reap_and_count_survivors(true) == 0) {
    m_phase = Phase::done;
  } else if (m_phase == Phase::killing) {
    signal_tree(SIGKILL); // new forks, and processes that were exiting at the last scan
  } else if (m_kill_at && now >= *m_kill_at) {
    m_result.escalated_to_kill = true;
    signal_tree(SIGKILL);
    m_phase = Phase::killing;
  }
}

void Supervisor::begin_stop(int signal, Clock::time_point now)
{
  signal_tree(signal);
  signal_tree(SIGCONT);
  m_kill_at = deadline_after(now, m_spec.kill_timeout);
  m_phase = Phase::stopping;
}

// Signals the task's process group, then every live descendant of the runner
// outside it (once only: some programs take a second SIGINT as "give up cleaning").
void Supervisor::signal_tree(int signal)
{
  ::kill(-m_pid, signal); // safe: the unreaped main process keeps its pid, the group id, reserved
  for (const auto& process : list_descendants()) {
    if (process.state != 'Z' && process.group != m_pid) {
      signal_descendant(process, signal);
    }
  }
}

// Reaps zombie children other than the main process and returns how many
// descendants remain: only the live ones unless `include_zombies`.
int Supervisor::reap_and_count_survivors(bool include_zombies)
{
  const pid_t self = ::getpid();
  int survivors = 0;
  for (const auto& process : list_descendants()) {
    if (process.pid == m_pid) {
      continue;
    }
    if (process.state == 'Z' && process.ppid == self) {
      ::waitpid(process.pid, nullptr, WNOHANG);
    } else if (process.state != 'Z' || include_zombies) {
      ++survivors;
    }
  }
  return survivors;
}

// Reaps the main process, delivers the output still in the pipes and closes them.
void Supervisor::finish()
{
  siginfo_t info = {};
  while (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED) != 0 && errno == EINTR) {
  }
  for (std::size_t index = 0; index < m_pipes.size(); ++index) {
    for (int chunk = 0; chunk < k_final_drain_chunks && m_pipes[index].get() >= 0; ++chunk) {
      if (read_stream(index) != ReadResult::data) {
        break;
      }
    }
  }
  for (auto& splitter : m_splitters) {
    splitter.finish();
  }
  for (auto& pipe : m_pipes) {
    pipe.reset();
  }
  if (m_result.kind == ExitKind::interrupted) {
    m_result.signal = m_stop_signal; // what stopped the run, not how the main process died
  }
}

} // namespace

PosixProcessRunner::PosixProcessRunner(const StopSource& stop, int stop_fd)
    : m_stop(stop), m_stop_fd(stop_fd)
{
}

ProcessResult PosixProcessRunner::run(const ProcessSpec& spec, OutputSink& sink)
{
  if (const int signal = m_stop.stop_signal(); signal != 0) {
    ProcessResult result;
    result.kind = ExitKind::interrupted;
    result.signal = signal;
    return result;
  }
  const auto started = Clock::now();
  auto spawned = spawn(spec);
  ProcessResult result;
  if (!spawned) {
    result.kind = ExitKind::start_failed;
    result.error_number = spawned.error().error_number;
    result.error = spawned.error().message;
  } else {
    Supervisor supervisor(std::move(*spawned), spec, sink, m_stop, m_stop_fd);
    result = supervisor.run();
  }
  result.duration = std::chrono::duration_cast<Duration>(Clock::now() - started);
  return result;
}

void PosixProcessRunner::become_subreaper()
{
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    throw std::system_error(errno, std::system_category(), "cannot become a child subreaper");
  }
}

} // namespace pt
