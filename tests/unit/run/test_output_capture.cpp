// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "fakes.hpp"
#include "run/output_capture.hpp"

using namespace pt;
using namespace pt::test;

TEST_CASE("OutputCapture: forwards lines with the task's fields and the stream")
{
  RecordingLog log;
  OutputCapture capture(log, {{"TASK", "t"}}, 1000);
  capture.on_line(Stream::out, "hello", LineEnd::newline);
  capture.on_line(Stream::err, "oops", LineEnd::newline);
  capture.finish();
  REQUIRE(log.records.size() == 2);
  CHECK(log.records[0].message == "hello");
  CHECK(log.records[0].field("TASK") == "t");
  CHECK(log.records[0].field("STREAM") == "stdout");
  CHECK(log.records[0].priority == Priority::info);
  CHECK(log.records[1].field("STREAM") == "stderr");
  CHECK(log.records[1].priority == Priority::warning);
  CHECK(capture.total_bytes() == 11);
  CHECK(capture.suppressed_bytes() == 0);
}

TEST_CASE("OutputCapture: stops at the limit and reports what it suppressed once")
{
  RecordingLog log;
  OutputCapture capture(log, {{"TASK", "t"}}, 10);
  capture.on_line(Stream::out, "12345", LineEnd::newline);  // 6 bytes with newline
  capture.on_line(Stream::out, "123456", LineEnd::newline); // would make 13: suppressed
  capture.on_line(Stream::out, "1",
                  LineEnd::newline); // fits in bytes, but order matters: suppressed
  capture.finish();
  REQUIRE(log.records.size() == 2);
  CHECK(log.records[0].message == "12345");
  CHECK(log.records[1].message_id == message_id::output_suppressed);
  CHECK(log.records[1].message == "task \"t\": output limit 10B reached, 9 bytes suppressed");
  CHECK(log.records[1].field("SUPPRESSED_BYTES") == "9");
  CHECK(capture.suppressed_bytes() == 9);
  CHECK(capture.total_bytes() == 15);
}

TEST_CASE("OutputCapture: the tail keeps the last lines, also of suppressed output")
{
  RecordingLog log;
  OutputCapture capture(log, {}, 0);
  for (int i = 0; i < 25; ++i) {
    capture.on_line(Stream::out, "line " + std::to_string(i), LineEnd::newline);
  }
  const auto tail = capture.tail();
  REQUIRE(tail.size() == k_tail_lines);
  CHECK(tail.front() == "line 15");
  CHECK(tail.back() == "line 24");
  CHECK(log.records.empty());
}

TEST_CASE("OutputCapture: pieces of a long line join in the tail and are marked in the log")
{
  RecordingLog log;
  OutputCapture capture(log, {}, 1 << 20);
  capture.on_line(Stream::out, "abc", LineEnd::continues);
  capture.on_line(Stream::out, "def", LineEnd::newline);
  CHECK(capture.tail() == std::vector<std::string>{"abcdef"});
  REQUIRE(log.records.size() == 2);
  CHECK(log.records[0].field("LINE_CONTINUES") == "1");
  CHECK(log.records[1].field("LINE_CONTINUES").empty());
}

TEST_CASE("OutputCapture: a last line without a newline counts only its own bytes")
{
  RecordingLog log;
  OutputCapture capture(log, {}, 100);
  capture.on_line(Stream::out, "abc", LineEnd::end_of_output);
  CHECK(capture.total_bytes() == 3);
  REQUIRE(log.records.size() == 1);
  CHECK(log.records[0].field("LINE_CONTINUES").empty());
}

TEST_CASE("OutputCapture: invalid UTF-8 and NUL bytes become readable text")
{
  RecordingLog log;
  OutputCapture capture(log, {}, 100);
  capture.on_line(Stream::out, std::string_view("a\0b\xff", 4), LineEnd::newline);
  REQUIRE(log.records.size() == 1);
  CHECK(log.records[0].message == "a\\0b\xEF\xBF\xBD");
}
