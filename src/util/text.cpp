// SPDX-License-Identifier: MIT
#include "util/text.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace pt {

namespace {

// Returns the length of the valid UTF-8 sequence at the start of `s`, or 0.
std::size_t utf8_sequence_length(std::string_view s)
{
  const auto b0 = static_cast<unsigned char>(s[0]);
  std::size_t length = 0;
  unsigned min_second = 0x80;
  unsigned max_second = 0xBF;
  if (b0 < 0x80) {
    return 1;
  } else if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    min_second = b0 == 0xE0 ? 0xA0 : 0x80; // no overlong forms
    max_second = b0 == 0xED ? 0x9F : 0xBF; // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    min_second = b0 == 0xF0 ? 0x90 : 0x80;
    max_second = b0 == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (s.size() < length) {
    return 0;
  }
  const auto b1 = static_cast<unsigned char>(s[1]);
  if (b1 < min_second || b1 > max_second) {
    return 0;
  }
  for (std::size_t i = 2; i < length; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80 || b > 0xBF) {
      return 0;
    }
  }
  return length;
}

// Returns the code point of the valid `length`-byte UTF-8 sequence at the start of `s`.
char32_t decode_utf8(std::string_view s, std::size_t length)
{
  const auto byte = [&](std::size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(s[i]));
  };
  switch (length) {
  case 1:
    return byte(0);
  case 2:
    return ((byte(0) & 0x1F) << 6) | (byte(1) & 0x3F);
  case 3:
    return ((byte(0) & 0x0F) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
  default:
    return ((byte(0) & 0x07) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
           (byte(3) & 0x3F);
  }
}

// Whether a terminal acts on code point `c` instead of showing it.
bool is_control(char32_t c)
{
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
}

bool needs_quoting(std::string_view word)
{
  if (word.empty()) {
    return true;
  }
  for (const char c : word) {
    if (std::strchr(" \t\n'\"\\$`!*?[]{}()<>|&;#~", c) != nullptr) {
      return true;
    }
  }
  return false;
}

} // namespace

std::string sanitize_utf8(std::string_view bytes)
{
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    if (bytes[0] == '\0') {
      out += "\\0";
      bytes.remove_prefix(1);
      continue;
    }
    const std::size_t length = utf8_sequence_length(bytes);
    if (length == 0) {
      out += "\xEF\xBF\xBD"; // U+FFFD
      bytes.remove_prefix(1);
      continue;
    }
    out.append(bytes.substr(0, length));
    bytes.remove_prefix(length);
  }
  return out;
}

std::string escape_control(std::string_view text)
{
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t length = utf8_sequence_length(text);
    if (length == 0) {
      out += "\xEF\xBF\xBD"; // U+FFFD for a byte that is not UTF-8
      text.remove_prefix(1);
      continue;
    }
    const char32_t c = decode_utf8(text, length);
    if (!is_control(c)) {
      out.append(text.substr(0, length));
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x80) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    } else {
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    }
    text.remove_prefix(length);
  }
  return out;
}

std::string escape_json_controls(std::string_view json)
{
  std::string out;
  out.reserve(json.size());
  while (!json.empty()) {
    const std::size_t valid = utf8_sequence_length(json);
    const std::size_t length = valid == 0 ? 1 : valid; // an invalid byte is kept as it is
    if (const char32_t c = decode_utf8(json, length);
        valid != 0 && c >= 0x7F && is_control(c)) { // only in strings: the structure is ASCII
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    } else {
      out.append(json.substr(0, length));
    }
    json.remove_prefix(length);
  }
  return out;
}

std::string quote_argv(const std::vector<std::string>& argv)
{
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) {
      line += ' ';
    }
    if (!needs_quoting(word)) {
      line += word;
      continue;
    }
    line += '\'';
    for (const char c : word) {
      line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    line += '\'';
  }
  return line;
}

std::string join(const std::vector<std::string>& names, std::string_view separator)
{
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) {
      out += separator;
    }
    out += name;
  }
  return out;
}

std::string signal_name(int signal)
{
  const char* abbrev = sigabbrev_np(signal);
  if (abbrev == nullptr) {
    return fmt::format("SIG{}", signal);
  }
  return fmt::format("SIG{}", abbrev);
}

std::string render_table(const std::vector<std::vector<std::string>>& raw_rows)
{
  std::vector<std::vector<std::string>> rows;
  rows.reserve(raw_rows.size());
  for (const auto& raw_row : raw_rows) {
    auto& row = rows.emplace_back();
    row.reserve(raw_row.size());
    for (const auto& cell : raw_row) {
      row.push_back(escape_control(cell));
    }
  }
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::string format_seconds(long long usec)
{
  if (usec < 60'000'000) {
    return fmt::format("{:.3f}s", static_cast<double>(usec) / 1e6);
  }
  const long long minutes = usec / 60'000'000;
  const long long rest = usec % 60'000'000;
  if (minutes < 60) {
    return fmt::format("{}min {:.3f}s", minutes, static_cast<double>(rest) / 1e6);
  }
  return fmt::format("{}h {}min {:.0f}s", minutes / 60, minutes % 60,
                     static_cast<double>(rest) / 1e6);
}

} // namespace pt
