// SPDX-License-Identifier: MIT
// Starting a task with nothing of the runner in it.
//
// The task starts in a session and process group of its own (POSIX_SPAWN_SETSID),
// so it has no controlling terminal and the runner can signal its group as one.
// Its signal mask is emptied and every signal (sigfillset: all of them, so each
// one signals.cpp catches or ignores) is set to its default action: the runner
// ignores SIGPIPE and SIGXFSZ, and an ignored signal or a blocked mask would
// survive the exec and change how the task behaves (caught ones are reset by
// the exec itself). tests/integration/test_signal_task_default_dispositions.sh
// checks the task's SigIgn and SigBlk.
//
// Its stdin is /dev/null, its stdout and stderr are pipes, and no other fd leaks
// into it: every fd we open is O_CLOEXEC, and closefrom(3) catches the rest. If
// the runner itself started with 0, 1 or 2 closed, a new fd can land on one of
// them and collide with the child's dup2; such fds are moved to 3 or above
// first. Only our ends of the pipes are non-blocking.
//
// glibc's posix_spawn reports a failed chdir and a failed exec alike, as an
// errno; spawn_error tells them apart so the message names the right culprit.
#include "process/spawn.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <optional>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>
#include <vector>

namespace pt {
namespace {

std::string describe_errno(int error)
{
  return std::system_category().message(error);
}

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
  // pipe2 left its status flags empty (O_CLOEXEC is an fd flag), so one F_SETFL does.
  ::fcntl(pipe.read.get(), F_SETFL, O_NONBLOCK);
  return pipe;
}

bool is_searchable_directory(const std::string& path)
{
  struct stat status = {};
  return ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// Tells a failed chdir from a failed exec by looking at the directory
// afterwards: if it is not a searchable directory now, the chdir is what
// failed. A directory that changes between the spawn and the look can mislead
// this; nothing else can.
SpawnError spawn_error(const ProcessSpec& spec, int error)
{
  if (!spec.working_directory.empty() && !is_searchable_directory(spec.working_directory)) {
    return {error, "cannot change to working directory " + spec.working_directory + ": " +
                       describe_errno(error)};
  }
  return {error, "cannot execute " + spec.argv[0] + ": " + describe_errno(error)};
}

void fill_c_strings(const std::vector<std::string>& strings, std::vector<char*>& pointers)
{
  pointers.clear();
  pointers.reserve(strings.size() + 1);
  for (const auto& string : strings) {
    pointers.push_back(const_cast<char*>(string.c_str())); // posix_spawn does not write
  }
  pointers.push_back(nullptr);
}

} // namespace

Spawner::Spawner()
{
  ::posix_spawn_file_actions_init(&m_actions);
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

Spawner::~Spawner()
{
  ::posix_spawn_file_actions_destroy(&m_actions);
  ::posix_spawnattr_destroy(&m_attributes);
}

// The child's file actions: stdin from /dev/null, stdout and stderr to `out`
// and `err`, chdir, closefrom(3). Building them costs glibc a getrlimit per fd
// it checks (seven system calls), and a run's tasks mostly get the same fd
// numbers, so the last set is kept and rebuilt only when an input differs.
const posix_spawn_file_actions_t* Spawner::file_actions(int out, int err,
                                                        const std::string& working_directory)
{
  if (m_actions_built && out == m_out && err == m_err && working_directory == m_working_directory) {
    return &m_actions;
  }
  ::posix_spawn_file_actions_destroy(&m_actions);
  ::posix_spawn_file_actions_init(&m_actions);
  ::posix_spawn_file_actions_adddup2(&m_actions, m_null.get(), STDIN_FILENO);
  ::posix_spawn_file_actions_adddup2(&m_actions, out, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&m_actions, err, STDERR_FILENO);
  if (!working_directory.empty()) {
    ::posix_spawn_file_actions_addchdir_np(&m_actions, working_directory.c_str());
  }
  ::posix_spawn_file_actions_addclosefrom_np(&m_actions, 3);
  m_actions_built = true;
  m_out = out;
  m_err = err;
  m_working_directory = working_directory;
  return &m_actions;
}

tl::expected<Spawned, SpawnError> Spawner::spawn(const ProcessSpec& spec)
{
  if (spec.argv.empty()) {
    return tl::unexpected(SpawnError{EINVAL, "cannot execute an empty command"});
  }
  if (m_null.get() < 0) { // opened once, kept for every task (the file actions name it)
    m_null = above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  }
  auto out = m_null.get() < 0 ? std::nullopt : make_pipe();
  auto err = out ? make_pipe() : std::nullopt;
  if (!err) {
    const int error = errno; // from the open, pipe or fcntl that failed last
    return tl::unexpected(
        SpawnError{error, "cannot prepare to run " + spec.argv[0] + ": " + describe_errno(error)});
  }
  const auto* actions = file_actions(out->write.get(), err->write.get(), spec.working_directory);
  fill_c_strings(spec.argv, m_argv);
  fill_c_strings(spec.env, m_envp);
  pid_t pid = 0;
  const int error =
      ::posix_spawn(&pid, m_argv[0], actions, &m_attributes, m_argv.data(), m_envp.data());
  if (error != 0) {
    return tl::unexpected(spawn_error(spec, error));
  }
  return Spawned{pid, std::move(out->read), std::move(err->read), std::move(out->write),
                 std::move(err->write)};
}

} // namespace pt
