// SPDX-License-Identifier: MIT
#include <cstdio>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "journal.hpp"

using namespace pt;

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

} // namespace

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
