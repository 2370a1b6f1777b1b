// SPDX-License-Identifier: MIT
// A reader for sample lines that never throws and gives up on a line at the
// first thing it does not understand: the file it reads may be truncated,
// hand-edited or not ours.
#include "metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace pt {

namespace {

bool is_name_char(char c, bool first)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
         (!first && c >= '0' && c <= '9');
}

void skip_blanks(std::string_view& text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
}

std::string_view take_name(std::string_view& text)
{
  std::size_t n = 0;
  while (n < text.size() && is_name_char(text[n], n == 0)) {
    ++n;
  }
  const auto name = text.substr(0, n);
  text.remove_prefix(n);
  return name;
}

// Reads a quoted label value with the format's escapes (\\, \", \n).
std::optional<std::string> take_quoted(std::string_view& text)
{
  if (text.empty() || text.front() != '"') {
    return std::nullopt;
  }
  std::string value;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      text.remove_prefix(i + 1);
      return value;
    }
    if (c != '\\') {
      value += c;
      continue;
    }
    if (++i == text.size()) {
      break;
    }
    const char escaped = text[i];
    if (escaped != '\\' && escaped != '"' && escaped != 'n') {
      return std::nullopt;
    }
    value += escaped == 'n' ? '\n' : escaped;
  }
  return std::nullopt; // unterminated
}

// Reads `{name="value",...}` (a trailing comma allowed), or nothing when there is no `{`.
std::optional<std::vector<Label>> take_labels(std::string_view& text)
{
  std::vector<Label> labels;
  if (text.empty() || text.front() != '{') {
    return labels;
  }
  text.remove_prefix(1);
  for (;;) {
    skip_blanks(text);
    if (!text.empty() && text.front() == '}') {
      text.remove_prefix(1);
      return labels;
    }
    const auto name = take_name(text);
    skip_blanks(text);
    if (name.empty() || text.empty() || text.front() != '=') {
      return std::nullopt;
    }
    text.remove_prefix(1);
    skip_blanks(text);
    auto value = take_quoted(text);
    if (!value) {
      return std::nullopt;
    }
    labels.push_back({std::string(name), std::move(*value)});
    skip_blanks(text);
    if (!text.empty() && text.front() == ',') {
      text.remove_prefix(1);
    } else if (text.empty() || text.front() != '}') {
      return std::nullopt;
    }
  }
}

} // namespace

std::optional<Sample> parse_sample_line(std::string_view line)
{
  Sample sample;
  skip_blanks(line);
  sample.name = take_name(line);
  skip_blanks(line);
  auto labels = take_labels(line);
  if (sample.name.empty() || !labels) {
    return std::nullopt;
  }
  sample.labels = std::move(*labels);
  skip_blanks(line);
  sample.value = line.substr(0, line.find_first_of(" \t"));
  if (sample.value.empty()) {
    return std::nullopt;
  }
  return sample;
}

const std::string* label_value(const Sample& sample, std::string_view name)
{
  for (const auto& label : sample.labels) {
    if (label.name == name) {
      return &label.value;
    }
  }
  return nullptr;
}

std::optional<double> parse_sample_value(std::string_view text)
{
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string escape_label_value(std::string_view value)
{
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

} // namespace pt
