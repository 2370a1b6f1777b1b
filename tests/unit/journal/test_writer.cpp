// SPDX-License-Identifier: MIT
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "fakes.hpp"
#include "journal/writer.hpp"
#include "test_support.hpp"

using namespace pt;
using pt::test::DatagramSocket;
using pt::test::RecordingLog;

namespace {

// Returns what `log` wrote for `record` to a temporary file.
std::string render(ConsoleLog::Detail detail, const Record& record)
{
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  ConsoleLog log(file, detail);
  log.emit(record);
  std::rewind(file);
  std::string text;
  for (int c = std::fgetc(file); c != EOF; c = std::fgetc(file)) {
    text += static_cast<char>(c);
  }
  std::fclose(file);
  return text;
}

Record finished()
{
  return {Priority::err,
          "task \"x\" failed: exit status 3",
          message_id::task_failed,
          {{"TASK", "x"}, {"COMMAND", "/bin/sh -c 'exit 3'"}, {"EXIT_STATUS", "3"}}};
}

// A client socket like JournalLog's, with a send buffer of about `bytes`.
int client_socket(int bytes)
{
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) == 0);
  return fd;
}

std::string read_all(int fd)
{
  std::string text;
  std::array<char, 65536> buffer{};
  for (ssize_t n = ::pread(fd, buffer.data(), buffer.size(), 0); n > 0;
       n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(text.size()))) {
    text.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return text;
}

} // namespace

TEST_CASE("append_journal_field: NAME=value, or the binary form when the value has a newline")
{
  std::string out;
  append_journal_field(out, "TASK", "vacuum");
  CHECK(out == "TASK=vacuum\n");
  out.clear();
  append_journal_field(out, "EMPTY", "");
  CHECK(out == "EMPTY=\n");
  out.clear();
  // Bytes other than a newline need no escaping: NUL, '=', invalid UTF-8.
  const std::string odd("a\0b=c\xff", 6);
  append_journal_field(out, "MESSAGE", odd);
  CHECK(out == "MESSAGE=" + odd + "\n");
  out.clear();
  append_journal_field(out, "MESSAGE", "two\nlines");
  CHECK(out == std::string("MESSAGE\n\x09\0\0\0\0\0\0\0two\nlines\n", 8 + 8 + 9 + 1));
}

TEST_CASE("append_journal_field: the length is 64-bit little endian")
{
  const std::string value = std::string(0x10203, 'x') + "\n";
  std::string out;
  append_journal_field(out, "BIG", value);
  REQUIRE(out.size() == 4 + 8 + value.size() + 1);
  CHECK(out.substr(0, 4) == "BIG\n");
  CHECK(out.substr(4, 8) == std::string("\x04\x02\x01\0\0\0\0\0", 8));
  CHECK(out.substr(12, value.size()) == value);
  CHECK(out.back() == '\n');
}

TEST_CASE("journal_datagram: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID, then the fields")
{
  CHECK(journal_datagram(finished()) == "MESSAGE=task \"x\" failed: exit status 3\n"
                                        "PRIORITY=3\n"
                                        "SYSLOG_IDENTIFIER=periodic_tasks\n"
                                        "MESSAGE_ID=" +
                                            std::string(message_id::task_failed) +
                                            "\n"
                                            "TASK=x\n"
                                            "COMMAND=/bin/sh -c 'exit 3'\n"
                                            "EXIT_STATUS=3\n");
  const Record plain{Priority::info, "hi", "", {}};
  CHECK(journal_datagram(plain) == "MESSAGE=hi\nPRIORITY=6\nSYSLOG_IDENTIFIER=periodic_tasks\n");
}

TEST_CASE("send_journal_datagram: a record that fits goes as one datagram")
{
  DatagramSocket journal("journal");
  const int fd = client_socket(1 << 20);
  const std::string datagram = journal_datagram(finished());
  CHECK(send_journal_datagram(fd, journal.path().c_str(), datagram) == 0);
  const auto received = journal.receive_with_fd();
  REQUIRE(received.has_value());
  CHECK(received->payload == datagram);
  CHECK(received->fd == -1);
  ::close(fd);
}

TEST_CASE("send_journal_datagram: a record too large for a datagram goes as a sealed memfd")
{
  DatagramSocket journal("journal");
  const int fd = client_socket(4096); // the kernel refuses larger datagrams with EMSGSIZE
  Record big = finished();
  big.fields.push_back({"DB_ERROR", std::string(300 * 1024, 'e') + "\nsecond line"});
  const std::string datagram = journal_datagram(big);
  CHECK(send_journal_datagram(fd, journal.path().c_str(), datagram) == 0);
  const auto received = journal.receive_with_fd();
  REQUIRE(received.has_value());
  CHECK(received->payload.empty()); // the descriptor alone, as journald expects
  REQUIRE(received->fd >= 0);
  const int seals = ::fcntl(received->fd, F_GET_SEALS);
  CHECK(seals == (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL));
  CHECK(read_all(received->fd) == datagram);
  ::close(received->fd);
  ::close(fd);
}

TEST_CASE("send_journal_datagram: no socket is an error, not a silent drop")
{
  const int fd = client_socket(4096);
  CHECK(send_journal_datagram(fd, "/nonexistent/pt-test/socket", "MESSAGE=x\n") == -ENOENT);
  ::close(fd);
}

TEST_CASE("JournalLog: sends each record to the socket; a refused record goes to the fallback")
{
  RecordingLog fallback;
  {
    DatagramSocket journal("journal");
    JournalLog log(fallback, journal.path());
    log.emit(finished());
    const auto received = journal.receive_with_fd();
    REQUIRE(received.has_value());
    CHECK(received->payload == journal_datagram(finished()));
    CHECK(fallback.records.empty());
  }
  JournalLog gone(fallback, "/nonexistent/pt-test/socket");
  gone.emit(finished());
  REQUIRE(fallback.records.size() == 1);
  CHECK(fallback.records[0].message == finished().message);
}

TEST_CASE("ConsoleLog: progress for a terminal shows the message only")
{
  CHECK(render(ConsoleLog::Detail::progress, finished()) ==
        "periodic_tasks: task \"x\" failed: exit status 3\n");
}

TEST_CASE("ConsoleLog: without a journal every field is kept, quoted where needed")
{
  CHECK(render(ConsoleLog::Detail::all_fields, finished()) ==
        "periodic_tasks: task \"x\" failed: exit status 3 [TASK=x COMMAND=\"/bin/sh -c 'exit 3'\" "
        "EXIT_STATUS=3]\n");
}

TEST_CASE("ConsoleLog: output lines carry the task name and mark stderr")
{
  const Record out{
      Priority::info, "hello", message_id::task_output, {{"TASK", "x"}, {"STREAM", "stdout"}}};
  const Record err{
      Priority::warning, "oops", message_id::task_output, {{"TASK", "x"}, {"STREAM", "stderr"}}};
  for (const auto detail : {ConsoleLog::Detail::progress, ConsoleLog::Detail::all_fields}) {
    CHECK(render(detail, out) == "x| hello\n");
    CHECK(render(detail, err) == "x! oops\n");
  }
}

TEST_CASE("ConsoleLog: control characters are shown, never acted on; one record, one line")
{
  // A failing task's last line, a server's DETAIL with a newline, a task name
  // from a quoted TOML key: none may move the cursor or start a line of its own.
  const Record failed{Priority::err,
                      "task \"x\" failed: \x1b[2K\rbackup success",
                      message_id::task_failed,
                      {{"TASK", "x\x1b]0;t\x07"},
                       {"DB_DETAIL", "a\nperiodic_tasks: task \"backup\" succeeded"},
                       {"DB_HINT", "\xc2\x9b"
                                   "2J\x7f"}}};
  CHECK(render(ConsoleLog::Detail::all_fields, failed) ==
        "periodic_tasks: task \"x\" failed: \\x1b[2K\\rbackup success [TASK=x\\x1b]0;t\\x07 "
        "DB_DETAIL=\"a\\nperiodic_tasks: task \"backup\" succeeded\" DB_HINT=\\u009b2J\\x7f]\n");
  CHECK(render(ConsoleLog::Detail::progress, failed) ==
        "periodic_tasks: task \"x\" failed: \\x1b[2K\\rbackup success\n");
  const Record out{Priority::info,
                   "\x1b[2K\rok\x9b",
                   message_id::task_output,
                   {{"TASK", "x\ny"}, {"STREAM", "stderr"}}};
  CHECK(render(ConsoleLog::Detail::progress, out) == "x\\ny! \\x1b[2K\\rok\xef\xbf\xbd\n");
}

TEST_CASE("journal_datagram: the journal keeps a value's control bytes as they were")
{
  const Record record{Priority::info,
                      "\x1b[2K\rbackup success",
                      message_id::task_output,
                      {{"DB_DETAIL", "a\nb\x9b"}}};
  const std::string datagram = journal_datagram(record);
  CHECK(datagram.find("MESSAGE=\x1b[2K\rbackup success\n") != std::string::npos);
  CHECK(datagram.find("a\nb\x9b\n") != std::string::npos);
}

TEST_CASE("fd_is_journal_stream: matches $JOURNAL_STREAM's device:inode only")
{
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  struct stat st
  {
  };
  REQUIRE(::fstat(::fileno(file), &st) == 0);
  const std::string same = fmt::format("{}:{}", st.st_dev, st.st_ino);
  const std::string other = fmt::format("{}:{}", st.st_dev, st.st_ino + 1);
  CHECK(fd_is_journal_stream(::fileno(file), same.c_str()));
  CHECK_FALSE(fd_is_journal_stream(::fileno(file), other.c_str()));
  CHECK_FALSE(fd_is_journal_stream(::fileno(file), nullptr));
  CHECK_FALSE(fd_is_journal_stream(::fileno(file), "garbage"));
  std::fclose(file);
}
