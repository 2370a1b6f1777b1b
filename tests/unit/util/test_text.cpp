// SPDX-License-Identifier: MIT
#include <csignal>

#include <doctest/doctest.h>

#include "util/text.hpp"

using namespace pt;

TEST_CASE("sanitize_utf8: keeps valid text and replaces what is not")
{
  CHECK(sanitize_utf8("plain") == "plain");
  CHECK(sanitize_utf8("gr\xC3\xBC\xC3\x9F") == "gr\xC3\xBC\xC3\x9F");
  CHECK(sanitize_utf8("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");
  SUBCASE("invalid sequences")
  {
    CHECK(sanitize_utf8("\xff") == "\xEF\xBF\xBD");
    CHECK(sanitize_utf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");                 // overlong
    CHECK(sanitize_utf8("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"); // surrogate
    CHECK(sanitize_utf8("\xE2\x82") == "\xEF\xBF\xBD\xEF\xBF\xBD");                 // truncated
  }
  SUBCASE("NUL")
  {
    CHECK(sanitize_utf8(std::string_view("a\0b", 3)) == "a\\0b");
  }
}

TEST_CASE("quote_argv: quotes only what a shell would misread")
{
  CHECK(quote_argv({"/usr/bin/app", "--days", "90"}) == "/usr/bin/app --days 90");
  CHECK(quote_argv({"/bin/sh", "-c", "echo hi"}) == "/bin/sh -c 'echo hi'");
  CHECK(quote_argv({"/bin/echo", "it's", ""}) == "/bin/echo 'it'\\''s' ''");
}

TEST_CASE("escape_control: shows what a terminal would act on, keeps the rest")
{
  CHECK(escape_control("plain, gr\xC3\xBC\xC3\x9F \xF0\x9F\x98\x80 C:\\dir") ==
        "plain, gr\xC3\xBC\xC3\x9F \xF0\x9F\x98\x80 C:\\dir");
  SUBCASE("C0 controls and DEL")
  {
    CHECK(escape_control("\x1b[2J\x1b]0;title\x07") == "\\x1b[2J\\x1b]0;title\\x07");
    CHECK(escape_control("a\rb\nc\td") == "a\\rb\\nc\\td");
    CHECK(escape_control(std::string_view("a\0b\x7f", 4)) == "a\\x00b\\x7f");
  }
  SUBCASE("C1 controls, written as UTF-8 code points")
  {
    CHECK(escape_control("\xC2\x9B"
                         "31m") == "\\u009b31m");   // CSI
    CHECK(escape_control("\xC2\x85") == "\\u0085"); // NEL, a line break to some terminals
  }
  SUBCASE("bidirectional overrides and line separators")
  {
    CHECK(escape_control("ok\xE2\x80\xAE"
                         "deliaf") == "ok\\u202edeliaf");
    CHECK(escape_control("\xE2\x81\xA6x\xE2\x81\xA9") == "\\u2066x\\u2069");
    CHECK(escape_control("a\xE2\x80\xA8z\xE2\x80\xA9") == "a\\u2028z\\u2029");
  }
  SUBCASE("bytes that are not UTF-8, raw C1 bytes among them")
  {
    CHECK(escape_control("\x9b"
                         "31m\xff") == "\xEF\xBF\xBD"
                                       "31m\xEF\xBF\xBD");
  }
}

TEST_CASE("quote_argv: keeps the bytes of each word; escape_control makes the line one line")
{
  const auto line = quote_argv({"/bin/echo", "a\nb", "\x1b[1m"});
  CHECK(line == "/bin/echo 'a\nb' '\x1b[1m'");
  CHECK(escape_control(line) == "/bin/echo 'a\\nb' '\\x1b[1m'");
}

TEST_CASE("render_table: no cell can break its line or move the cursor")
{
  const auto table =
      render_table({{"backup", "failed\r\x1b[2Kbackup  success"}, {"next\ntask", "ok"}});
  CHECK(table == "backup      failed\\r\\x1b[2Kbackup  success\n"
                 "next\\ntask  ok\n");
}

TEST_CASE("signal_name: names signals the way kill -l does, with SIG")
{
  CHECK(signal_name(SIGTERM) == "SIGTERM");
  CHECK(signal_name(SIGSEGV) == "SIGSEGV");
  CHECK(signal_name(200) == "SIG200");
}

TEST_CASE("format_seconds: milliseconds precision, minutes and hours when long")
{
  CHECK(format_seconds(0) == "0.000s");
  CHECK(format_seconds(1'500'000) == "1.500s");
  CHECK(format_seconds(123'100'000) == "2min 3.100s");
  CHECK(format_seconds(3'723'000'000) == "1h 2min 3s");
}
