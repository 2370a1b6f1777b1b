// SPDX-License-Identifier: MIT
// A task's stdout and stderr: pipes read in bounded chunks and split into lines.
#pragma once

#include <array>
#include <cstddef>
#include <poll.h>
#include <span>

#include "process/line_splitter.hpp"
#include "process/process.hpp"
#include "util/fd.hpp"

namespace pt {

// Reads a task's stdout and stderr into a line splitter each.
class TaskOutput
{
public:
  // Takes the non-blocking read ends `out` and `err`; lines go to `sink`;
  // reads into `buffer` (at least k_read_chunk bytes, reused from task to task).
  TaskOutput(UniqueFd out, UniqueFd err, OutputSink& sink, std::span<char> buffer);

  static constexpr std::size_t k_read_chunk = std::size_t{64} * 1024;

  static constexpr std::size_t k_streams = 2; // stdout, stderr

  // Sets `fds` to wait for input on stdout and stderr; a closed pipe gets fd -1.
  void fill_poll_fds(std::span<pollfd, k_streams> fds) const;
  // Reads one chunk from each pipe that poll() marked in `fds`; closes one
  // that reports only POLLHUP (empty, and every writer gone) without a read.
  void read_ready(std::span<const pollfd, k_streams> fds);
  // Returns whether both pipes are closed: every writer is gone.
  bool at_eof() const { return m_pipes[0].get() < 0 && m_pipes[1].get() < 0; }
  // Delivers a bounded rest of what is still in the pipes and every last line, then closes them.
  void finish();

private:
  enum class ReadResult { data, empty, closed };
  // Reads one chunk of stream `index` (0 stdout, 1 stderr) into its splitter;
  // closes the pipe at EOF.
  ReadResult read(std::size_t index);

  std::array<UniqueFd, k_streams> m_pipes;
  std::array<LineSplitter, k_streams> m_splitters;
  std::span<char> m_buffer; // not zeroed: read() fills it
};

} // namespace pt
