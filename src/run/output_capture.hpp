// SPDX-License-Identifier: MIT
// Forwards a task's output lines to the log, up to the output limit, and keeps
// the last lines for the summary.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "journal/event_log.hpp"
#include "process/process.hpp"

namespace pt {

inline constexpr std::size_t k_tail_lines = 10;
inline constexpr std::size_t k_tail_line_bytes = 512;

class OutputCapture final : public OutputSink
{
public:
  // Forwards lines to `log` with `fields` (TASK, RUN_ID, ...) added, until
  // `limit` bytes have been forwarded.
  OutputCapture(EventLog& log, std::vector<Field> fields, std::uint64_t limit);

  void on_line(Stream stream, std::string_view text, LineEnd end) override;

  // Emits the "N bytes suppressed" record if anything was suppressed.
  void finish();

  std::uint64_t total_bytes() const { return m_total_bytes; }
  std::uint64_t suppressed_bytes() const { return m_suppressed_bytes; }
  // Returns the last lines seen (forwarded or not), sanitized and shortened.
  std::vector<std::string> tail() const { return {m_tail.begin(), m_tail.end()}; }

private:
  EventLog& m_log;
  std::vector<Field> m_fields;
  std::uint64_t m_limit;
  std::uint64_t m_total_bytes = 0;
  std::uint64_t m_forwarded_bytes = 0;
  std::uint64_t m_suppressed_bytes = 0;
  std::deque<std::string> m_tail;
  bool m_tail_continues = false;
};

} // namespace pt
