// SPDX-License-Identifier: MIT
// Starting a task: posix_spawn into a new session with its output on pipes.
#pragma once

#include <string>
#include <sys/types.h>

#include <tl/expected.hpp>

#include "process/process.hpp"
#include "util/fd.hpp"

namespace pt {

// A started task: its main process and the read ends of its stdout and stderr.
struct Spawned
{
  pid_t pid = 0;
  UniqueFd out;
  UniqueFd err;
};

struct SpawnError
{
  int error_number = 0;
  std::string message; // "cannot execute /x: No such file or directory"
};

// Starts `spec` in a new session with stdin /dev/null, stdout and stderr on
// pipes (non-blocking on our side), default signal handling and no other fds.
// An error means nothing was started.
tl::expected<Spawned, SpawnError> spawn(const ProcessSpec& spec);

} // namespace pt
