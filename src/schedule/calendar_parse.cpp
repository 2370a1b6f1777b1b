// SPDX-License-Identifier: MIT
// The fields of a calendar expression, read left to right as systemd 252's
// parse_weekdays(), parse_date() and parse_calendar_time() read them, then
// normalized and checked as calendar_spec_normalize() and
// calendar_spec_valid() do. Numbers are read the way strtoul() reads them
// (systemd calls it), so "@ 5" and "@-0" are as valid here as there.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <ctime>
#include <tuple>

#include <climits>
#include <fmt/format.h>

#include "schedule/internal.hpp"

namespace pt::calendar {
namespace {

constexpr int k_min_year = 1970;
constexpr int k_max_year = 2199;
constexpr std::size_t k_max_list = 241; // systemd's CALENDARSPEC_COMPONENTS_MAX + 1

constexpr std::string_view k_syntax_hint =
    "write [WEEKDAYS] [[YYYY-]MM-DD] [HH:MM[:SS]] [ZONE], e.g. \"Mon..Fri *-*-* 08:00:00\" "
    "(systemd.time(7))";
constexpr std::string_view k_weekday_hint =
    "weekdays are Mon..Sun or Monday..Sunday, in lists (Sat,Sun) and ranges (Mon..Fri)";

struct WeekdayName
{
  std::string_view name;
  int number;
};

// Long names first: "Monday" must not stop at "Mon".
constexpr std::array<WeekdayName, 14> k_weekdays{{
    {"Monday", 0},
    {"Mon", 0},
    {"Tuesday", 1},
    {"Tue", 1},
    {"Wednesday", 2},
    {"Wed", 2},
    {"Thursday", 3},
    {"Thu", 3},
    {"Friday", 4},
    {"Fri", 4},
    {"Saturday", 5},
    {"Sat", 5},
    {"Sunday", 6},
    {"Sun", 6},
}};

bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

// Reads the fields of one expression; `m_pos` is the offset of the next character.
class FieldParser
{
public:
  FieldParser(std::string_view text, Fields& fields) : m_text(text), m_fields(fields) {}

  tl::expected<void, Failure> parse();

private:
  using Status = tl::expected<void, Failure>;
  enum class Date { absent_or_parsed, whole_time };

  char peek(std::size_t ahead = 0) const
  {
    return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
  }
  void skip_spaces()
  {
    while (peek() == ' ') {
      ++m_pos;
    }
  }
  tl::unexpected<Failure> fail(std::size_t offset, std::string message,
                               std::string_view hint = k_syntax_hint) const
  {
    return tl::unexpected(Failure{offset, std::move(message), std::string(hint)});
  }
  // What stands at `offset`, for a message: a word whole, else one character.
  std::string shown(std::size_t offset) const
  {
    if (offset >= m_text.size()) {
      return "the end";
    }
    std::size_t end = offset + 1;
    while (std::isalpha(static_cast<unsigned char>(m_text[offset])) != 0 && end < m_text.size() &&
           std::isalnum(static_cast<unsigned char>(m_text[end])) != 0) {
      ++end;
    }
    return fmt::format("\"{}\"", m_text.substr(offset, end - offset));
  }

  Status parse_weekdays();
  const WeekdayName* weekday_at() const;
  tl::expected<Date, Failure> parse_date();
  Status parse_at_seconds();
  Status parse_time();
  tl::expected<LocatedChain, Failure> parse_chain(bool usec);
  tl::expected<int, Failure> parse_number(bool usec);
  tl::expected<unsigned, Failure> parse_fraction();

  std::string_view m_text;
  Fields& m_fields;
  std::size_t m_pos = 0;
};

tl::expected<void, Failure> FieldParser::parse()
{
  if (auto weekdays = parse_weekdays(); !weekdays) {
    return weekdays;
  }
  auto date = parse_date();
  if (!date) {
    return tl::unexpected(date.error());
  }
  if (*date == Date::absent_or_parsed) {
    if (auto time = parse_time(); !time) {
      return time;
    }
  }
  if (m_pos != m_text.size()) {
    return fail(m_pos, fmt::format("unexpected {} at the end", shown(m_pos)));
  }
  return {};
}

const WeekdayName* FieldParser::weekday_at() const
{
  const auto rest = m_text.substr(m_pos);
  for (const auto& day : k_weekdays) {
    if (rest.size() >= day.name.size() &&
        std::equal(day.name.begin(), day.name.end(), rest.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &day;
    }
  }
  return nullptr;
}

// "Mon,Wed..Fri " or nothing: a list of names, "a..b" (or "a-b") ranges.
tl::expected<void, Failure> FieldParser::parse_weekdays()
{
  int range_from = -1;
  std::size_t range_offset = 0;
  for (bool first = true;; first = false) {
    const WeekdayName* day = weekday_at();
    if (day == nullptr) {
      if (first) {
        return {};
      }
      return fail(m_pos, fmt::format("expected a weekday, found {}", shown(m_pos)), k_weekday_hint);
    }
    const std::size_t start = m_pos;
    m_pos += day->name.size();
    if (const char next = peek();
        next != '\0' && next != '-' && next != '.' && next != ',' && next != ' ') {
      return fail(start,
                  fmt::format("unknown weekday \"{}\"",
                              m_text.substr(start, m_text.find_first_of(" ,.-", start) - start)),
                  k_weekday_hint);
    }
    m_fields.weekdays |= 1U << day->number;
    if (range_from >= 0) {
      if (range_from > day->number) {
        return fail(range_offset,
                    fmt::format("weekday range \"{}\" runs backwards",
                                m_text.substr(range_offset, m_pos - range_offset)),
                    k_weekday_hint);
      }
      for (int between = range_from + 1; between < day->number; ++between) {
        m_fields.weekdays |= 1U << between;
      }
    }
    if (peek() == '\0') {
      return {};
    }
    if (peek() == ' ') {
      skip_spaces();
      return {};
    }
    if (peek() == '.' || peek() == '-') {
      if (range_from >= 0) {
        return fail(m_pos, "a weekday range has one end only", k_weekday_hint);
      }
      if (peek() == '.' && peek(1) != '.') {
        return fail(m_pos, "expected \"..\" in a weekday range", k_weekday_hint);
      }
      range_from = day->number;
      range_offset = start;
      m_pos += peek() == '.' ? 2 : 1;
    } else { // ','
      range_from = -1;
      ++m_pos;
    }
    if (peek() == '\0' || peek() == ' ') {
      if (range_from >= 0) {
        return fail(range_offset, "weekday range without an end", k_weekday_hint);
      }
      skip_spaces();
      return {};
    }
  }
}

// "[YYYY-]MM-DD" (either "-" before the day may be "~"), "@SECONDS", or no
// date at all: then the time starts here.
tl::expected<FieldParser::Date, Failure> FieldParser::parse_date()
{
  if (peek() == '\0') {
    return Date::absent_or_parsed;
  }
  if (peek() == '@') {
    if (auto at = parse_at_seconds(); !at) {
      return tl::unexpected(at.error());
    }
    return Date::whole_time;
  }
  const std::size_t start = m_pos;
  auto first = parse_chain(false);
  if (!first) {
    return tl::unexpected(first.error());
  }
  if (peek() == '\0' || peek() == ':') { // an hour, not a date
    m_pos = start;
    return Date::absent_or_parsed;
  }
  std::size_t tilde = 0;
  const auto separator = [&]() -> tl::expected<void, Failure> {
    if (peek() == '~') {
      if (m_fields.end_of_month) {
        return fail(m_pos, "a date has one \"~\" only");
      }
      m_fields.end_of_month = true;
      tilde = m_pos;
    } else if (peek() != '-') {
      return fail(m_pos, fmt::format("expected \"-\", \"~\" or \":\", found {}", shown(m_pos)));
    }
    ++m_pos;
    return {};
  };
  if (auto sep = separator(); !sep) {
    return tl::unexpected(sep.error());
  }
  auto second = parse_chain(false);
  if (!second) {
    return tl::unexpected(second.error());
  }
  if (peek() == '\0' || peek() == ' ') {
    skip_spaces();
    m_fields.month = std::move(*first);
    m_fields.day = std::move(*second);
    return Date::absent_or_parsed;
  }
  if (m_fields.end_of_month) {
    return fail(tilde, "\"~\" may stand only before the day");
  }
  if (auto sep = separator(); !sep) {
    return tl::unexpected(sep.error());
  }
  auto third = parse_chain(false);
  if (!third) {
    return tl::unexpected(third.error());
  }
  if (peek() != '\0' && peek() != ' ') {
    return fail(m_pos, fmt::format("unexpected {} after the date", shown(m_pos)));
  }
  skip_spaces();
  m_fields.year = std::move(*first);
  m_fields.month = std::move(*second);
  m_fields.day = std::move(*third);
  return Date::absent_or_parsed;
}

// "@SECONDS": one moment in UTC, read with strtoul()'s leniency (leading
// whitespace, a sign; "-N" wraps around as it does there).
tl::expected<void, Failure> FieldParser::parse_at_seconds()
{
  const std::size_t start = ++m_pos;
  while (std::isspace(static_cast<unsigned char>(peek())) != 0) {
    ++m_pos;
  }
  const bool negative = peek() == '-';
  if (peek() == '-' || peek() == '+') {
    ++m_pos;
  }
  if (!is_digit(peek())) {
    return fail(start, "expected seconds since 1970 after \"@\"");
  }
  std::uint64_t value = 0;
  while (is_digit(peek())) {
    if (__builtin_mul_overflow(value, 10U, &value) ||
        __builtin_add_overflow(value, static_cast<unsigned>(peek() - '0'), &value)) {
      return fail(start, "seconds since 1970 out of range");
    }
    ++m_pos;
  }
  if (negative) {
    value = 0 - value;
  }
  const auto seconds = static_cast<std::time_t>(value);
  std::tm tm{};
  if (::gmtime_r(&seconds, &tm) == nullptr || tm.tm_year > INT_MAX - 1900) {
    return fail(start, "seconds since 1970 out of range");
  }
  const auto at = [&](int v) { return LocatedChain{{CalendarComponent{v, -1, 0}, start}}; };
  m_fields.year = at(tm.tm_year + 1900);
  m_fields.month = at(tm.tm_mon + 1);
  m_fields.day = at(tm.tm_mday);
  m_fields.hour = at(tm.tm_hour);
  m_fields.minute = at(tm.tm_min);
  m_fields.second = at(tm.tm_sec * k_usec_per_sec);
  m_fields.utc = true;
  return {};
}

// "HH:MM[:SS]", or nothing for 00:00:00.
tl::expected<void, Failure> FieldParser::parse_time()
{
  const auto zero = LocatedChain{{CalendarComponent{0, -1, 0}, m_pos}};
  if (peek() == '\0') {
    m_fields.hour = zero;
    m_fields.minute = zero;
    m_fields.second = zero;
    return {};
  }
  auto hour = parse_chain(false);
  if (!hour) {
    return tl::unexpected(hour.error());
  }
  if (peek() != ':') {
    return fail(m_pos, fmt::format("expected \":\" after the hour, not {}", shown(m_pos)));
  }
  ++m_pos;
  auto minute = parse_chain(false);
  if (!minute) {
    return tl::unexpected(minute.error());
  }
  m_fields.hour = std::move(*hour);
  m_fields.minute = std::move(*minute);
  if (peek() == '\0') {
    m_fields.second = zero;
    return {};
  }
  if (peek() != ':') {
    return fail(m_pos, fmt::format("unexpected {} after the minutes", shown(m_pos)));
  }
  ++m_pos;
  auto second = parse_chain(true);
  if (!second) {
    return tl::unexpected(second.error());
  }
  if (peek() != '\0') {
    return fail(m_pos, fmt::format("unexpected {} after the seconds", shown(m_pos)));
  }
  m_fields.second = std::move(*second);
  return {};
}

// "*" or a comma-separated list of "N", "N..M", "N/S", "N..M/S"; in
// microseconds for the seconds (`usec`), where "*" is every whole second.
tl::expected<LocatedChain, Failure> FieldParser::parse_chain(bool usec)
{
  if (peek() == '*') {
    const std::size_t star = m_pos++;
    if (usec) {
      return LocatedChain{{CalendarComponent{0, -1, k_usec_per_sec}, star}};
    }
    return LocatedChain{};
  }
  LocatedChain chain;
  for (;;) {
    const std::size_t start_offset = m_pos;
    if (chain.size() >= k_max_list) {
      return fail(start_offset, fmt::format("more than {} values in one list", k_max_list));
    }
    CalendarComponent c;
    auto start = parse_number(usec);
    if (!start) {
      return tl::unexpected(start.error());
    }
    c.start = *start;
    if (peek() == '.' && peek(1) == '.') {
      m_pos += 2;
      auto stop = parse_number(usec);
      if (!stop) {
        return tl::unexpected(stop.error());
      }
      c.stop = *stop;
      c.repeat = usec ? k_usec_per_sec : 1;
    }
    if (peek() == '/') {
      const std::size_t step_offset = ++m_pos;
      auto repeat = parse_number(usec);
      if (!repeat) {
        return tl::unexpected(repeat.error());
      }
      if (*repeat == 0) {
        return fail(step_offset, "a repetition of 0 never advances");
      }
      c.repeat = *repeat;
    } else if (c.start > INT_MAX - c.repeat) {
      return fail(start_offset, "number too large");
    } else if (usec && c.stop >= 0 && c.start + c.repeat > c.stop) {
      return fail(start_offset, "a range of seconds without a step must span at least 1s",
                  "add a step, e.g. \"0..0.5/0.1\"");
    }
    const char next = peek();
    if (next != '\0' && next != ' ' && next != ',' && next != '-' && next != '~' && next != ':') {
      return fail(m_pos, fmt::format("unexpected {}", shown(m_pos)));
    }
    chain.push_back({c, start_offset});
    if (next != ',') {
      return chain;
    }
    ++m_pos;
  }
}

// A decimal number; for the seconds (`usec`) with up to 6 decimals, in microseconds.
tl::expected<int, Failure> FieldParser::parse_number(bool usec)
{
  const std::size_t start = m_pos;
  if (!is_digit(peek())) {
    return fail(start, fmt::format("expected a number or \"*\", found {}", shown(start)));
  }
  std::uint64_t value = 0;
  bool overflow = false;
  while (is_digit(peek())) {
    overflow = overflow || __builtin_mul_overflow(value, 10U, &value) ||
               __builtin_add_overflow(value, static_cast<unsigned>(peek() - '0'), &value);
    ++m_pos;
  }
  if (usec) {
    overflow = overflow || __builtin_mul_overflow(value, std::uint64_t{k_usec_per_sec}, &value);
    if (!overflow && peek() == '.' && peek(1) != '.') { // one "." is a decimal point
      ++m_pos;
      auto fraction = parse_fraction();
      if (!fraction) {
        return tl::unexpected(fraction.error());
      }
      value += *fraction;
    }
  }
  if (overflow || value > static_cast<std::uint64_t>(INT_MAX)) {
    return fail(start, "number too large");
  }
  return static_cast<int>(value);
}

// Six decimals in microseconds, rounded half up on the seventh, as systemd's
// parse_fractional_part_u(); further digits are read and ignored.
tl::expected<unsigned, Failure> FieldParser::parse_fraction()
{
  if (!is_digit(peek())) {
    return fail(m_pos, "expected digits after the decimal point");
  }
  unsigned value = 0;
  for (int i = 0; i < 6; ++i) {
    value *= 10;
    if (is_digit(peek())) {
      value += static_cast<unsigned>(peek() - '0');
      ++m_pos;
    }
  }
  if (peek() >= '5' && peek() <= '9') {
    ++value;
  }
  while (is_digit(peek())) {
    ++m_pos;
  }
  return value;
}

// --- normalization and checks ----------------------------------------------

// One field's name and the range its values must lie in.
struct FieldRange
{
  std::string_view name;
  int from;
  int to;
  std::string_view hint;
};

constexpr FieldRange k_year{"year", k_min_year, k_max_year,
                            "years are 1970..2199; two digits mean 1970..1999 from 70, else 20xx"};
constexpr FieldRange k_month{"month", 1, 12, "months are 1..12"};
constexpr FieldRange k_day{"day", 1, 31, "days are 1..31"};
constexpr FieldRange k_last_day{"day", 1, 28,
                                "after \"~\", days count back from the month's end (1 the last "
                                "day): at most 28 for the first of a sorted list and 3 fewer for "
                                "each further one, as systemd checks them"};
constexpr FieldRange k_hour{"hour", 0, 23, "hours are 0..23"};
constexpr FieldRange k_minute{"minute", 0, 59, "minutes are 0..59"};
constexpr FieldRange k_second{"second", 0, 60 * k_usec_per_sec - 1,
                              "seconds are 0..59, with up to 6 decimals"};

// Turns 12 into 2012 and 89 into 1989, as systemd's fix_year().
void fix_years(LocatedChain& chain)
{
  const auto fix = [](int& year) {
    if (year >= 0 && year < 70) {
      year += 2000;
    } else if (year >= 70 && year < 100) {
      year += 1900;
    }
  };
  for (auto& located : chain) {
    fix(located.component.start);
    if (located.component.stop >= 0) {
      fix(located.component.stop);
    }
  }
}

// Cuts each range to a multiple of its step, drops a step that cannot fire
// twice, sorts and removes duplicates (keeping the first written).
void normalize(LocatedChain& chain)
{
  for (auto& located : chain) {
    auto& c = located.component;
    if (c.stop > c.start && c.repeat > 0) {
      c.stop -= (c.stop - c.start) % c.repeat;
    }
    if ((c.stop > c.start && c.repeat > 0 &&
         std::int64_t{c.start} + c.repeat > std::int64_t{c.stop}) ||
        c.start == c.stop) {
      c.repeat = 0;
      c.stop = -1;
    }
  }
  std::stable_sort(chain.begin(), chain.end(),
                   [](const Located& a, const Located& b) { return a.component < b.component; });
  chain.erase(
      std::unique(chain.begin(), chain.end(),
                  [](const Located& a, const Located& b) { return a.component == b.component; }),
      chain.end());
}

std::string value_text(const FieldRange& range, int value)
{
  if (range.name != "second") {
    return std::to_string(value);
  }
  std::string text = fmt::format("{}.{:06}", value / k_usec_per_sec, value % k_usec_per_sec);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') {
    text.pop_back();
  }
  return text;
}

// Why `c` is out of `range` (systemd's chain_valid()), or an empty string.
std::string problem(const CalendarComponent& c, const FieldRange& range, bool end_of_month)
{
  const auto out_of_range = [&](int value) {
    return fmt::format("{} {} is out of range {}..{}", range.name, value_text(range, value),
                       value_text(range, range.from), value_text(range, range.to));
  };
  if (c.start < range.from || c.start > range.to) {
    return out_of_range(c.start);
  }
  if (c.repeat > range.to - range.from) {
    return fmt::format("{} step {} is larger than the range {}..{}", range.name,
                       value_text(range, c.repeat), value_text(range, range.from),
                       value_text(range, range.to));
  }
  if (c.stop >= 0) {
    if (c.stop < range.from || c.stop > range.to) {
      return out_of_range(c.stop);
    }
    if (c.start + c.repeat > c.stop) {
      return fmt::format("{} range {}..{} runs backwards", range.name, value_text(range, c.start),
                         value_text(range, c.stop));
    }
  } else if (c.repeat > 0 &&
             (end_of_month ? c.start - c.repeat < range.from : c.start + c.repeat > range.to)) {
    return fmt::format("{} {}/{} never repeats within {}..{}", range.name,
                       value_text(range, c.start), value_text(range, c.repeat),
                       value_text(range, range.from), value_text(range, range.to));
  }
  return {};
}

// Normalizes `chain`, checks it against `range` and moves it into `out`; the
// first problem in the text wins.
tl::expected<void, Failure> finish(LocatedChain& chain, const FieldRange& range, bool end_of_month,
                                   CalendarChain& out)
{
  normalize(chain);
  const Located* worst = nullptr;
  std::string worst_problem;
  FieldRange limit = range;
  for (const auto& located : chain) {
    auto text = problem(located.component, limit, end_of_month);
    if (end_of_month) {
      limit.to -= 3; // systemd's chain_valid() lowers its limit at each element after "~"
    }
    if (!text.empty() && (worst == nullptr || located.offset < worst->offset)) {
      worst = &located;
      worst_problem = std::move(text);
    }
  }
  if (worst != nullptr) {
    return tl::unexpected(
        Failure{worst->offset, std::move(worst_problem), std::string(range.hint)});
  }
  out.clear();
  for (const auto& located : chain) {
    out.push_back(located.component);
  }
  return {};
}

} // namespace

tl::expected<void, Failure> parse_fields(std::string_view body, Fields& fields)
{
  return FieldParser(body, fields).parse();
}

tl::expected<void, Failure> normalize_and_check(Fields fields, CalendarSpec& spec)
{
  spec.weekdays = fields.weekdays >= 127 ? 0 : fields.weekdays;
  spec.end_of_month = fields.end_of_month && !fields.day.empty();
  fix_years(fields.year);
  const std::array<std::tuple<LocatedChain*, const FieldRange*, CalendarChain*>, 6> steps{{
      {&fields.year, &k_year, &spec.year},
      {&fields.month, &k_month, &spec.month},
      {&fields.day, spec.end_of_month ? &k_last_day : &k_day, &spec.day},
      {&fields.hour, &k_hour, &spec.hour},
      {&fields.minute, &k_minute, &spec.minute},
      {&fields.second, &k_second, &spec.second},
  }};
  for (const auto& [chain, range, out] : steps) {
    const bool end_of_month = spec.end_of_month && out == &spec.day;
    if (auto checked = finish(*chain, *range, end_of_month, *out); !checked) {
      return checked;
    }
  }
  return {};
}

} // namespace pt::calendar
