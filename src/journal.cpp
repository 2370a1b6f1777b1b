// SPDX-License-Identifier: MIT
// The journal edge. Records go to journald with sd_journal_sendv(), which uses
// journald's native protocol: every field is its own iovec, values may hold
// any bytes, nothing is parsed back out of MESSAGE. When journald is not there
// (no socket: a container without it, a chroot, a test) sd_journal_sendv()
// fails with an errno and drops nothing silently only if we notice: every
// refused record is rendered on stderr instead. PRIORITY matters beyond
// filtering: under a flood journald's rate limiter drops INFO lines first and
// keeps ERR ones, so every failure is logged at err.
#include "journal.hpp"

#include <cstring>
#include <string>
#include <sys/stat.h>
#include <sys/uio.h>
#include <vector>

#include <fmt/format.h>
#include <systemd/sd-journal.h>

namespace pt {

namespace {

constexpr const char* k_journal_socket = "/run/systemd/journal/socket";

bool needs_quotes(std::string_view value)
{
  return value.empty() || value.find_first_of(" \t\"") != std::string_view::npos;
}

std::string render_fields(const Record& record)
{
  std::string out;
  for (const auto& field : record.fields) {
    out += out.empty() ? "" : " ";
    if (needs_quotes(field.value)) {
      out += fmt::format("{}=\"{}\"", field.name, field.value);
    } else {
      out += fmt::format("{}={}", field.name, field.value);
    }
  }
  return out;
}

bool is_output(const Record& record)
{
  return !record.field("STREAM").empty();
}

} // namespace

std::string_view Record::field(std::string_view name) const
{
  for (const auto& f : fields) {
    if (f.name == name) {
      return f.value;
    }
  }
  return {};
}

void ConsoleLog::emit(const Record& record)
{
  std::string line;
  if (is_output(record)) {
    const bool is_stderr = record.field("STREAM") == "stderr";
    line = fmt::format("{}{} {}\n", record.field("TASK"), is_stderr ? "!" : "|", record.message);
  } else if (m_detail == Detail::progress) {
    line = fmt::format("periodic_tasks: {}\n", record.message);
  } else {
    line = fmt::format("periodic_tasks: {} [{}]\n", record.message, render_fields(record));
  }
  std::fputs(line.c_str(), m_stream);
  std::fflush(m_stream);
}

void JournalLog::emit(const Record& record)
{
  std::vector<std::string> items;
  items.reserve(record.fields.size() + 4);
  items.push_back("MESSAGE=" + record.message);
  items.push_back(fmt::format("PRIORITY={}", static_cast<int>(record.priority)));
  items.emplace_back("SYSLOG_IDENTIFIER=periodic_tasks");
  if (!record.message_id.empty()) {
    items.push_back(fmt::format("MESSAGE_ID={}", record.message_id));
  }
  for (const auto& field : record.fields) {
    items.push_back(field.name + "=" + field.value);
  }
  std::vector<iovec> iov(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    iov[i].iov_base = items[i].data();
    iov[i].iov_len = items[i].size();
  }
  if (sd_journal_sendv(iov.data(), static_cast<int>(iov.size())) < 0) {
    m_fallback.emit(record);
  }
}

bool journal_available()
{
  struct stat st
  {
  };
  return ::stat(k_journal_socket, &st) == 0 && S_ISSOCK(st.st_mode);
}

bool fd_is_journal_stream(int fd, const char* journal_stream)
{
  if (journal_stream == nullptr) {
    return false;
  }
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(journal_stream, "%llu:%llu", &device, &inode) != 2) {
    return false;
  }
  struct stat st
  {
  };
  if (::fstat(fd, &st) != 0) {
    return false;
  }
  return st.st_dev == device && st.st_ino == inode;
}

} // namespace pt
