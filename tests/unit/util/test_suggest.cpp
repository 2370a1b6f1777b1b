// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "util/suggest.hpp"

using pt::closest_match;
using pt::edit_distance;

TEST_CASE("edit_distance: counts insertions, deletions, substitutions and swaps")
{
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "abc") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("timout", "timeout") == 1);
  CHECK(edit_distance("timeout", "timout") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("comand", "command") == 1);
  CHECK(edit_distance("flaw", "lawn") == 2);
  CHECK(edit_distance("nmae", "name") == 1);
  CHECK(edit_distance("mian", "main") == 1);
  CHECK(edit_distance("ca", "abc") == 3); // a swapped pair is not edited again
}

TEST_CASE("closest_match: suggests a likely typo")
{
  const std::vector<std::string> keys{"name", "command", "timeout", "kill_timeout"};
  CHECK(closest_match("timout", keys) == "timeout");
  CHECK(closest_match("comand", keys) == "command");
  CHECK(closest_match("kill-timeout", keys) == "kill_timeout");
  CHECK(closest_match("nmae", keys) == "name"); // a swap of neighbours is one edit
}

TEST_CASE("closest_match: stays quiet when nothing is close")
{
  const std::vector<std::string> keys{"name", "command", "timeout"};
  CHECK_FALSE(closest_match("schedule", keys).has_value());
  CHECK_FALSE(closest_match("xy", keys).has_value());
  CHECK_FALSE(closest_match("timeout", {}).has_value());
}

TEST_CASE("closest_match: allows a distance of a third of the word, at least 1")
{
  SUBCASE("short words allow one edit")
  {
    CHECK(closest_match("ab", {"abc"}) == "abc");
    CHECK_FALSE(closest_match("ab", {"abcd"}).has_value());
  }
  SUBCASE("nine letters allow three edits")
  {
    CHECK(closest_match("abcdefxyz", {"abcdefghi"}) == "abcdefghi");
    CHECK_FALSE(closest_match("abcdewxyz", {"abcdefghi"}).has_value());
  }
  SUBCASE("the closest candidate wins, the first on a tie")
  {
    CHECK(closest_match("abcdef", {"abcdxx", "abcdex"}) == "abcdex");
    CHECK(closest_match("abcdef", {"abcdeg", "abcdeh"}) == "abcdeg");
  }
}
