// SPDX-License-Identifier: MIT
// The real EventLogs: the systemd journal, and readable lines on stderr.
#pragma once

#include <cstdio>
#include <memory>

#include "event_log.hpp"

namespace pt {

// Renders records as readable lines on a stream: plain progress for a
// terminal, or every field for when there is no journal.
class ConsoleLog final : public EventLog
{
public:
  enum class Detail { progress, all_fields };
  ConsoleLog(std::FILE* stream, Detail detail) : m_stream(stream), m_detail(detail) {}
  void emit(const Record& record) override;

private:
  std::FILE* m_stream;
  Detail m_detail;
};

// Sends records to journald with sd_journal_sendv; a record the journal
// refuses goes to `fallback` instead, so nothing is lost silently.
class JournalLog final : public EventLog
{
public:
  explicit JournalLog(EventLog& fallback) : m_fallback(fallback) {}
  void emit(const Record& record) override;

private:
  EventLog& m_fallback;
};

// Sends every record to two logs.
class TeeLog final : public EventLog
{
public:
  TeeLog(EventLog& first, EventLog& second) : m_first(first), m_second(second) {}
  void emit(const Record& record) override
  {
    m_first.emit(record);
    m_second.emit(record);
  }

private:
  EventLog& m_first;
  EventLog& m_second;
};

// Returns true when journald's socket is there to take records.
bool journal_available();

// Returns true when `fd` is connected to the journal (systemd's $JOURNAL_STREAM).
bool fd_is_journal_stream(int fd, const char* journal_stream);

} // namespace pt
