// SPDX-License-Identifier: MIT
// The real EventLogs: the systemd journal, and readable lines on stderr.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "journal/event_log.hpp"
#include "util/fd.hpp"

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

// Sends records to journald in its native protocol (journal/writer.cpp); a record
// the journal refuses goes to `fallback` instead, so nothing is lost silently.
// The socket is opened when the first record is sent.
class JournalLog final : public EventLog
{
public:
  explicit JournalLog(EventLog& fallback, std::string socket_path = "/run/systemd/journal/socket");
  JournalLog(const JournalLog&) = delete;
  JournalLog& operator=(const JournalLog&) = delete;
  void emit(const Record& record) override;

private:
  EventLog& m_fallback;
  std::string m_socket_path;
  std::once_flag m_open;
  UniqueFd m_fd;
};

// Appends one field in journald's native protocol: `NAME=value\n`, or, when
// the value holds a newline, `NAME\n`, its length as 64-bit little endian,
// the value and `\n`.
void append_journal_field(std::string& out, std::string_view name, std::string_view value);

// The datagram journald gets for `record`: MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER=periodic_tasks, MESSAGE_ID when set, then its fields.
std::string journal_datagram(const Record& record);

// Sends `datagram` on the AF_UNIX datagram socket `fd` to `socket_path`; one
// too large for a datagram goes as a sealed memfd. Returns 0 or -errno.
int send_journal_datagram(int fd, const char* socket_path, std::string_view datagram);

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
