// SPDX-License-Identifier: MIT
// The seam between the runner and the OS's processes: what to run, what came of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/duration.hpp"

namespace pt {

enum class Stream { out, err };

// How a piece of output ends.
enum class LineEnd {
  newline,       // a whole line; its "\n" was dropped
  continues,     // a piece of an over-long line; more of the same line follows
  end_of_output, // the last line of the stream, which had no "\n"
};

// Receives a task's output, a line (or a piece of an over-long line) at a time.
class OutputSink
{
public:
  virtual ~OutputSink() = default;
  // Called for each line of `stream` without its newline. `text` is raw bytes
  // (maybe invalid UTF-8 or with NULs); a line longer than k_max_line_bytes
  // arrives in pieces, each but the last ending in LineEnd::continues.
  virtual void on_line(Stream stream, std::string_view text, LineEnd end) = 0;
};

struct ProcessSpec
{
  std::vector<std::string> argv; // argv[0] is an absolute path
  std::vector<std::string> env;  // complete environment, "NAME=value"
  std::string working_directory;
  Duration timeout{};      // k_infinite: none
  Duration kill_timeout{}; // SIGTERM -> SIGKILL grace
  // When readable: stop the task as at its deadline (SIGTERM, then SIGKILL
  // after kill_timeout), because the runner no longer holds its cluster claim.
  // Negative: none. Never read: the runner's fence stays readable.
  int fence_fd = -1;
};

enum class ExitKind {
  exited,       // the main process exited by itself; see exit_status
  signaled,     // the main process died of a signal it did not get from us
  timed_out,    // we stopped it at its deadline
  interrupted,  // we stopped it because the runner got SIGTERM/SIGINT
  fenced,       // we stopped it because its fence_fd became readable
  start_failed, // it never ran; see error
};

struct ProcessResult
{
  ExitKind kind = ExitKind::exited;
  int exit_status = 0; // when the main process exited
  int signal = 0;      // signaled/timed_out: the signal that ended the main process;
                       // interrupted: the stop signal the runner received
  bool core_dumped = false;
  int error_number = 0;       // start_failed: errno
  std::string error;          // start_failed: "cannot execute /x: No such file or directory"
  int leftover_processes = 0; // descendants still alive after the main process ended, then killed
  bool escalated_to_kill = false; // SIGKILL was needed after kill_timeout
  Duration duration{};
};

// Runs one process to completion with its whole tree cleaned up afterwards.
class ProcessRunner
{
public:
  virtual ~ProcessRunner() = default;
  // Runs `spec`, feeding output to `sink`; never throws for anything the task does.
  virtual ProcessResult run(const ProcessSpec& spec, OutputSink& sink) = 0;
};

} // namespace pt
