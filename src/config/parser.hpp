// SPDX-License-Identifier: MIT
// Pure TOML -> Config parsing; the only file that knows toml++.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "config/config.hpp"

namespace pt {

// Which file a text comes from: the main config file or a drop-in. Decides
// what the file may set (the parser's key tables) and the hints of read errors.
enum class FileRole { main, dropin };

// Parses the main config file's `text`; `origin` names it in errors and in
// Task::origin. Validates everything that one file can show (syntax, unknown
// keys with "did you mean", types, names, argv[0], durations, duplicate names).
tl::expected<Config, ConfigError> parse_config(std::string_view text, const std::string& origin);

// Parses a drop-in's `text`: only [[task]] tables, with defaults and databases
// taken from the `main` file's config.
tl::expected<std::vector<Task>, ConfigError>
parse_dropin(std::string_view text, const std::string& origin, const Config& main);

} // namespace pt
