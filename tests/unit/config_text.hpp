// SPDX-License-Identifier: MIT
// Helpers for tests that parse config text.
#pragma once

#include <string>
#include <string_view>

#include <doctest/doctest.h>

#include "config/parser.hpp"

namespace pt::test {

// Test texts start with a newline after R"( for readability; line 1 is the next line.
inline std::string_view body(std::string_view text)
{
  return text.starts_with('\n') ? text.substr(1) : text;
}

// Returns the config parsed from `text` (as "cfg.toml"), failing the test on an error.
inline Config parsed(std::string_view text)
{
  auto config = parse_config(body(text), "cfg.toml");
  if (!config) {
    FAIL(format_config_error(config.error()));
  }
  return *config;
}

// Returns the formatted error for `text`, failing the test if it parses.
inline std::string error_of(std::string_view text)
{
  const auto config = parse_config(body(text), "cfg.toml");
  REQUIRE_FALSE(config.has_value());
  return format_config_error(config.error());
}

} // namespace pt::test
