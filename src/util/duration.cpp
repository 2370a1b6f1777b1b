// SPDX-License-Identifier: MIT
// Time spans follow systemd.time(7) so that administrators can copy values
// between unit files and our config: integer arithmetic in microseconds,
// fractions truncated digit by digit as systemd does, overflow is an error.
#include "util/duration.hpp"

#include <array>
#include <charconv>
#include <optional>
#include <span>

#include <fmt/format.h>

namespace pt {
namespace {

struct Unit
{
  std::string_view name;
  std::uint64_t factor; // microseconds for time units, bytes for size units
};

constexpr std::uint64_t k_usec = 1;
constexpr std::uint64_t k_msec = 1000 * k_usec;
constexpr std::uint64_t k_sec = 1000 * k_msec;
constexpr std::uint64_t k_minute = 60 * k_sec;
constexpr std::uint64_t k_hour = 60 * k_minute;
constexpr std::uint64_t k_day = 24 * k_hour;
constexpr std::uint64_t k_week = 7 * k_day;
constexpr std::uint64_t k_month = 2'629'800 * k_sec; // 30.44 days, as systemd
constexpr std::uint64_t k_year = 31'557'600 * k_sec; // 365.25 days

constexpr std::array<Unit, 30> k_time_units{{
    {"usec", k_usec},    {"us", k_usec},     {"\u00b5s", k_usec},   {"\u03bcs", k_usec},
    {"msec", k_msec},    {"ms", k_msec},     {"seconds", k_sec},    {"second", k_sec},
    {"sec", k_sec},      {"s", k_sec},       {"minutes", k_minute}, {"minute", k_minute},
    {"min", k_minute},   {"m", k_minute},    {"hours", k_hour},     {"hour", k_hour},
    {"hr", k_hour},      {"h", k_hour},      {"days", k_day},       {"day", k_day},
    {"d", k_day},        {"weeks", k_week},  {"week", k_week},      {"w", k_week},
    {"months", k_month}, {"month", k_month}, {"M", k_month},        {"years", k_year},
    {"year", k_year},    {"y", k_year},
}};

// Largest first, with systemd's output suffixes.
constexpr std::array<Unit, 9> k_time_output_units{{
    {"y", k_year},
    {"month", k_month},
    {"w", k_week},
    {"d", k_day},
    {"h", k_hour},
    {"min", k_minute},
    {"s", k_sec},
    {"ms", k_msec},
    {"us", k_usec},
}};

// Below this, format_timespan stops adding parts (systemd's default accuracy).
constexpr std::uint64_t k_format_accuracy = k_msec;

constexpr std::array<Unit, 12> k_size_units{{
    {"B", 1},
    {"K", 1ULL << 10},
    {"KiB", 1ULL << 10},
    {"M", 1ULL << 20},
    {"MiB", 1ULL << 20},
    {"G", 1ULL << 30},
    {"GiB", 1ULL << 30},
    {"T", 1ULL << 40},
    {"TiB", 1ULL << 40},
    {"KB", 1000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
}};

constexpr std::array<Unit, 6> k_size_output_units{{
    {"EiB", 1ULL << 60},
    {"PiB", 1ULL << 50},
    {"TiB", 1ULL << 40},
    {"GiB", 1ULL << 30},
    {"MiB", 1ULL << 20},
    {"KiB", 1ULL << 10},
}};

constexpr std::string_view k_whitespace = " \t\n";

std::string_view trim(std::string_view text)
{
  const auto first = text.find_first_not_of(k_whitespace);
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(k_whitespace);
  return text.substr(first, last - first + 1);
}

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// Unit names are letters; "µs" needs the bytes of a UTF-8 sequence too.
bool is_unit_char(char c)
{
  const auto byte = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || byte >= 0x80;
}

// Removes and returns the leading run of characters satisfying `pred`.
template <typename Pred>
std::string_view take_while(std::string_view& rest, Pred pred)
{
  std::size_t n = 0;
  while (n < rest.size() && pred(rest[n])) {
    ++n;
  }
  const auto taken = rest.substr(0, n);
  rest.remove_prefix(n);
  return taken;
}

const Unit* find_unit(std::span<const Unit> units, std::string_view name)
{
  for (const auto& unit : units) {
    if (unit.name == name) {
      return &unit;
    }
  }
  return nullptr;
}

bool checked_mul_add(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t& out)
{
  return !__builtin_mul_overflow(a, b, &out) && !__builtin_add_overflow(out, c, &out);
}

std::optional<std::uint64_t> parse_whole(std::string_view digits)
{
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

// Truncates the fraction `digits` of one `unit` to whole microseconds.
std::uint64_t fraction_of(std::string_view digits, std::uint64_t unit)
{
  std::uint64_t value = 0;
  for (const char digit : digits) {
    unit /= 10;
    value += static_cast<std::uint64_t>(digit - '0') * unit;
  }
  return value;
}

const std::string k_too_large_time = "time span is too large";

// Consumes one "<number>[<unit>]" part of a time span from `rest`.
tl::expected<std::uint64_t, std::string> take_timespan_part(std::string_view& rest)
{
  const std::string_view at = rest;
  const auto whole_digits = take_while(rest, is_digit);
  if (whole_digits.empty()) {
    return tl::unexpected(fmt::format("expected a number at \"{}\"", at));
  }
  std::string_view fraction_digits;
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    fraction_digits = take_while(rest, is_digit);
  }
  take_while(rest, [](char c) { return k_whitespace.find(c) != std::string_view::npos; });
  const auto unit_name = take_while(rest, is_unit_char);
  const Unit* unit =
      unit_name.empty() ? find_unit(k_time_units, "s") : find_unit(k_time_units, unit_name);
  if (unit == nullptr) {
    return tl::unexpected(
        fmt::format("unknown unit \"{}\" (use us, ms, s, min, h, d, w, M or y)", unit_name));
  }
  const auto whole = parse_whole(whole_digits);
  std::uint64_t usec = 0;
  if (!whole ||
      !checked_mul_add(*whole, unit->factor, fraction_of(fraction_digits, unit->factor), usec)) {
    return tl::unexpected(k_too_large_time);
  }
  return usec;
}

} // namespace

tl::expected<Duration, std::string> parse_timespan(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return tl::unexpected(std::string("empty time span"));
  }
  if (text == "infinity") {
    return k_infinite;
  }
  if (text.front() == '-') {
    return tl::unexpected(std::string("a time span cannot be negative"));
  }
  constexpr auto k_limit = static_cast<std::uint64_t>(k_infinite.count());
  std::uint64_t total = 0;
  while (!(text = trim(text)).empty()) {
    const auto part = take_timespan_part(text);
    if (!part) {
      return tl::unexpected(part.error());
    }
    if (__builtin_add_overflow(total, *part, &total) || total >= k_limit) {
      return tl::unexpected(k_too_large_time);
    }
  }
  return Duration(static_cast<Duration::rep>(total));
}

std::string format_timespan(Duration d)
{
  if (d == k_infinite) {
    return "infinity";
  }
  if (d.count() < 0) {
    return "-" + format_timespan(-d);
  }
  auto left = static_cast<std::uint64_t>(d.count());
  std::string text;
  for (const auto& unit : k_time_output_units) {
    if (left == 0 || (left < k_format_accuracy && !text.empty())) {
      break;
    }
    if (left < unit.factor) {
      continue;
    }
    text += text.empty() ? "" : " ";
    const auto whole = left / unit.factor;
    const auto rest = left % unit.factor;
    // Below a minute the rest goes after a decimal point ("1.500s").
    const auto thousandths = rest / k_format_accuracy;
    if (left < k_minute && thousandths > 0 && unit.factor > k_format_accuracy) {
      return text + fmt::format("{}.{:03}{}", whole, thousandths, unit.name);
    }
    text += fmt::format("{}{}", whole, unit.name);
    left = rest;
  }
  return text.empty() ? "0" : text;
}

tl::expected<std::uint64_t, std::string> parse_size(std::string_view text)
{
  text = trim(text);
  if (text.empty()) {
    return tl::unexpected(std::string("empty size"));
  }
  if (text.front() == '-') {
    return tl::unexpected(std::string("a size cannot be negative"));
  }
  std::string_view rest = text;
  const auto digits = take_while(rest, is_digit);
  if (digits.empty()) {
    return tl::unexpected(fmt::format("expected a number at \"{}\"", text));
  }
  if (!rest.empty() && rest.front() == '.') {
    return tl::unexpected(fmt::format("expected a whole number of bytes at \"{}\"", text));
  }
  const auto suffix = trim(rest);
  const Unit* unit = suffix.empty() ? &k_size_units[0] : find_unit(k_size_units, suffix);
  if (unit == nullptr) {
    return tl::unexpected(fmt::format(
        "unknown unit \"{}\" (use B, K, KiB, M, MiB, G, GiB, T, TiB, KB, MB or GB)", suffix));
  }
  const auto whole = parse_whole(digits);
  std::uint64_t bytes = 0;
  if (!whole || !checked_mul_add(*whole, unit->factor, 0, bytes)) {
    return tl::unexpected(std::string("size is too large"));
  }
  return bytes;
}

std::string format_size(std::uint64_t bytes)
{
  for (const auto& unit : k_size_output_units) {
    if (bytes < unit.factor) {
      continue;
    }
    if (bytes % unit.factor == 0) {
      return fmt::format("{}{}", bytes / unit.factor, unit.name);
    }
    const double value = static_cast<double>(bytes) / static_cast<double>(unit.factor);
    return fmt::format("{:.1f}{}", value, unit.name);
  }
  return fmt::format("{}B", bytes);
}

} // namespace pt
