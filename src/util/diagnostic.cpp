// SPDX-License-Identifier: MIT
#include "util/diagnostic.hpp"

#include <fmt/format.h>

namespace pt {

std::string format_location(const SourceLocation& loc)
{
  if (loc.line <= 0) {
    return loc.file;
  }
  if (loc.column <= 0) {
    return fmt::format("{}:{}", loc.file, loc.line);
  }
  return fmt::format("{}:{}:{}", loc.file, loc.line, loc.column);
}

std::string format_config_error(const ConfigError& error)
{
  std::string text = format_location(error.where);
  if (!text.empty()) {
    text += ": ";
  }
  text += error.problem;
  if (!error.hint.empty()) {
    text += "; ";
    text += error.hint;
  }
  return text;
}

} // namespace pt
