// SPDX-License-Identifier: MIT
// TOML text -> Config; the only file that includes toml++.
//
// The parts that need care:
// - toml++ keeps a table's keys in a sorted map, not in file order. We walk
//   keys by source position, so the error reported is the first one in the
//   file and `environment` keeps the order the administrator wrote.
// - Every table is checked against a table of known keys (one each for
//   [settings] and [metrics], one per task kind); the same table drives "did
//   you mean" hints, so adding a key or a task kind is a line in a table plus
//   a reader.
// - Task defaults come from [settings], which may stand after the tasks in
//   the file, so [settings] is read first.
// - A task's name is read before its other keys: every message names the task.
#include "config/parser.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/values.hpp"
#include "util/suggest.hpp"

namespace pt {
namespace {

using namespace config_values;

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

constexpr std::array<KnownKey<MetricsSettings>, 1> k_metrics_keys{{
    {"textfile",
     [](MetricsSettings& m, const Field& f) { return store(read_textfile_path(f), m.textfile); }},
}};

// Every key a command task accepts; docs/configuration.md lists the same.
constexpr std::array<KnownKey<Task>, 13> k_command_task_keys{{
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
    {"retries", [](Task& t, const Field& f) { return store(read_retries(f), t.retries); }},
    {"retry_delay", [](Task& t, const Field& f) { return store(read_duration(f), t.retry_delay); }},
    {"retry_exit_codes",
     [](Task& t, const Field& f) { return store(read_exit_codes(f), t.retry_exit_codes); }},
}};

// Every key a SQL task accepts; docs/configuration.md lists the same.
constexpr std::array<KnownKey<Task>, 9> k_sql_task_keys{{
    {"name", [](Task&, const Field&) { return Status{}; }}, // read first, see the top
    {"description", [](Task& t, const Field& f) { return store(read_string(f), t.description); }},
    {"enabled", [](Task& t, const Field& f) { return store(read_bool(f), t.enabled); }},
    {"database", [](Task& t, const Field& f) { return store(read_string(f), t.database); }},
    {"sql", [](Task& t, const Field& f) { return store(read_statements(f), t.sql); }},
    {"params", [](Task& t, const Field& f) { return store(read_params(f), t.params); }},
    {"timeout", [](Task& t, const Field& f) { return store(read_timeout(f), t.timeout); }},
    {"retries", [](Task& t, const Field& f) { return store(read_retries(f), t.retries); }},
    {"retry_delay", [](Task& t, const Field& f) { return store(read_duration(f), t.retry_delay); }},
}};

// Every key of a [databases.NAME] table.
constexpr std::array<KnownKey<Database>, 4> k_database_keys{{
    {"conninfo", [](Database& d, const Field& f) { return store(read_string(f), d.conninfo); }},
    {"password_file",
     [](Database& d, const Field& f) { return store(read_absolute_path(f), d.password_file); }},
    {"password_credential",
     [](Database& d, const Field& f) {
       return store(read_credential_name(f), d.password_credential);
     }},
    {"connect_timeout",
     [](Database& d, const Field& f) { return store(read_timeout(f), d.connect_timeout); }},
}};

// A task's kind is decided by the key that only that kind has.
struct TaskKindSpec
{
  TaskKind kind;
  std::string_view defining_key;
  std::span<const KnownKey<Task>> keys;
  std::string_view example; // the hint when a task has no kind's defining key
};

constexpr std::array<TaskKindSpec, 2> k_task_kinds{{
    {TaskKind::command, "command", k_command_task_keys, R"(command = ["/usr/bin/app", "--flag"])"},
    {TaskKind::sql, "sql", k_sql_task_keys, R"(sql = "SELECT ...")"},
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

Read<std::string> read_task_name(const toml::table& table, const SourceLocation& origin,
                                 std::size_t index)
{
  const auto it = table.find("name");
  if (it == table.end()) {
    return fail(origin, R"(task has no "name")", R"(add name = "...")");
  }
  const std::string owner = fmt::format("in task #{}", index + 1);
  return read_name({origin.file, owner, "name", it->first, it->second}, "task");
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

bool find_database_in(const std::vector<Database>& databases, const std::string& name)
{
  return std::any_of(databases.begin(), databases.end(),
                     [&](const Database& d) { return d.name == name; });
}

Failure unknown_database(const Task& task, const toml::table& table, const std::string& file,
                         const std::vector<Database>& databases)
{
  std::vector<std::string> names;
  for (const auto& database : databases) {
    names.push_back(database.name);
  }
  const auto guess = closest_match(task.database, names);
  const std::string hint =
      guess ? fmt::format("did you mean \"{}\"?", *guess)
      : names.empty()
          ? fmt::format(R"(define it in the main config file: [databases.{}] conninfo = "...")",
                        task.database)
          : fmt::format("defined databases: {}", fmt::join(names, ", "));
  return fail(location_of(file, table["database"].node()->source()),
              fmt::format("unknown database \"{}\" in task \"{}\"", task.database, task.name),
              hint);
}

// Fills in the database of a SQL task that names none, and checks the one it names.
Status resolve_database(Task& task, const toml::table& table, const std::string& file,
                        const std::vector<Database>& databases)
{
  if (!task.database.empty()) {
    if (find_database_in(databases, task.database)) {
      return {};
    }
    return unknown_database(task, table, file, databases);
  }
  if (databases.size() == 1) {
    task.database = databases.front().name;
    return {};
  }
  if (databases.empty()) {
    return fail(task.origin,
                fmt::format("SQL task \"{}\" needs a database, and none is defined", task.name),
                R"(add a [databases.main] table with conninfo = "..." to the main config file)");
  }
  std::vector<std::string> names;
  for (const auto& database : databases) {
    names.push_back(database.name);
  }
  return fail(
      task.origin, fmt::format("task \"{}\" must say which database it uses", task.name),
      fmt::format("add database = \"{}\" (defined: {})", names.front(), fmt::join(names, ", ")));
}

Read<Task> parse_task(const toml::table& table, std::size_t index, const std::string& file,
                      const Config& base)
{
  Task task;
  task.origin = location_of(file, table.source());
  task.timeout = base.settings.timeout;
  task.kill_timeout = base.settings.kill_timeout;
  if (auto name = store(read_task_name(table, task.origin, index), task.name); !name) {
    return tl::unexpected(name.error());
  }
  if (table.contains("command") && table.contains("sql")) {
    return fail(location_of(file, table["sql"].node()->source()),
                fmt::format(R"(task "{}" has both "command" and "sql")", task.name),
                "a task is either a command or SQL; split it into two tasks");
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
  if (task.kind == TaskKind::sql) {
    if (auto resolved = resolve_database(task, table, file, base.databases); !resolved) {
      return tl::unexpected(resolved.error());
    }
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
                                    const Config& base)
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
    auto task = parse_task(*array->get(i)->as_table(), i, file, base);
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
  const std::vector<std::string> valid =
      role == FileRole::main ? std::vector<std::string>{"settings", "databases", "metrics", "task"}
                             : std::vector<std::string>{"task"};
  for (const auto& [key, value] : in_file_order(top)) {
    const Field field{file, "at top level", std::string(key->str()), *key, *value};
    if (role == FileRole::dropin &&
        (field.name == "settings" || field.name == "databases" || field.name == "metrics")) {
      return fail(location_of(file, key->source()),
                  fmt::format("[{}] is not allowed in a drop-in file", field.name),
                  fmt::format("{} belong in the main config file", field.name));
    }
    if (std::find(valid.begin(), valid.end(), field.name) == valid.end()) {
      return unknown_key(field, valid);
    }
  }
  return {};
}

// Reads the table `section` ([settings], [metrics]) of `top` with its `keys`; absent: defaults.
template <typename Target>
Read<Target> parse_section(const toml::table& top, const std::string& file,
                           std::string_view section, std::span<const KnownKey<Target>> keys)
{
  Target target;
  const auto it = top.find(section);
  if (it == top.end()) {
    return target;
  }
  const auto* table = it->second.as_table();
  if (table == nullptr) {
    return wrong_type({file, "at top level", std::string(section), it->first, it->second},
                      "a table");
  }
  const std::string owner = fmt::format("in [{}]", section);
  if (auto applied = apply_keys<Target>(*table, file, owner, keys, target); !applied) {
    return tl::unexpected(applied.error());
  }
  return target;
}

Read<Database> parse_database(const toml::key& key, const toml::node& node, const std::string& file)
{
  Database database;
  database.origin = location_of(file, key.source());
  const Field name_field{file, "in [databases]", std::string(key.str()), key, node};
  const std::string_view name = key.str();
  if (auto named = read_name({file, "in [databases]", "databases", key, node}, "database");
      !named && node.is_string()) {
    return tl::unexpected(named.error());
  }
  database.name = std::string(name);
  const auto* table = node.as_table();
  if (table == nullptr) {
    return wrong_type(name_field, "a table",
                      fmt::format(R"(write [databases.{}] with conninfo = "...")", name));
  }
  const std::string owner = fmt::format("in [databases.{}]", name);
  if (auto applied = apply_keys<Database>(*table, file, owner, k_database_keys, database);
      !applied) {
    return tl::unexpected(applied.error());
  }
  if (database.conninfo.empty()) {
    return fail(database.origin, fmt::format(R"([databases.{}] has no "conninfo")", name),
                R"(add conninfo = "host=/run/postgresql dbname=app user=app")");
  }
  if (database.password_file && database.password_credential) {
    return fail(
        database.origin,
        fmt::format(R"([databases.{}] has both "password_file" and "password_credential")", name),
        "keep one: the password comes from a file or from a systemd credential");
  }
  return database;
}

Read<std::vector<Database>> parse_databases(const toml::table& top, const std::string& file)
{
  std::vector<Database> databases;
  const auto it = top.find("databases");
  if (it == top.end()) {
    return databases;
  }
  const auto* table = it->second.as_table();
  if (table == nullptr) {
    return wrong_type({file, "at top level", "databases", it->first, it->second}, "a table",
                      R"(write [databases.main] with conninfo = "...")");
  }
  for (const auto& [key, value] : in_file_order(*table)) {
    auto database = parse_database(*key, *value, file);
    if (!database) {
      return tl::unexpected(database.error());
    }
    databases.push_back(std::move(*database));
  }
  return databases;
}

// Parses `text` as TOML; a syntax error keeps toml++'s wording and position.
Read<toml::table> parse_toml(std::string_view text, const std::string& origin)
{
  try {
    return toml::parse(text, std::string_view(origin));
  } catch (const toml::parse_error& error) {
    return fail(location_of(origin, error.source()), std::string(error.description()),
                "the file must be valid TOML (https://toml.io); check quotes, brackets and commas "
                "at this position");
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
  if (auto settings = store(parse_section<Settings>(*top, origin, "settings", k_settings_keys),
                            config.settings);
      !settings) {
    return tl::unexpected(settings.error());
  }
  if (auto metrics = store(parse_section<MetricsSettings>(*top, origin, "metrics", k_metrics_keys),
                           config.metrics);
      !metrics) {
    return tl::unexpected(metrics.error());
  }
  if (auto databases = store(parse_databases(*top, origin), config.databases); !databases) {
    return tl::unexpected(databases.error());
  }
  if (auto tasks = store(parse_tasks(*top, origin, config), config.tasks); !tasks) {
    return tl::unexpected(tasks.error());
  }
  config.sources.push_back(origin);
  return config;
}

tl::expected<std::vector<Task>, ConfigError>
parse_dropin(std::string_view text, const std::string& origin, const Config& main)
{
  const auto top = parse_toml(text, origin);
  if (!top) {
    return tl::unexpected(top.error());
  }
  if (auto checked = check_top_level(*top, origin, FileRole::dropin); !checked) {
    return tl::unexpected(checked.error());
  }
  return parse_tasks(*top, origin, main);
}

} // namespace pt
