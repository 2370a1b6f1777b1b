// SPDX-License-Identifier: MIT
// The real ProcessRunner: posix_spawn, process groups, subreaping, deadlines.
#pragma once

#include <memory>

#include "process/process.hpp"
#include "process/signals.hpp"

namespace pt {

class PosixProcessRunner final : public ProcessRunner
{
public:
  // `stop` ends a running task early; `stop_fd` wakes the wait loop (-1: none).
  PosixProcessRunner(const StopSource& stop, int stop_fd);
  ~PosixProcessRunner() override;
  PosixProcessRunner(const PosixProcessRunner&) = delete;
  PosixProcessRunner& operator=(const PosixProcessRunner&) = delete;
  ProcessResult run(const ProcessSpec& spec, OutputSink& sink) override;

  // Makes this process a child subreaper, so that orphaned descendants of a
  // task are reparented to it and can be reaped and killed. Call once at start.
  static void become_subreaper();

private:
  struct Reused; // what one task leaves to the next: spawner, children reader, read buffer

  const StopSource& m_stop;
  int m_stop_fd;
  std::unique_ptr<Reused> m_reused;
};

} // namespace pt
