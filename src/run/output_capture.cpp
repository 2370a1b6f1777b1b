// SPDX-License-Identifier: MIT
#include "run/output_capture.hpp"

#include <fmt/format.h>

#include "journal/fields.hpp"
#include "util/duration.hpp"
#include "util/text.hpp"

namespace pt {

OutputCapture::OutputCapture(EventLog& log, std::vector<Field> fields, std::uint64_t limit)
    : m_log(log), m_fields(std::move(fields)), m_limit(limit)
{
}

void OutputCapture::on_line(Stream stream, std::string_view text, LineEnd end)
{
  const bool continued = end == LineEnd::continues;
  const std::uint64_t size = text.size() + (end == LineEnd::newline ? 1 : 0); // count the newline
  m_total_bytes += size;

  // The tail reflects the real end of the output, whether forwarded or not.
  std::string shown = sanitize_utf8(text.substr(0, k_tail_line_bytes));
  if (m_tail_continues && !m_tail.empty()) {
    if (m_tail.back().size() < k_tail_line_bytes) {
      m_tail.back() += shown.substr(0, k_tail_line_bytes - m_tail.back().size());
    }
  } else {
    m_tail.push_back(std::move(shown));
    if (m_tail.size() > k_tail_lines) {
      m_tail.pop_front();
    }
  }
  m_tail_continues = continued;

  if (m_forwarded_bytes + size > m_limit) {
    m_suppressed_bytes += size;
    m_forwarded_bytes = m_limit; // nothing more fits, even a shorter later line
    return;
  }
  m_forwarded_bytes += size;

  Record record;
  record.priority = stream == Stream::err ? Priority::warning : Priority::info;
  record.message = sanitize_utf8(text);
  record.message_id = message_id::task_output;
  record.fields = m_fields;
  record.fields.push_back({field::stream, stream == Stream::err ? "stderr" : "stdout"});
  if (continued) {
    record.fields.push_back({field::line_continues, "1"});
  }
  m_log.emit(record);
}

void OutputCapture::finish()
{
  if (m_suppressed_bytes == 0) {
    return;
  }
  Record record;
  record.priority = Priority::warning;
  record.message_id = message_id::output_suppressed;
  record.fields = m_fields;
  std::string_view task = record.field(field::task);
  record.message = fmt::format("task \"{}\": output limit {} reached, {} bytes suppressed", task,
                               format_size(m_limit), m_suppressed_bytes);
  record.fields.push_back({field::suppressed_bytes, std::to_string(m_suppressed_bytes)});
  record.fields.push_back({field::output_bytes, std::to_string(m_total_bytes)});
  m_log.emit(record);
}

} // namespace pt
