// SPDX-License-Identifier: MIT
// Starting a task: posix_spawn into a new session with its output on pipes.
#pragma once

#include <spawn.h>
#include <string>
#include <sys/types.h>
#include <vector>

#include <tl/expected.hpp>

#include "process/process.hpp"
#include "util/fd.hpp"

namespace pt {

// A started task: its main process, the read ends of its stdout and stderr,
// and our copies of their write ends. Holding the write ends keeps the pipes
// from reporting EOF before the main process exit is reported, so a task
// that just exits wakes the supervisor once; it closes them then.
struct Spawned
{
  pid_t pid = 0;
  UniqueFd out;
  UniqueFd err;
  UniqueFd out_writer;
  UniqueFd err_writer;
};

struct SpawnError
{
  int error_number = 0;
  std::string message; // "cannot execute /x: No such file or directory"
};

// Starts tasks, keeping what one task's start can leave to the next: /dev/null
// open, the spawn attributes, the last file actions, the argv and envp arrays.
// Use from one thread.
class Spawner
{
public:
  Spawner();
  ~Spawner();
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;

  // Starts `spec` in a new session with stdin /dev/null, stdout and stderr on
  // pipes (non-blocking on our side), default signal handling and no other fds.
  // An error means nothing was started.
  tl::expected<Spawned, SpawnError> spawn(const ProcessSpec& spec);

private:
  // Returns the file actions for these fds and directory, rebuilt only when one differs.
  const posix_spawn_file_actions_t* file_actions(int out, int err,
                                                 const std::string& working_directory);

  UniqueFd m_null;
  posix_spawnattr_t m_attributes{};
  posix_spawn_file_actions_t m_actions{};
  bool m_actions_built = false;
  int m_out = -1;
  int m_err = -1;
  std::string m_working_directory;
  std::vector<char*> m_argv;
  std::vector<char*> m_envp;
};

} // namespace pt
