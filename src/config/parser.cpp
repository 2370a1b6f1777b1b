// SPDX-License-Identifier: MIT
// TOML text -> Config; the only file that includes toml++.
//
// The parts that need care:
// - toml++ keeps a table's keys in a sorted map, not in file order. We walk
//   keys by source position, so the error reported is the first one in the
//   file and `environment` keeps the order the administrator wrote.
// - Every table is checked against a table of known keys (keys.cpp: one each
//   for the top level, [settings], [metrics] and [databases.NAME], one for tasks);
//   the same table drives "did you mean" hints. The rules are columns of the
//   tables, not lists of their own: which kinds take a task key, which
//   top-level keys a drop-in may hold, which key decides a task's kind. So
//   adding a key is a line in a table plus a reader, and adding a task kind
//   is a case in spec_of(), which the compiler asks for.
// - Task defaults come from [settings], which may stand after the tasks in
//   the file, so [settings] is read first.
// - A task's name is read before its other keys: every message names the task.
#include "config/parser.hpp"

#include <algorithm>
#include <array>
#include <span>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/keys.hpp"
#include "config/values.hpp"
#include "util/suggest.hpp"

namespace pt {
namespace {

using namespace config_keys;
using namespace config_values;

// --- Key names --------------------------------------------------------------

bool allowed_in(const TopLevelKey& key, FileRole role)
{
  switch (role) {
  case FileRole::main:
    return true;
  case FileRole::dropin:
    return key.in_dropin == InDropin::allowed;
  }
  return false;
}

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

// Returns the kind whose defining key `table` has; a task with two is an error.
Read<const TaskKindSpec*> kind_of(const toml::table& table, const Task& task,
                                  const std::string& file)
{
  const TaskKindSpec* found = nullptr;
  for (const auto& spec : task_kinds()) {
    if (!table.contains(spec.defining_key)) {
      continue;
    }
    if (found != nullptr) {
      std::vector<std::string_view> nouns;
      for (const auto& each : task_kinds()) {
        nouns.push_back(each.noun);
      }
      return fail(
          location_of(file, table[spec.defining_key].node()->source()),
          fmt::format(R"(task "{}" has both "{}" and "{}")", task.name, found->defining_key,
                      spec.defining_key),
          fmt::format("a task is either {}; split it into two tasks", fmt::join(nouns, " or ")));
    }
    found = &spec;
  }
  // No defining key: the first kind's keys apply, and the missing key is
  // reported after the other keys (a misspelt "comand" is a typo, not a missing command).
  return found != nullptr ? found : &task_kinds().front();
}

Failure missing_kind(const Task& task)
{
  std::vector<std::string> keys;
  keys.reserve(task_kinds().size());
  for (const auto& spec : task_kinds()) {
    keys.push_back(fmt::format("\"{}\"", spec.defining_key));
  }
  return fail(task.origin, fmt::format("task \"{}\" has no {}", task.name, fmt::join(keys, " or ")),
              fmt::format("add {}", task_kinds().front().example));
}

bool find_database_in(const std::vector<Database>& databases, const std::string& name)
{
  return std::any_of(databases.begin(), databases.end(),
                     [&](const Database& d) { return d.name == name; });
}

// Returns the names of `databases`, in file order.
std::vector<std::string> database_names(const std::vector<Database>& databases)
{
  std::vector<std::string> names;
  names.reserve(databases.size());
  for (const auto& database : databases) {
    names.push_back(database.name);
  }
  return names;
}

Failure unknown_database(const Task& task, const toml::table& table, const std::string& file,
                         const std::vector<Database>& databases)
{
  const std::vector<std::string> names = database_names(databases);
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
  const std::vector<std::string> names = database_names(databases);
  return fail(
      task.origin, fmt::format("task \"{}\" must say which database it uses", task.name),
      fmt::format("add database = \"{}\" (defined: {})", names.front(), fmt::join(names, ", ")));
}

// Checks what a task of each kind needs beyond its own keys.
Status resolve_kind(Task& task, const toml::table& table, const std::string& file,
                    const Config& base)
{
  switch (task.kind) {
  case TaskKind::command:
    return {};
  case TaskKind::sql:
    return resolve_database(task, table, file, base.databases);
  }
  return {};
}

// The keys that only mean something for a task with a `schedule`.
constexpr std::array k_schedule_only_keys{"catch_up", "catch_up_window", "randomized_delay",
                                          "accuracy"};

// Parses each of the task's calendar expressions in settings.timezone (the
// zone of an expression that names none), or says where it goes wrong.
Status resolve_schedule(Task& task, const toml::table& table, const std::string& file,
                        const Config& base)
{
  if (task.schedule.empty()) {
    for (const char* key : k_schedule_only_keys) {
      if (const toml::node* value = table.get(key)) {
        return fail(
            location_of(file, value->source()),
            fmt::format(R"("{}" in task "{}" is for a task with a "schedule", and it has none)",
                        key, task.name),
            fmt::format(R"(add a schedule such as schedule = "daily" (systemd's calendar )"
                        R"(syntax), or remove "{}")",
                        key));
      }
    }
    return {};
  }
  for (Schedule& schedule : task.schedule) {
    auto spec = parse_calendar(schedule.text, base.settings.timezone);
    if (!spec) {
      SourceLocation where = schedule.where;
      where.column += spec.error().column - 1;
      return fail(where,
                  fmt::format(R"(invalid schedule "{}" in task "{}": {})", schedule.text, task.name,
                              spec.error().message),
                  spec.error().hint.empty()
                      ? std::string(R"(see systemd.time(7), e.g. "Mon *-*-* 08:00:00" or "hourly")")
                      : spec.error().hint);
    }
    if (spec->dst >= 0) {
      // systemd reads "CET" in the host's local zone, which need not be ours.
      SourceLocation where = schedule.where;
      where.column += static_cast<int>(schedule.text.rfind(spec->dst_name));
      return fail(
          where,
          fmt::format(R"("{}" in the schedule of task "{}" is an abbreviation of )"
                      R"(settings.timezone ({}), which systemd would read in the host's )"
                      R"(local zone)",
                      spec->dst_name, task.name, base.settings.timezone),
          fmt::format(R"(write the zone's name instead, e.g. "{}")", base.settings.timezone));
    }
    schedule.spec = std::move(*spec);
  }
  return {};
}

// Resolves how exclusive the task is, and checks what cluster mode asks of
// it: a [cluster] to be exclusive in, a kill that ends before the claim could
// be taken over, and finished claims kept for longer than it catches up.
Status resolve_exclusive(Task& task, const toml::table& table, const std::string& file,
                         const Config& base)
{
  const toml::node* set = table.get("exclusive");
  if (set == nullptr) {
    task.exclusive = base.cluster ? Exclusive::cluster : Exclusive::host;
  }
  if (task.exclusive != Exclusive::cluster) {
    return {};
  }
  const SourceLocation where = set != nullptr ? location_of(file, set->source()) : task.origin;
  if (!base.cluster) {
    return fail(where,
                fmt::format(R"(task "{}" is exclusive = "cluster", and the config has no )"
                            R"([cluster])",
                            task.name),
                R"(add [cluster] with database = "..." to the main config file, or write )"
                R"(exclusive = "host")");
  }
  const ClusterSettings& cluster = *base.cluster;
  if (task.kind == TaskKind::command && task.kill_timeout * 2 >= cluster.lease) {
    const toml::node* kill = table.get("kill_timeout");
    return fail(kill != nullptr ? location_of(file, kill->source()) : where,
                fmt::format(R"(task "{}" could outlive its claim: kill_timeout ({}) must be )"
                            R"(below half the cluster lease ({}))",
                            task.name, format_timespan(task.kill_timeout),
                            format_timespan(cluster.lease)),
                "a host that loses the database stops its task at lease/2 and must have killed "
                "it before another host may take the slot over at the lease's end; shorten "
                "kill_timeout or lengthen [cluster] lease");
  }
  if (!task.schedule.empty() && task.catch_up != CatchUp::none &&
      cluster.retention <= task.catch_up_window) {
    const toml::node* window = table.get("catch_up_window");
    return fail(window != nullptr ? location_of(file, window->source()) : where,
                fmt::format(R"(task "{}" catches up on {} of slots, and [cluster] keeps finished )"
                            R"(claims for {} only)",
                            task.name, format_timespan(task.catch_up_window),
                            format_timespan(cluster.retention)),
                fmt::format("retention (at {}) must exceed every catch_up_window, or a host back "
                            "from an outage could not tell a pruned slot from a missed one",
                            format_location(cluster.retention_origin)));
  }
  return {};
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
  const auto kind = kind_of(table, task, file);
  if (!kind) {
    return tl::unexpected(kind.error());
  }
  task.kind = (*kind)->kind;
  const std::string owner = fmt::format("in task \"{}\"", task.name);
  const auto keys = task_keys_of(task.kind);
  if (auto applied = apply_keys<Task>(table, file, owner, keys, task); !applied) {
    return tl::unexpected(applied.error());
  }
  if (!table.contains((*kind)->defining_key)) {
    return missing_kind(task);
  }
  if (auto resolved = resolve_kind(task, table, file, base); !resolved) {
    return tl::unexpected(resolved.error());
  }
  if (auto resolved = resolve_schedule(task, table, file, base); !resolved) {
    return tl::unexpected(resolved.error());
  }
  if (auto resolved = resolve_exclusive(task, table, file, base); !resolved) {
    return tl::unexpected(resolved.error());
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

// Checks that `top` holds only top-level keys that a file of `role` may hold.
Status check_top_level(const toml::table& top, const std::string& file, FileRole role)
{
  std::vector<std::string> valid;
  for (const auto& key : top_level_keys()) {
    if (allowed_in(key, role)) {
      valid.emplace_back(key.name);
    }
  }
  for (const auto& [key, value] : in_file_order(top)) {
    const Field field{file, "at top level", std::string(key->str()), *key, *value};
    const auto known = std::ranges::find(top_level_keys(), field.name, &TopLevelKey::name);
    if (known == top_level_keys().end()) {
      return unknown_key(field, valid);
    }
    if (!allowed_in(*known, role)) {
      return fail(location_of(file, key->source()),
                  fmt::format("[{}] is not allowed in a drop-in file", field.name),
                  fmt::format("{} belong in the main config file", field.name));
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
  // The name is a key, not a string value: checked where the header names it.
  if (auto named = check_name(name, database.origin, "database"); !named) {
    return tl::unexpected(named.error());
  }
  database.name = std::string(name);
  const auto* table = node.as_table();
  if (table == nullptr) {
    return wrong_type(name_field, "a table",
                      fmt::format(R"(write [databases.{}] with conninfo = "...")", name));
  }
  const std::string owner = fmt::format("in [databases.{}]", name);
  if (auto applied = apply_keys<Database>(*table, file, owner, database_keys(), database);
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

// Reads [cluster]: absent, single-host mode; present, it names a database.
Read<std::optional<ClusterSettings>> parse_cluster(const toml::table& top, const std::string& file,
                                                   const std::vector<Database>& databases)
{
  const auto it = top.find("cluster");
  if (it == top.end()) {
    return std::nullopt;
  }
  auto cluster = parse_section<ClusterSettings>(top, file, "cluster", cluster_keys());
  if (!cluster) {
    return tl::unexpected(cluster.error());
  }
  cluster->origin = location_of(file, it->second.source());
  if (cluster->retention_origin.file.empty()) {
    cluster->retention_origin = cluster->origin;
  }
  const auto* table = it->second.as_table();
  const toml::node* named = table->get("database");
  const std::vector<std::string> names = database_names(databases);
  if (named == nullptr) {
    return fail(cluster->origin, R"([cluster] has no "database")",
                names.empty() ? std::string(R"(add a [databases.main] table with conninfo = )"
                                            R"("..." and database = "main" in [cluster])")
                              : fmt::format(R"(add database = "{}" (defined: {}))", names.front(),
                                            fmt::join(names, ", ")));
  }
  if (!find_database_in(databases, cluster->database)) {
    return fail(
        location_of(file, named->source()),
        fmt::format(R"([cluster] names database "{}", which is not defined)", cluster->database),
        names.empty()
            ? std::string(R"(add [databases.)") + cluster->database + R"(] with conninfo = "...")"
            : fmt::format("defined: {}", fmt::join(names, ", ")));
  }
  return cluster;
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
  if (auto settings = store(parse_section<Settings>(*top, origin, "settings", settings_keys()),
                            config.settings);
      !settings) {
    return tl::unexpected(settings.error());
  }
  if (auto metrics = store(parse_section<MetricsSettings>(*top, origin, "metrics", metrics_keys()),
                           config.metrics);
      !metrics) {
    return tl::unexpected(metrics.error());
  }
  if (auto databases = store(parse_databases(*top, origin), config.databases); !databases) {
    return tl::unexpected(databases.error());
  }
  if (auto cluster = store(parse_cluster(*top, origin, config.databases), config.cluster);
      !cluster) {
    return tl::unexpected(cluster.error());
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
