// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "metrics/exposition.hpp"

using namespace pt;

TEST_CASE("parse_sample_line: name, labels and value")
{
  const auto sample = parse_sample_line(R"(up{job="node",instance="a:9100"} 1 1700000000000)");
  REQUIRE(sample.has_value());
  CHECK(sample->name == "up");
  REQUIRE(sample->labels.size() == 2);
  CHECK(sample->labels[0].name == "job");
  CHECK(sample->labels[0].value == "node");
  CHECK(*label_value(*sample, "instance") == "a:9100");
  CHECK(label_value(*sample, "missing") == nullptr);
  CHECK(sample->value == "1"); // the timestamp is not part of it
}

TEST_CASE("parse_sample_line: the format's optional parts and blanks")
{
  const auto bare = parse_sample_line("  process_start_time_seconds\t1.7e9");
  REQUIRE(bare.has_value());
  CHECK(bare->labels.empty());
  CHECK(bare->value == "1.7e9");
  const auto spaced = parse_sample_line(R"(x { a = "1" , b="2", } NaN)");
  REQUIRE(spaced.has_value());
  CHECK(spaced->labels.size() == 2);
  CHECK(spaced->value == "NaN");
  const auto empty_set = parse_sample_line("x{} 3");
  REQUIRE(empty_set.has_value());
  CHECK(empty_set->labels.empty());
}

TEST_CASE("parse_sample_line: unescapes label values")
{
  const auto sample = parse_sample_line(R"(x{a="q\"b\\n\n"} 1)");
  REQUIRE(sample.has_value());
  CHECK(sample->labels[0].value == "q\"b\\n\n");
}

TEST_CASE("parse_sample_line: comments, blanks and malformed lines are no sample")
{
  for (const char* line : {"", "   ", "# HELP x help", "# TYPE x gauge", "x", "x{a=\"1\"}",
                           "{a=\"1\"} 2", "9x 1", "x{a=\"1} 2", "x{a=\"1\" 2", "x{a=1} 2", "x{a} 2",
                           "x{=\"1\"} 2", "x{a=\"\\t\"} 2", "x{a=\"1\"\"} 2", "x{a=\"1\\", "x{"}) {
    CAPTURE(line);
    CHECK_FALSE(parse_sample_line(line).has_value());
  }
}

TEST_CASE("parse_sample_value: finite numbers only")
{
  CHECK(parse_sample_value("42") == 42.0);
  CHECK(parse_sample_value("-1.5") == -1.5);
  CHECK(parse_sample_value("1e3") == 1000.0);
  for (const char* text : {"", "NaN", "+Inf", "-Inf", "1x", "0x10", " 1", "1 "}) {
    CAPTURE(text);
    CHECK_FALSE(parse_sample_value(text).has_value());
  }
}

TEST_CASE("escape_label_value: backslash, double quote and newline")
{
  CHECK(escape_label_value("plain-name_1.x") == "plain-name_1.x");
  CHECK(escape_label_value("a\\b\"c\nd") == R"(a\\b\"c\nd)");
  const auto sample = parse_sample_line("x{a=\"" + escape_label_value("a\\b\"c\nd") + "\"} 1");
  REQUIRE(sample.has_value());
  CHECK(sample->labels[0].value == "a\\b\"c\nd");
}
