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
