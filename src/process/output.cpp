// SPDX-License-Identifier: MIT
// Reading a task's output without letting the task decide how much memory we use.
//
// Reads are 64 KiB chunks (into one buffer the runner keeps for all its tasks)
// fed to a bounded LineSplitter, so memory stays flat whatever the task writes. The pipes are
// non-blocking on our side: a read that finds nothing (EAGAIN), or is cut short by a signal
// (EINTR), just returns to the wait loop, which polls again. EOF means every writer is gone,
// including any descendant that inherited the pipe (poll() says so with POLLHUP alone, and then the
// pipe is closed without a read); any other error is one no retry would cure, so it closes the pipe
// too. The last drain, once the tree is gone, reads what the pipes still buffer, up to a bound in
// case a writer we do not know of still holds one open.
#include "process/output.hpp"

#include <cerrno>
#include <string_view>
#include <unistd.h>
#include <utility>

namespace pt {
namespace {

constexpr int k_final_drain_chunks = 64; // bound the last read of a pipe nobody writes to

} // namespace

TaskOutput::TaskOutput(UniqueFd out, UniqueFd err, OutputSink& sink, std::span<char> buffer)
    : m_pipes{std::move(out), std::move(err)}, m_splitters{LineSplitter(Stream::out, sink),
                                                           LineSplitter(Stream::err, sink)},
      m_buffer(buffer.first(k_read_chunk))
{
}

void TaskOutput::fill_poll_fds(std::span<pollfd, k_streams> fds) const
{
  for (std::size_t index = 0; index < k_streams; ++index) {
    fds[index] = {m_pipes[index].get(), POLLIN, 0};
  }
}

void TaskOutput::read_ready(std::span<const pollfd, k_streams> fds)
{
  for (std::size_t index = 0; index < k_streams; ++index) {
    if (fds[index].revents == POLLHUP) {
      m_pipes[index].reset(); // a pipe says POLLHUP without POLLIN only when empty at EOF
    } else if (fds[index].revents != 0) {
      read(index);
    }
  }
}

TaskOutput::ReadResult TaskOutput::read(std::size_t index)
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

void TaskOutput::finish()
{
  for (std::size_t index = 0; index < m_pipes.size(); ++index) {
    for (int chunk = 0; chunk < k_final_drain_chunks && m_pipes[index].get() >= 0; ++chunk) {
      if (read(index) != ReadResult::data) {
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
}

} // namespace pt
