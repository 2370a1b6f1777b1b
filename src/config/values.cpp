// SPDX-License-Identifier: MIT
#include "config/values.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/suggest.hpp"

namespace pt::config_values {

namespace {

std::string_view type_name(const toml::node& node)
{
  switch (node.type()) {
  case toml::node_type::table:
    return "a table";
  case toml::node_type::array:
    return "an array";
  case toml::node_type::string:
    return "a string";
  case toml::node_type::integer:
    return "an integer";
  case toml::node_type::floating_point:
    return "a float";
  case toml::node_type::boolean:
    return "a boolean";
  case toml::node_type::date:
    return "a date";
  case toml::node_type::time:
    return "a time";
  case toml::node_type::date_time:
    return "a date-time";
  case toml::node_type::none:
    break;
  }
  return "nothing";
}

bool is_variable_name(std::string_view name)
{
  const auto is_word = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  };
  return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
         std::all_of(name.begin(), name.end(), is_word);
}

Read<std::pair<std::string, std::string>> read_variable(const Field& variable)
{
  const std::string_view name = variable.key.str();
  const auto key_at = location_of(variable.file, variable.key.source());
  if (!is_variable_name(name)) {
    return fail(key_at,
                fmt::format("invalid environment variable name \"{}\" {}", name, variable.owner),
                R"(use letters, digits and "_", not starting with a digit)");
  }
  if (name.starts_with("PERIODIC_TASKS_")) {
    return fail(key_at,
                fmt::format("environment variable \"{}\" {} is reserved", name, variable.owner),
                "names starting with PERIODIC_TASKS_ are set by periodic_tasks itself");
  }
  auto value = read_string(variable);
  if (!value) {
    return tl::unexpected(value.error());
  }
  return std::pair{std::string(name), std::move(*value)};
}

} // namespace

SourceLocation location_of(const std::string& file, const toml::source_region& region)
{
  return {file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

Failure fail(SourceLocation where, std::string problem, std::string hint)
{
  return tl::unexpected(ConfigError{std::move(where), std::move(problem), std::move(hint)});
}

Failure fail_at(const Field& field, const toml::node& node, std::string problem, std::string hint)
{
  return fail(location_of(field.file, node.source()), std::move(problem), std::move(hint));
}

Failure fail_at(const Field& field, std::string problem, std::string hint)
{
  return fail_at(field, field.value, std::move(problem), std::move(hint));
}

Failure wrong_type(const Field& field, std::string_view expected, std::string hint)
{
  return fail_at(field,
                 fmt::format("\"{}\" {} must be {}, not {}", field.name, field.owner, expected,
                             type_name(field.value)),
                 std::move(hint));
}

Failure wrong_element_type(const Field& field, std::size_t index, const toml::node& element,
                           std::string_view expected)
{
  return fail_at(field, element,
                 fmt::format("element {} of \"{}\" {} must be {}, not {}", index + 1, field.name,
                             field.owner, expected, type_name(element)));
}

std::vector<Entry> in_file_order(const toml::table& table)
{
  std::vector<Entry> entries;
  for (const auto& [key, value] : table) {
    entries.push_back({&key, &value});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    const auto& x = a.key->source().begin;
    const auto& y = b.key->source().begin;
    return x.line != y.line ? x.line < y.line : x.column < y.column;
  });
  return entries;
}

Failure unknown_key(const Field& field, const std::vector<std::string>& valid)
{
  const auto guess = closest_match(field.name, valid);
  std::string hint = guess ? fmt::format("did you mean \"{}\"?", *guess)
                           : fmt::format("valid keys: {}", fmt::join(valid, ", "));
  return fail(location_of(field.file, field.key.source()),
              fmt::format("unknown key \"{}\" {}", field.name, field.owner), std::move(hint));
}

// --- Readers: one TOML value -> one C++ value, or the error naming it --------

Read<std::string> read_string(const Field& field, std::string_view expected)
{
  const auto* value = field.value.as_string();
  if (value == nullptr) {
    return wrong_type(field, expected);
  }
  if (value->get().find('\0') != std::string::npos) {
    return fail_at(field, fmt::format("\"{}\" {} contains a NUL byte", field.name, field.owner));
  }
  return value->get();
}

Read<bool> read_bool(const Field& field)
{
  const auto* flag = field.value.as_boolean();
  if (flag == nullptr) {
    return wrong_type(field, "a boolean");
  }
  return flag->get();
}

Read<std::vector<std::string>> read_string_array(const Field& field)
{
  const auto* array = field.value.as_array();
  if (array == nullptr) {
    return wrong_type(field, "an array of strings");
  }
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    const auto* text = element.as_string();
    if (text == nullptr) {
      return wrong_element_type(field, i, element, "a string");
    }
    if (text->get().find('\0') != std::string::npos) {
      return fail_at(field, element,
                     fmt::format("element {} of \"{}\" {} contains a NUL byte", i + 1, field.name,
                                 field.owner));
    }
    strings.push_back(text->get());
  }
  return strings;
}

Read<Duration> read_duration(const Field& field)
{
  const auto text = read_string(field, R"(a string (time span such as "5min"))");
  if (!text) {
    return tl::unexpected(text.error());
  }
  const auto duration = parse_timespan(*text);
  if (!duration) {
    return fail_at(field,
                   fmt::format("bad duration \"{}\" for \"{}\" {}: {}", *text, field.name,
                               field.owner, duration.error()),
                   R"(e.g. "90s", "5min", "1h 30min")");
  }
  return *duration;
}

// A timeout of zero would kill every run at once; "infinity" says "no limit".
Read<Duration> read_timeout(const Field& field)
{
  auto duration = read_duration(field);
  if (duration && *duration == Duration::zero()) {
    return fail_at(field,
                   fmt::format("bad duration \"{}\" for \"{}\" {}: a timeout must be greater "
                               "than zero",
                               field.value.as_string()->get(), field.name, field.owner),
                   R"(use "infinity" for no limit)");
  }
  return duration;
}

// A span that must end: "infinity" would make the promise behind the key unkeepable.
Read<Duration> read_finite_duration(const Field& field, std::string_view why)
{
  auto duration = read_duration(field);
  if (duration && *duration == k_infinite) {
    return fail_at(field,
                   fmt::format("\"{}\" {} must be a finite time span, not \"{}\"", field.name,
                               field.owner, field.value.as_string()->get()),
                   std::string(why));
  }
  return duration;
}

Read<Duration> read_kill_timeout(const Field& field)
{
  return read_finite_duration(field, R"(a task that ignores SIGTERM would never be stopped; use )"
                                     R"(a span such as "30s", or "0" to send SIGKILL at once)");
}

Read<Duration> read_retry_delay(const Field& field)
{
  return read_finite_duration(
      field, R"(the retry would never start; use a span such as "1min", or drop "retries")");
}

// Zero would fail every connection at once, "infinity" would let a silent server hold the run.
Read<Duration> read_connect_timeout(const Field& field)
{
  auto duration = read_timeout(field);
  if (!duration) {
    return duration;
  }
  return read_finite_duration(field, R"(a server that never answers would hold the run )"
                                     R"(forever; use a span such as "10s")");
}

// Accepts a size string ("1MiB") or a non-negative integer number of bytes.
Read<std::uint64_t> read_size(const Field& field)
{
  if (const auto* bytes = field.value.as_integer()) {
    if (bytes->get() < 0) {
      return fail_at(field, fmt::format("\"{}\" {} must not be negative", field.name, field.owner));
    }
    return static_cast<std::uint64_t>(bytes->get());
  }
  const auto text = read_string(field, R"(a string (size such as "1MiB") or an integer)");
  if (!text) {
    return tl::unexpected(text.error());
  }
  const auto size = parse_size(*text);
  if (!size) {
    return fail_at(field,
                   fmt::format("bad size \"{}\" for \"{}\" {}: {}", *text, field.name, field.owner,
                               size.error()),
                   R"(e.g. "64KiB", "1MiB" or a number of bytes)");
  }
  return *size;
}

// The runtime checks that the zone exists; here only what could escape the zoneinfo dir.
Read<std::string> read_timezone(const Field& field)
{
  auto zone = read_string(field);
  if (zone && (zone->empty() || zone->front() == '/' || zone->find("..") != std::string::npos)) {
    return fail_at(field, fmt::format("invalid timezone \"{}\" {}", *zone, field.owner),
                   R"(use an IANA zone name such as "UTC" or "Europe/Berlin")");
  }
  return zone;
}

Read<std::string> read_absolute_path(const Field& field)
{
  auto path = read_string(field);
  if (path && !path->starts_with('/')) {
    return fail_at(field,
                   fmt::format("\"{}\" {} must be an absolute path, not \"{}\"", field.name,
                               field.owner, *path),
                   R"(write the full path, e.g. "/srv/app")");
  }
  return path;
}

// node_exporter's textfile collector reads only files named *.prom in its directory.
Read<std::string> read_textfile_path(const Field& field)
{
  auto path = read_string(field);
  if (!path) {
    return path;
  }
  constexpr std::string_view example =
      R"(e.g. "/var/lib/prometheus/node-exporter/periodic_tasks.prom")";
  if (!path->starts_with('/')) {
    return fail_at(field,
                   fmt::format("\"{}\" {} must be an absolute path, not \"{}\"", field.name,
                               field.owner, *path),
                   fmt::format("write the full path, {}", example));
  }
  const std::string_view file_name = std::string_view(*path).substr(path->rfind('/') + 1);
  if (!file_name.ends_with(".prom") || file_name.size() == std::string_view(".prom").size()) {
    return fail_at(
        field,
        fmt::format("\"{}\" {} must name a file ending in \".prom\", not \"{}\"", field.name,
                    field.owner, *path),
        fmt::format("node_exporter's textfile collector reads only *.prom files; {}", example));
  }
  return path;
}

Read<std::vector<std::string>> read_command(const Field& field)
{
  auto argv = read_string_array(field);
  if (argv && argv->empty()) {
    return fail_at(field, fmt::format("\"{}\" {} is empty", field.name, field.owner),
                   R"(give the program and its arguments, e.g. ["/usr/bin/app", "--flag"])");
  }
  if (argv && !argv->front().starts_with('/')) {
    const auto& program = argv->front();
    return fail_at(field, *field.value.as_array()->get(0),
                   fmt::format("argv[0] \"{}\" {} is not an absolute path", program, field.owner),
                   fmt::format("use the full path, e.g. \"/usr/bin/{}\"; commands never run "
                               "through a shell \u2014 write [\"/bin/sh\", \"-c\", \"...\"] to "
                               "use one",
                               program.substr(program.find_last_of('/') + 1)));
  }
  return argv;
}

Read<std::vector<std::pair<std::string, std::string>>> read_environment(const Field& field)
{
  const auto* table = field.value.as_table();
  if (table == nullptr) {
    return wrong_type(field, "a table of strings");
  }
  std::vector<std::pair<std::string, std::string>> variables;
  for (const auto& [key, value] : in_file_order(*table)) {
    auto variable = read_variable(
        {field.file, field.owner, fmt::format("{}.{}", field.name, key->str()), *key, *value});
    if (!variable) {
      return tl::unexpected(variable.error());
    }
    variables.push_back(std::move(*variable));
  }
  return variables;
}

Read<std::vector<int>> read_exit_codes(const Field& field)
{
  const auto* array = field.value.as_array();
  if (array == nullptr) {
    return wrong_type(field, "an array of integers");
  }
  if (array->empty()) {
    return fail_at(field, fmt::format("\"{}\" {} is empty", field.name, field.owner),
                   "list at least one exit code, e.g. [0]");
  }
  std::vector<int> codes;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& element = *array->get(i);
    const auto* code = element.as_integer();
    if (code == nullptr) {
      return wrong_element_type(field, i, element, "an integer");
    }
    if (code->get() < 0 || code->get() > 255) {
      return fail_at(field, element,
                     fmt::format("exit code {} in \"{}\" {} is out of range", code->get(),
                                 field.name, field.owner),
                     "exit codes are 0 to 255");
    }
    codes.push_back(static_cast<int>(code->get()));
  }
  return codes;
}

Read<std::vector<std::string>> read_statements(const Field& field)
{
  std::vector<std::string> statements;
  if (field.value.is_string()) {
    auto text = read_string(field, "a string or an array of strings");
    if (!text) {
      return tl::unexpected(text.error());
    }
    statements.push_back(std::move(*text));
  } else {
    auto texts = read_string_array(field);
    if (!texts) {
      return wrong_type(field, "a string or an array of strings");
    }
    statements = std::move(*texts);
  }
  const auto blank = std::find_if(statements.begin(), statements.end(), [](const std::string& s) {
    return s.find_first_not_of(" \t\r\n;") == std::string::npos;
  });
  if (statements.empty() || blank != statements.end()) {
    return fail_at(field, fmt::format("\"{}\" {} has an empty statement", field.name, field.owner),
                   R"(write the SQL to run, e.g. sql = "DELETE FROM events WHERE day < $1::date")");
  }
  return statements;
}

Read<std::vector<std::string>> read_params(const Field& field)
{
  auto names = read_string_array(field);
  if (!names) {
    return names;
  }
  const std::vector<std::string> valid(std::begin(k_param_names), std::end(k_param_names));
  for (std::size_t i = 0; i < names->size(); ++i) {
    const auto& name = (*names)[i];
    if (std::find(valid.begin(), valid.end(), name) != valid.end()) {
      continue;
    }
    const auto guess = closest_match(name, valid);
    return fail_at(
        field, *field.value.as_array()->get(i),
        fmt::format("unknown parameter \"{}\" in \"{}\" {}", name, field.name, field.owner),
        guess ? fmt::format("did you mean \"{}\"?", *guess)
              : fmt::format("parameters are {}", fmt::join(valid, ", ")));
  }
  return names;
}

Read<std::vector<Schedule>> read_schedule(const Field& field)
{
  std::vector<const toml::node*> nodes;
  if (const auto* array = field.value.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (!array->get(i)->is_string()) {
        return wrong_element_type(field, i, *array->get(i), "a string");
      }
      nodes.push_back(array->get(i));
    }
  } else if (field.value.is_string()) {
    nodes.push_back(&field.value);
  } else {
    return wrong_type(field, "a calendar expression (string) or an array of them",
                      R"(e.g. schedule = "Mon *-*-* 08:00:00" or ["daily", "*-*-* 12:00"])");
  }
  if (nodes.empty()) {
    return fail_at(field, fmt::format(R"("{}" {} is an empty array)", field.name, field.owner),
                   R"(give at least one calendar expression, or remove "schedule" to run the )"
                   R"(task on periodic-tasks.timer with the unscheduled tasks)");
  }
  std::vector<Schedule> schedules;
  for (const toml::node* node : nodes) {
    Schedule schedule;
    schedule.text = node->as_string()->get();
    schedule.where = location_of(field.file, node->source());
    ++schedule.where.column; // past the opening quote: calendar errors count from here
    schedules.push_back(std::move(schedule));
  }
  return schedules;
}

Read<CatchUp> read_catch_up(const Field& field)
{
  auto word = read_string(field);
  if (!word) {
    return tl::unexpected(word.error());
  }
  for (const CatchUp policy : {CatchUp::all, CatchUp::latest, CatchUp::none}) {
    if (*word == to_string(policy)) {
      return policy;
    }
  }
  return fail_at(field,
                 fmt::format("\"{}\" {} must be \"all\", \"latest\" or \"none\", not \"{}\"",
                             field.name, field.owner, *word),
                 "all: every missed slot in catch_up_window, oldest first; latest: only the "
                 "newest missed slot; none: only a slot that is due now");
}

Read<Exclusive> read_exclusive(const Field& field)
{
  auto word = read_string(field);
  if (!word) {
    return tl::unexpected(word.error());
  }
  for (const Exclusive mode : {Exclusive::cluster, Exclusive::host, Exclusive::none}) {
    if (*word == to_string(mode)) {
      return mode;
    }
  }
  return fail_at(field,
                 fmt::format("\"{}\" {} must be \"cluster\", \"host\" or \"none\", not \"{}\"",
                             field.name, field.owner, *word),
                 "cluster: one run at a time across the hosts of [cluster], each slot once; "
                 "host: one run at a time on this host; none: runs may overlap");
}

Read<Duration> read_lease(const Field& field)
{
  auto lease = read_finite_duration(
      field, R"(a dead host's slot would never be taken over; use a span such as "2min")");
  if (lease && *lease < k_min_lease) {
    return fail_at(
        field,
        fmt::format("\"{}\" {} must be at least {}s, not {}", field.name, field.owner,
                    std::chrono::duration_cast<std::chrono::seconds>(k_min_lease).count(),
                    format_timespan(*lease)),
        "the holder renews every lease/3 and must fit a round trip to the database "
        "in that; \"2min\" is the default");
  }
  return lease;
}

Read<Duration> read_positive_span(const Field& field, std::string_view why)
{
  auto span = read_finite_duration(field, why);
  if (span && span->count() == 0) {
    return fail_at(field, fmt::format("\"{}\" {} must be longer than 0", field.name, field.owner),
                   std::string(why));
  }
  return span;
}

Read<Duration> read_catch_up_window(const Field& field)
{
  auto window = read_finite_duration(
      field, R"(a task would catch up on every slot since 1970; use a span such as "7d")");
  if (window && window->count() == 0) {
    return fail_at(field, fmt::format("\"{}\" {} must be longer than 0", field.name, field.owner),
                   R"(to run no missed slot at all, write catch_up = "none")");
  }
  return window;
}

Read<Duration> read_randomized_delay(const Field& field)
{
  return read_finite_duration(field, R"(the timer would never fire; use a span such as "5min")");
}

Read<Duration> read_accuracy(const Field& field)
{
  auto accuracy = read_finite_duration(
      field, R"(the timer could fire at any time; use a span such as "1s" or "1min")");
  if (accuracy && accuracy->count() == 0) {
    return fail_at(field, fmt::format("\"{}\" {} must be longer than 0", field.name, field.owner),
                   R"(the finest systemd offers is "1us"; "1s" is the default for frequent tasks)");
  }
  return accuracy;
}

Read<int> read_retries(const Field& field)
{
  const auto* count = field.value.as_integer();
  if (count == nullptr) {
    return wrong_type(field, "an integer");
  }
  if (count->get() < 0 || count->get() > k_max_retries) {
    return fail_at(field, fmt::format("\"{}\" {} must be between 0 and {}, not {}", field.name,
                                      field.owner, k_max_retries, count->get()));
  }
  return static_cast<int>(count->get());
}

Status check_name(std::string_view name, const SourceLocation& where, std::string_view what)
{
  const auto is_lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  const bool valid = !name.empty() && is_lower_or_digit(name.front()) &&
                     std::all_of(name.begin(), name.end(), [&](char c) {
                       return is_lower_or_digit(c) || c == '_' || c == '.' || c == '-';
                     });
  if (!valid) {
    return fail(where, fmt::format("invalid {} name \"{}\"", what, name),
                R"(use lower-case letters, digits, "_", "." and "-", starting with a letter )"
                R"(or digit)");
  }
  if (name.size() > k_max_name) {
    return fail(where, fmt::format("invalid {} name \"{}\"", what, name),
                fmt::format("use at most {} characters", k_max_name));
  }
  return {};
}

Read<std::string> read_name(const Field& field, std::string_view what)
{
  auto name = read_string(field);
  if (!name) {
    return name;
  }
  if (auto checked = check_name(*name, location_of(field.file, field.value.source()), what);
      !checked) {
    return tl::unexpected(checked.error());
  }
  return name;
}

Read<std::string> read_credential_name(const Field& field)
{
  auto name = read_string(field);
  if (name &&
      (name->empty() || *name == "." || *name == ".." || name->find('/') != std::string::npos)) {
    return fail_at(field, fmt::format("invalid credential name \"{}\" {}", *name, field.owner),
                   "give the name used in LoadCredential=, e.g. \"periodic-tasks-db-password\"");
  }
  return name;
}

} // namespace pt::config_values
