// SPDX-License-Identifier: MIT
// TOML text -> Config; the only file that includes toml++.
//
// The parts that need care:
// - toml++ keeps a table's keys in a sorted map, not in file order. We walk
//   keys by source position, so the error reported is the first one in the
//   file and `environment` keeps the order the administrator wrote.
// - Every table is checked against a table of known keys (one for [settings],
//   one per task kind); the same table drives "did you mean" hints, so adding
//   a key or a task kind is a line in a table plus a reader.
// - Task defaults come from [settings], which may stand after the tasks in
//   the file, so [settings] is read first.
// - A task's name is read before its other keys: every message names the task.
#include "config_parser.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "suggest.hpp"

namespace pt {
namespace {

using Status = tl::expected<void, ConfigError>;
using Failure = tl::unexpected<ConfigError>;
template <typename T>
using Read = tl::expected<T, ConfigError>;

constexpr std::size_t k_max_task_name = 64;

// One value being read, with what messages need to name it.
struct Field
{
  const std::string& file;
  std::string_view owner; // "in task \"backup\"", "in [settings]" or "at top level"
  std::string name;       // as messages quote it: "timeout", "environment.HOME"
  const toml::key& key;
  const toml::node& value;
};

SourceLocation location_of(const std::string& file, const toml::source_region& region)
{
  return {file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

Failure fail(SourceLocation where, std::string problem, std::string hint = {})
{
  return tl::unexpected(ConfigError{std::move(where), std::move(problem), std::move(hint)});
}

Failure fail_at(const Field& field, const toml::node& node, std::string problem,
                std::string hint = {})
{
  return fail(location_of(field.file, node.source()), std::move(problem), std::move(hint));
}

Failure fail_at(const Field& field, std::string problem, std::string hint = {})
{
  return fail_at(field, field.value, std::move(problem), std::move(hint));
}

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

Failure wrong_type(const Field& field, std::string_view expected, std::string hint = {})
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

struct Entry
{
  const toml::key* key;
  const toml::node* value;
};

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

Read<std::string> read_string(const Field& field, std::string_view expected = "a string")
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

// --- Known keys: each maps a key to a reader and the member it fills --------

template <typename Target>
struct KnownKey
{
  std::string_view name;
  Status (*apply)(Target&, const Field&);
};

template <typename Value, typename Slot>
Status store(Read<Value> value, Slot& slot)
{
  if (!value) {
    return tl::unexpected(value.error());
  }
  slot = std::move(*value);
  return {};
}

constexpr std::array<KnownKey<Settings>, 4> k_settings_keys{{
    {"timezone", [](Settings& s, const Field& f) { return store(read_timezone(f), s.timezone); }},
    {"timeout", [](Settings& s, const Field& f) { return store(read_timeout(f), s.timeout); }},
    {"kill_timeout",
     [](Settings& s, const Field& f) { return store(read_duration(f), s.kill_timeout); }},
    {"output_limit",
     [](Settings& s, const Field& f) { return store(read_size(f), s.output_limit); }},
}};

// Every key a command task accepts; docs/configuration.md lists the same.
constexpr std::array<KnownKey<Task>, 10> k_command_task_keys{{
    {"name", [](Task&, const Field&) { return Status{}; }}, // read first, see the top
    {"description", [](Task& t, const Field& f) { return store(read_string(f), t.description); }},
    {"enabled", [](Task& t, const Field& f) { return store(read_bool(f), t.enabled); }},
    {"command", [](Task& t, const Field& f) { return store(read_command(f), t.command); }},
    {"working_directory",
     [](Task& t, const Field& f) { return store(read_absolute_path(f), t.working_directory); }},
    {"environment",
     [](Task& t, const Field& f) { return store(read_environment(f), t.environment); }},
    {"timeout", [](Task& t, const Field& f) { return store(read_timeout(f), t.timeout); }},
    {"kill_timeout",
     [](Task& t, const Field& f) { return store(read_duration(f), t.kill_timeout); }},
    {"success_exit_codes",
     [](Task& t, const Field& f) { return store(read_exit_codes(f), t.success_exit_codes); }},
    {"dry_run_args",
     [](Task& t, const Field& f) { return store(read_string_array(f), t.dry_run_args); }},
}};

// A task's kind is decided by the key that only that kind has.
struct TaskKindSpec
{
  TaskKind kind;
  std::string_view defining_key;
  std::span<const KnownKey<Task>> keys;
  std::string_view example; // the hint when a task has no kind's defining key
};

constexpr std::array<TaskKindSpec, 1> k_task_kinds{{
    {TaskKind::command, "command", k_command_task_keys, R"(command = ["/usr/bin/app", "--flag"])"},
}};

std::vector<std::string> key_names(auto keys)
{
  std::vector<std::string> names;
  for (const auto& key : keys) {
    names.emplace_back(key.name);
  }
  return names;
}

// Applies every key of `table` with its handler from `keys`, in file order.
template <typename Target>
Status apply_keys(const toml::table& table, const std::string& file, std::string_view owner,
                  std::span<const KnownKey<Target>> keys, Target& target)
{
  for (const auto& [key, value] : in_file_order(table)) {
    const Field field{file, owner, std::string(key->str()), *key, *value};
    const auto known =
        std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.name == field.name; });
    if (known == keys.end()) {
      return unknown_key(field, key_names(keys));
    }
    if (auto applied = known->apply(target, field); !applied) {
      return applied;
    }
  }
  return {};
}

// --- Tasks -----------------------------------------------------------------

bool is_task_name(std::string_view name)
{
  const auto is_lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  return !name.empty() && is_lower_or_digit(name.front()) &&
         std::all_of(name.begin(), name.end(), [&](char c) {
           return is_lower_or_digit(c) || c == '_' || c == '.' || c == '-';
         });
}

Read<std::string> read_task_name(const toml::table& table, const SourceLocation& origin,
                                 std::size_t index)
{
  const auto it = table.find("name");
  if (it == table.end()) {
    return fail(origin, R"(task has no "name")", R"(add name = "...")");
  }
  const std::string owner = fmt::format("in task #{}", index + 1);
  const Field field{origin.file, owner, "name", it->first, it->second};
  auto name = read_string(field);
  if (name && !is_task_name(*name)) {
    return fail_at(field, fmt::format("invalid task name \"{}\"", *name),
                   R"(use lower-case letters, digits, "_", "." and "-", starting with a letter )"
                   R"(or digit)");
  }
  if (name && name->size() > k_max_task_name) {
    return fail_at(field, fmt::format("invalid task name \"{}\"", *name),
                   fmt::format("use at most {} characters", k_max_task_name));
  }
  return name;
}

const TaskKindSpec& kind_of(const toml::table& table)
{
  for (const auto& spec : k_task_kinds) {
    if (table.contains(spec.defining_key)) {
      return spec;
    }
  }
  return k_task_kinds.front(); // its defining key is missing: reported after the other keys
}

Failure missing_kind(const Task& task)
{
  std::vector<std::string> keys;
  keys.reserve(k_task_kinds.size());
  for (const auto& spec : k_task_kinds) {
    keys.push_back(fmt::format("\"{}\"", spec.defining_key));
  }
  return fail(task.origin, fmt::format("task \"{}\" has no {}", task.name, fmt::join(keys, " or ")),
              fmt::format("add {}", k_task_kinds.front().example));
}

Read<Task> parse_task(const toml::table& table, std::size_t index, const std::string& file,
                      const Settings& settings)
{
  Task task;
  task.origin = location_of(file, table.source());
  task.timeout = settings.timeout;
  task.kill_timeout = settings.kill_timeout;
  if (auto name = store(read_task_name(table, task.origin, index), task.name); !name) {
    return tl::unexpected(name.error());
  }
  const std::string owner = fmt::format("in task \"{}\"", task.name);
  const auto& kind = kind_of(table);
  task.kind = kind.kind;
  if (auto applied = apply_keys(table, file, owner, kind.keys, task); !applied) {
    return tl::unexpected(applied.error());
  }
  if (!table.contains(kind.defining_key)) {
    return missing_kind(task);
  }
  return task;
}

Status check_unique(const std::vector<Task>& tasks, const Task& task)
{
  for (const auto& earlier : tasks) {
    if (earlier.name == task.name) {
      return fail(task.origin, fmt::format("duplicate task name \"{}\"", task.name),
                  fmt::format("first defined at {}", format_location(earlier.origin)));
    }
  }
  return {};
}

Read<std::vector<Task>> parse_tasks(const toml::table& top, const std::string& file,
                                    const Settings& settings)
{
  std::vector<Task> tasks;
  const auto it = top.find("task");
  if (it == top.end()) {
    return tasks;
  }
  const auto* array = it->second.as_array();
  if (array == nullptr || !(array->empty() || array->is_array_of_tables())) {
    return wrong_type({file, "at top level", "task", it->first, it->second}, "an array of tables",
                      "write [[task]] (double brackets) for each task");
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    auto task = parse_task(*array->get(i)->as_table(), i, file, settings);
    if (!task) {
      return tl::unexpected(task.error());
    }
    if (auto unique = check_unique(tasks, *task); !unique) {
      return tl::unexpected(unique.error());
    }
    tasks.push_back(std::move(*task));
  }
  return tasks;
}

// --- Files -----------------------------------------------------------------

enum class FileRole { main, dropin };

Status check_top_level(const toml::table& top, const std::string& file, FileRole role)
{
  const std::vector<std::string> valid = role == FileRole::main
                                             ? std::vector<std::string>{"settings", "task"}
                                             : std::vector<std::string>{"task"};
  for (const auto& [key, value] : in_file_order(top)) {
    const Field field{file, "at top level", std::string(key->str()), *key, *value};
    if (role == FileRole::dropin && field.name == "settings") {
      return fail(location_of(file, key->source()), "[settings] is not allowed in a drop-in file",
                  "settings belong in the main config file");
    }
    if (std::find(valid.begin(), valid.end(), field.name) == valid.end()) {
      return unknown_key(field, valid);
    }
  }
  return {};
}

Read<Settings> parse_settings(const toml::table& top, const std::string& file)
{
  Settings settings;
  const auto it = top.find("settings");
  if (it == top.end()) {
    return settings;
  }
  const auto* table = it->second.as_table();
  if (table == nullptr) {
    return wrong_type({file, "at top level", "settings", it->first, it->second}, "a table");
  }
  if (auto applied = apply_keys<Settings>(*table, file, "in [settings]", k_settings_keys, settings);
      !applied) {
    return tl::unexpected(applied.error());
  }
  return settings;
}

// Parses `text` as TOML; a syntax error keeps toml++'s wording and position.
Read<toml::table> parse_toml(std::string_view text, const std::string& origin)
{
  try {
    return toml::parse(text, std::string_view(origin));
  } catch (const toml::parse_error& error) {
    return fail(location_of(origin, error.source()), std::string(error.description()));
  }
}

} // namespace

tl::expected<Config, ConfigError> parse_config(std::string_view text, const std::string& origin)
{
  const auto top = parse_toml(text, origin);
  if (!top) {
    return tl::unexpected(top.error());
  }
  Config config;
  if (auto checked = check_top_level(*top, origin, FileRole::main); !checked) {
    return tl::unexpected(checked.error());
  }
  if (auto settings = store(parse_settings(*top, origin), config.settings); !settings) {
    return tl::unexpected(settings.error());
  }
  if (auto tasks = store(parse_tasks(*top, origin, config.settings), config.tasks); !tasks) {
    return tl::unexpected(tasks.error());
  }
  config.sources.push_back(origin);
  return config;
}

tl::expected<std::vector<Task>, ConfigError>
parse_dropin(std::string_view text, const std::string& origin, const Settings& settings)
{
  const auto top = parse_toml(text, origin);
  if (!top) {
    return tl::unexpected(top.error());
  }
  if (auto checked = check_top_level(*top, origin, FileRole::dropin); !checked) {
    return tl::unexpected(checked.error());
  }
  return parse_tasks(*top, origin, settings);
}

} // namespace pt
