// SPDX-License-Identifier: MIT
// The Prometheus text exposition format, as far as our textfile needs it:
// reading one sample line back, and escaping a label value for writing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pt {

struct Label
{
  std::string name;
  std::string value; // unescaped
};

// One sample line: `name{label="value",...} value [timestamp]`.
struct Sample
{
  std::string_view name; // a view into the parsed line
  std::vector<Label> labels;
  std::string_view value; // the value as written, a view into the parsed line
};

// Returns the sample on `line`, or nullopt for a comment, a blank line or
// anything malformed (bad label syntax, unknown escapes, no value).
std::optional<Sample> parse_sample_line(std::string_view line);

// Returns the value of label `name` of `sample`, or nullptr.
const std::string* label_value(const Sample& sample, std::string_view name);

// Returns `text` as a finite number, or nullopt (NaN and ±Inf included).
std::optional<double> parse_sample_value(std::string_view text);

// Returns `value` escaped for a label value: backslash, double quote, newline.
std::string escape_label_value(std::string_view value);

} // namespace pt
