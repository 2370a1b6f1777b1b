// SPDX-License-Identifier: MIT
#include "process/line_splitter.hpp"

#include <algorithm>

namespace pt {
namespace {

// Appends `text` (which holds no newline) to the line collected in `pending`.
// A full piece goes to `sink` only once more bytes of the same line arrive, so a
// line of exactly k_max_line_bytes still arrives whole and no final piece is empty.
void add_partial(std::string_view text, std::string& pending, Stream stream, OutputSink& sink)
{
  while (!text.empty()) {
    if (pending.size() == k_max_line_bytes) {
      sink.on_line(stream, pending, LineEnd::continues);
      pending.clear();
    }
    if (pending.empty() && text.size() > k_max_line_bytes) {
      sink.on_line(stream, text.substr(0, k_max_line_bytes), LineEnd::continues);
      text.remove_prefix(k_max_line_bytes);
      continue;
    }
    const auto take = std::min(text.size(), k_max_line_bytes - pending.size());
    pending.append(text.substr(0, take));
    text.remove_prefix(take);
  }
}

} // namespace

void LineSplitter::feed(std::string_view bytes)
{
  for (;;) {
    const auto newline = bytes.find('\n');
    if (newline == std::string_view::npos) {
      add_partial(bytes, m_pending, m_stream, m_sink);
      return;
    }
    const auto line = bytes.substr(0, newline);
    if (m_pending.empty() && line.size() <= k_max_line_bytes) {
      // The common case: a whole short line inside one chunk, delivered without copying.
      m_sink.on_line(m_stream, line, LineEnd::newline);
    } else {
      add_partial(line, m_pending, m_stream, m_sink);
      m_sink.on_line(m_stream, m_pending, LineEnd::newline);
      m_pending.clear();
    }
    bytes.remove_prefix(newline + 1);
  }
}

void LineSplitter::finish()
{
  if (!m_pending.empty()) {
    m_sink.on_line(m_stream, m_pending, LineEnd::end_of_output);
    m_pending.clear();
  }
}

} // namespace pt
