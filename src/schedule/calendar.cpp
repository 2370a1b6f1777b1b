// SPDX-License-Identifier: MIT
// The calendar expression parser, a port of the behaviour of systemd 252's
// calendar_spec_from_string() (src/shared/calendarspec.c), because systemd's
// timer and the runner must agree on every expression. Its quirks are kept on
// purpose, each a fact systemd-analyze confirms (tests/integration/
// test_calendar_differential.sh):
// - The zone comes off the end first: " UTC" in any case, else the local
//   zone's abbreviations ("CET", "CEST"; as glibc names them), else the last
//   word if it names a zone file. Whatever is left must parse without it.
// - A weekday list ends at a space; "-" is an old spelling of "..".
// - A date is "MM-DD" or "YYYY-MM-DD" (either "-" before the day may be "~",
//   but only one); a lone number before ":" was an hour after all.
// - Seconds keep 6 decimals, rounded on the 7th; two-digit years are 19xx
//   from 70 and 20xx below; a step that cannot fire twice is dropped.
// - Checks run after normalization, on the sorted, deduplicated lists.
// The errors are ours (systemd says only "Invalid argument"): a column and a
// message for the part at fault.
#include "schedule/calendar.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "schedule/internal.hpp"
#include "schedule/zone.hpp"

namespace pt {
namespace {

using calendar::Failure;
using calendar::Fields;
using calendar::k_usec_per_sec;
using calendar::LocatedChain;

bool equal_no_case(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool ends_with_no_case(std::string_view text, std::string_view suffix)
{
  return text.size() >= suffix.size() &&
         equal_no_case(text.substr(text.size() - suffix.size()), suffix);
}

// The shorthands: which fields they pin, everything else "*".
struct Shorthand
{
  std::string_view name;
  unsigned weekdays;
  std::vector<int> months;
  std::optional<int> day;
  bool hour;
  bool minute;
};

const std::vector<Shorthand>& shorthands()
{
  static const std::vector<Shorthand> table{
      {"minutely", 0, {}, std::nullopt, false, false},
      {"hourly", 0, {}, std::nullopt, false, true},
      {"daily", 0, {}, std::nullopt, true, true},
      {"monthly", 0, {}, 1, true, true},
      {"weekly", 1, {}, std::nullopt, true, true},
      {"yearly", 0, {1}, 1, true, true},
      {"annually", 0, {1}, 1, true, true},
      {"anually", 0, {1}, 1, true, true}, // systemd's old misspelling, still accepted
      {"quarterly", 0, {1, 4, 7, 10}, 1, true, true},
      {"semiannually", 0, {1, 7}, 1, true, true},
      {"semi-annually", 0, {1, 7}, 1, true, true},
      {"biannually", 0, {1, 7}, 1, true, true},
      {"bi-annually", 0, {1, 7}, 1, true, true},
  };
  return table;
}

LocatedChain constant(int value)
{
  return {{CalendarComponent{value, -1, 0}, 0}};
}

bool apply_shorthand(std::string_view body, Fields& fields)
{
  for (const auto& shorthand : shorthands()) {
    if (!equal_no_case(body, shorthand.name)) {
      continue;
    }
    fields.weekdays = shorthand.weekdays;
    for (const int month : shorthand.months) {
      fields.month.push_back({{month, -1, 0}, 0});
    }
    if (shorthand.day) {
      fields.day = constant(*shorthand.day);
    }
    if (shorthand.hour) {
      fields.hour = constant(0);
    }
    if (shorthand.minute) {
      fields.minute = constant(0);
    }
    fields.second = constant(0);
    return true;
  }
  return false;
}

bool starts_with_letter(std::string_view word)
{
  return !word.empty() && std::isalpha(static_cast<unsigned char>(word.front())) != 0;
}

// What the end of the text says about the zone, and the text before it.
struct ZoneSuffix
{
  std::string_view body;
  std::string_view last_word; // a word after the last space that is not a zone
};

ZoneSuffix take_zone(std::string_view text, std::string_view local_zone, CalendarSpec& spec)
{
  spec.zone = std::string(local_zone);
  if (ends_with_no_case(text, " UTC")) {
    spec.zone_kind = CalendarZone::utc;
    spec.zone.clear();
    return {text.substr(0, text.size() - 4), {}};
  }
  const ZoneAbbreviations names = zone_abbreviations(local_zone);
  int dst = 0;
  for (const std::string& name : {names.standard, names.daylight}) {
    if (!name.empty() && text.size() > name.size() && ends_with_no_case(text, name) &&
        text[text.size() - name.size() - 1] == ' ') {
      spec.dst = dst;
      spec.dst_name = name;
      return {text.substr(0, text.size() - name.size() - 1), {}};
    }
    ++dst;
  }
  const auto space = text.rfind(' ');
  if (space == std::string_view::npos) {
    return {text, {}};
  }
  // A zone name starts with a letter; "08:40" is a time, not a file to look for.
  const std::string word(text.substr(space + 1));
  if (starts_with_letter(word) && check_timezone(word)) {
    spec.zone_kind = CalendarZone::named;
    spec.zone = word;
    return {text.substr(0, space), {}};
  }
  return {text, text.substr(space + 1)};
}

// The error for an expression that parses once its unknown last word is gone.
CalendarError unknown_zone(std::string_view text, std::string_view word)
{
  const auto why = check_timezone(std::string(word));
  return {static_cast<int>(text.size() - word.size()) + 1,
          fmt::format("unknown timezone \"{}\"{}", word, why ? "" : ": " + why.error()),
          fmt::format("use UTC or an IANA zone name such as \"Europe/Berlin\" (a file under {})",
                      k_zoneinfo_dir)};
}

CalendarError to_error(const Failure& failure)
{
  return {static_cast<int>(failure.offset) + 1, failure.message, failure.hint};
}

// Formats one list the way systemd does: zero-padded to `width`, seconds with
// six decimals when they have any, "*" for any value.
void format_chain(std::string& out, int width, const CalendarChain& chain, bool usec)
{
  const int unit = usec ? k_usec_per_sec : 1;
  if (chain.empty() || (usec && chain.size() == 1 && chain[0].start == 0 && chain[0].stop < 0 &&
                        chain[0].repeat == k_usec_per_sec)) {
    out += '*';
    return;
  }
  bool first = true;
  for (const auto& c : chain) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += fmt::format("{:0{}}", c.start / unit, width);
    if (c.start % unit > 0) {
      out += fmt::format(".{:06}", c.start % unit);
    }
    if (c.stop > 0) {
      out += fmt::format("..{:0{}}", c.stop / unit, width);
      if (c.stop % unit > 0) {
        out += fmt::format(".{:06}", c.stop % unit);
      }
    }
    if (c.repeat > 0 && !(c.stop > 0 && c.repeat == unit)) {
      out += fmt::format("/{}", c.repeat / unit);
    }
    if (c.repeat % unit > 0) {
      out += fmt::format(".{:06}", c.repeat % unit);
    }
  }
}

// Formats the weekday bits as systemd does: runs of three or more as "A..C".
void format_weekdays(std::string& out, unsigned bits)
{
  static constexpr std::string_view k_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  bool need_comma = false;
  int run_start = -1;
  const auto close_run = [&](int end) { // `end` is one past the run
    if (end > run_start + 1) {
      out += end > run_start + 2 ? ".." : ",";
      out += k_days[end - 1];
    }
  };
  for (int day = 0; day < 7; ++day) {
    if ((bits & (1U << day)) != 0) {
      if (run_start < 0) {
        if (need_comma) {
          out += ',';
        }
        need_comma = true;
        out += k_days[day];
        run_start = day;
      }
    } else if (run_start >= 0) {
      close_run(day);
      run_start = -1;
    }
  }
  if (run_start >= 0) {
    close_run(7);
  }
}

bool has_many_values(const CalendarChain& chain)
{
  return chain.empty() || chain.size() > 1 || chain.front().repeat > 0;
}

} // namespace

tl::expected<CalendarSpec, CalendarError> parse_calendar(std::string_view text,
                                                         std::string_view local_zone)
{
  if (auto zone = check_timezone(std::string(local_zone)); !zone) {
    return tl::unexpected(
        CalendarError{0, fmt::format("unknown local timezone \"{}\": {}", local_zone, zone.error()),
                      "use UTC or an IANA zone name such as \"Europe/Berlin\""});
  }
  // systemd takes no space at the end: say so where the rest is valid.
  if (const auto end = text.find_last_not_of(' ');
      end != std::string_view::npos && end + 1 < text.size() &&
      parse_calendar(text.substr(0, end + 1), local_zone)) {
    return tl::unexpected(CalendarError{static_cast<int>(end) + 2, "unexpected \" \" at the end",
                                        "end with no space"});
  }
  CalendarSpec spec;
  const ZoneSuffix zone = take_zone(text, local_zone, spec);
  if (zone.body.empty()) {
    return tl::unexpected(CalendarError{
        1, "empty calendar expression",
        "write e.g. \"daily\", \"Mon..Fri 08:00\" or \"*-*-* 00/2:00:00\" (systemd.time(7))"});
  }
  Fields fields;
  if (!apply_shorthand(zone.body, fields)) {
    if (auto parsed = calendar::parse_fields(zone.body, fields); !parsed) {
      // "daily  UTC", "hourly ": systemd takes a shorthand with nothing but
      // one space and a zone after it; say where the extra space is.
      const auto end = zone.body.find_last_not_of(' ');
      if (Fields probe; end != std::string_view::npos && end + 1 < zone.body.size() &&
                        apply_shorthand(zone.body.substr(0, end + 1), probe)) {
        return tl::unexpected(CalendarError{
            static_cast<int>(end) + 2,
            fmt::format("unexpected \" \" after \"{}\"", zone.body.substr(0, end + 1)),
            "separate a shorthand and its zone with one space"});
      }
      // "12:00 Mars/Olympus": say what is wrong with the zone, not with the time.
      if (starts_with_letter(zone.last_word)) {
        Fields without_zone;
        const auto body = zone.body.substr(0, zone.body.size() - zone.last_word.size() - 1);
        if (!body.empty() &&
            (apply_shorthand(body, without_zone) || calendar::parse_fields(body, without_zone))) {
          return tl::unexpected(unknown_zone(text, zone.last_word));
        }
      }
      return tl::unexpected(to_error(parsed.error()));
    }
  }
  if (fields.utc) {
    spec.zone_kind = CalendarZone::utc;
    spec.zone.clear();
    spec.dst = -1;
    spec.dst_name.clear();
  }
  if (auto checked = calendar::normalize_and_check(std::move(fields), spec); !checked) {
    return tl::unexpected(to_error(checked.error()));
  }
  return spec;
}

std::string format_calendar_error(const CalendarError& error)
{
  std::string text = fmt::format("{}: {}", error.column, error.message);
  if (!error.hint.empty()) {
    text += "; hint: " + error.hint;
  }
  return text;
}

std::string normalized(const CalendarSpec& spec)
{
  std::string out;
  if (spec.weekdays != 0) {
    format_weekdays(out, spec.weekdays);
    out += ' ';
  }
  format_chain(out, 4, spec.year, false);
  out += '-';
  format_chain(out, 2, spec.month, false);
  out += spec.end_of_month ? '~' : '-';
  format_chain(out, 2, spec.day, false);
  out += ' ';
  format_chain(out, 2, spec.hour, false);
  out += ':';
  format_chain(out, 2, spec.minute, false);
  out += ':';
  format_chain(out, 2, spec.second, true);
  switch (spec.zone_kind) {
  case CalendarZone::utc:
    out += " UTC";
    break;
  case CalendarZone::named:
    out += ' ' + spec.zone;
    break;
  case CalendarZone::local:
    if (spec.dst >= 0 && !spec.dst_name.empty()) {
      out += ' ' + spec.dst_name;
    }
    break;
  }
  return out;
}

bool fires_more_than_hourly(const CalendarSpec& spec)
{
  return has_many_values(spec.minute) || has_many_values(spec.second);
}

} // namespace pt
