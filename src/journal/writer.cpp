// SPDX-License-Identifier: MIT
// The journal edge. Records go to journald in its native protocol
// (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/), written here rather than by
// libsystemd's sd_journal_sendv(): linking libsystemd made every start (each
// timer run, `check`, `list`) load it and its chain (libgcrypt, liblzma,
// libzstd, liblz4, libcap, libgpg-error), 1.8 ms and 1.1 MiB a start
// (docs/performance.md). The protocol is documented and stable:
//
// - one datagram per record on an AF_UNIX SOCK_DGRAM socket, sent to
//   /run/systemd/journal/socket;
// - each field `NAME=value\n`, or, when the value holds a newline, `NAME\n`,
//   the value's length as 64-bit little endian, the value, `\n`; values may
//   hold any other byte, nothing is parsed back out of MESSAGE;
// - a record too large for one datagram (EMSGSIZE, ENOBUFS) is written to a
//   memfd, sealed against any change, and its descriptor sent alone
//   (SCM_RIGHTS, no payload), as libsystemd does; the socket's send buffer is
//   raised to 8 MiB first, also as libsystemd does, so that is rare.
//
// Sending blocks while journald's queue is full, like sd_journal_sendv():
// under a flood the run slows down rather than losing lines. When journald is
// not there (no socket: a container without it, a chroot, a test) or refuses
// a record, the record is rendered on stderr instead: nothing is lost
// silently. PRIORITY matters beyond filtering: under a flood journald's rate
// limiter drops INFO lines first and keeps ERR ones, so every failure is
// logged at err.
#include "journal/writer.hpp"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include "journal/fields.hpp"
#include "util/fd.hpp"
#include "util/text.hpp"
#include "util/unix_address.hpp"

namespace pt {

namespace {

constexpr const char* k_journal_socket = "/run/systemd/journal/socket";
constexpr int k_send_buffer_bytes = 8 * 1024 * 1024; // libsystemd's SNDBUF_SIZE

bool needs_quotes(std::string_view value)
{
  return value.empty() || value.find_first_of(" \t\"") != std::string_view::npos;
}

// Renders the fields as `NAME=value NAME="value with spaces"`, each value
// through escape_control(): one record stays one line.
std::string render_fields(const Record& record)
{
  std::string out;
  for (const auto& field : record.fields) {
    out += out.empty() ? "" : " ";
    const std::string value = escape_control(field.value);
    if (needs_quotes(value)) {
      out += fmt::format("{}=\"{}\"", field.name, value);
    } else {
      out += fmt::format("{}={}", field.name, value);
    }
  }
  return out;
}

bool is_output(const Record& record)
{
  return !record.field(field::stream).empty();
}

// Raises the socket's send buffer like libsystemd's fd_inc_sndbuf(): as far as
// net.core.wmem_max allows, then past it where we may (CAP_NET_ADMIN). Best
// effort: a smaller buffer only means more records take the memfd path.
void raise_send_buffer(int fd)
{
  int current = 0;
  socklen_t size = sizeof(current);
  if (::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &current, &size) == 0 &&
      current >= k_send_buffer_bytes) {
    return;
  }
  const int wanted = k_send_buffer_bytes;
  if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &wanted, sizeof(wanted)) == 0 &&
      ::getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &current, &size) == 0 &&
      current >= k_send_buffer_bytes) {
    return;
  }
  (void)::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &wanted, sizeof(wanted));
}

int send_retrying(int fd, const msghdr& message)
{
  while (::sendmsg(fd, &message, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) {
      return -errno;
    }
  }
  return 0;
}

// The record in a sealed memfd, its descriptor sent alone: journald maps it.
int send_as_memfd(int fd, const UnixAddress& to, std::string_view datagram)
{
  const UniqueFd memfd(::memfd_create("journal-data", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (memfd.get() < 0) {
    return -errno;
  }
  int result = 0;
  for (std::string_view rest = datagram; !rest.empty();) {
    const ssize_t n = ::write(memfd.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      result = n < 0 ? -errno : -EIO;
      break;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (result == 0 && ::fcntl(memfd.get(), F_ADD_SEALS,
                             F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
    result = -errno;
  }
  if (result == 0) {
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_name = const_cast<sockaddr_un*>(&to.address);
    message.msg_namelen = to.length;
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    cmsghdr* header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int));
    const int sent_fd = memfd.get();
    std::memcpy(CMSG_DATA(header), &sent_fd, sizeof(int));
    result = send_retrying(fd, message);
  }
  return result;
}

void append_little_endian(std::string& out, std::uint64_t value)
{
  for (int i = 0; i < 8; ++i) {
    out += static_cast<char>((value >> (8 * i)) & 0xff);
  }
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
  // Task output, server messages and config text reach a terminal here:
  // every piece is escaped, so a record is one line that cannot move the
  // cursor or pass for another record (the journal keeps the raw bytes).
  const std::string message = escape_control(record.message);
  std::string line;
  if (is_output(record)) {
    const bool is_stderr = record.field(field::stream) == "stderr";
    line = fmt::format("{}{} {}\n", escape_control(record.field(field::task)),
                       is_stderr ? "!" : "|", message);
  } else if (m_detail == Detail::progress) {
    line = fmt::format("periodic_tasks: {}\n", message);
  } else {
    line = fmt::format("periodic_tasks: {} [{}]\n", message, render_fields(record));
  }
  // The fallback's last resort: a record that cannot reach stderr either has
  // nowhere left to go, and the run goes on (the summary's exit code stands).
  static_cast<void>(std::fputs(line.c_str(), m_stream));
  static_cast<void>(std::fflush(m_stream));
}

void append_journal_field(std::string& out, std::string_view name, std::string_view value)
{
  out += name;
  if (value.find('\n') == std::string_view::npos) {
    out += '=';
  } else {
    out += '\n';
    append_little_endian(out, value.size());
  }
  out += value;
  out += '\n';
}

std::string journal_datagram(const Record& record)
{
  // One allocation: the fields' sizes plus their names, separators and lengths.
  std::size_t size = record.message.size() + record.message_id.size() + 96;
  for (const auto& field : record.fields) {
    size += field.name.size() + field.value.size() + 10;
  }
  std::string out;
  out.reserve(size);
  append_journal_field(out, field::message, record.message);
  const char priority = static_cast<char>('0' + static_cast<int>(record.priority)); // 3..7
  append_journal_field(out, field::priority, std::string_view(&priority, 1));
  append_journal_field(out, field::syslog_identifier, k_syslog_identifier);
  if (!record.message_id.empty()) {
    append_journal_field(out, field::message_id, record.message_id);
  }
  for (const auto& field : record.fields) {
    append_journal_field(out, field.name, field.value);
  }
  return out;
}

int send_journal_datagram(int fd, const char* socket_path, std::string_view datagram)
{
  auto to = unix_address(socket_path);
  if (!to) {
    return -ENAMETOOLONG;
  }
  iovec iov{const_cast<char*>(datagram.data()), datagram.size()};
  msghdr message{};
  message.msg_name = &to->address;
  message.msg_namelen = to->length;
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  const int r = send_retrying(fd, message);
  if (r == -EMSGSIZE || r == -ENOBUFS || r == -EAGAIN) { // too large for one datagram
    return send_as_memfd(fd, *to, datagram);
  }
  return r;
}

JournalLog::JournalLog(EventLog& fallback, std::string socket_path)
    : m_fallback(fallback), m_socket_path(std::move(socket_path))
{
}

void JournalLog::emit(const Record& record)
{
  std::call_once(m_open, [this] {
    m_fd.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (m_fd.get() >= 0) {
      raise_send_buffer(m_fd.get());
    }
  });
  if (m_fd.get() < 0 ||
      send_journal_datagram(m_fd.get(), m_socket_path.c_str(), journal_datagram(record)) < 0) {
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
