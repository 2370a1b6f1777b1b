// SPDX-License-Identifier: MIT
// Adding a key is a line in a table here plus a reader in values.cpp; adding a
// task kind is a case in spec_of(), which the compiler asks for.
#include "config/keys.hpp"

#include <algorithm>
#include <array>

namespace pt::config_keys {
namespace {

using namespace config_values;

constexpr auto k_settings_keys = std::to_array<KnownKey<Settings>>({
    {"timezone",
     [](Settings& s, const Field& f) {
       s.timezone_origin = location_of(f.file, f.value.source()); // the loader checks the zone
       return store(read_timezone(f), s.timezone);
     }},
    {"timeout", [](Settings& s, const Field& f) { return store(read_timeout(f), s.timeout); }},
    {"kill_timeout",
     [](Settings& s, const Field& f) { return store(read_kill_timeout(f), s.kill_timeout); }},
    {"output_limit",
     [](Settings& s, const Field& f) { return store(read_size(f), s.output_limit); }},
});

constexpr auto k_metrics_keys = std::to_array<KnownKey<MetricsSettings>>({
    {"textfile",
     [](MetricsSettings& m, const Field& f) { return store(read_textfile_path(f), m.textfile); }},
});

constexpr auto k_cluster_keys = std::to_array<KnownKey<ClusterSettings>>({
    {"database",
     [](ClusterSettings& c, const Field& f) { return store(read_string(f), c.database); }},
    {"lease", [](ClusterSettings& c, const Field& f) { return store(read_lease(f), c.lease); }},
    {"retention",
     [](ClusterSettings& c, const Field& f) {
       c.retention_origin = location_of(f.file, f.value.source());
       return store(read_positive_span(f, R"(finished claims must be pruned some day; use a )"
                                          R"(span longer than every catch_up_window, e.g. "35d")"),
                    c.retention);
     }},
    {"max_clock_skew",
     [](ClusterSettings& c, const Field& f) {
       return store(read_positive_span(f, R"(use a span such as "30s")"), c.max_clock_skew);
     }},
});

// Every key of a [databases.NAME] table.
constexpr auto k_database_keys = std::to_array<KnownKey<Database>>({
    {"conninfo", [](Database& d, const Field& f) { return store(read_string(f), d.conninfo); }},
    {"password_file",
     [](Database& d, const Field& f) { return store(read_absolute_path(f), d.password_file); }},
    {"password_credential",
     [](Database& d, const Field& f) {
       return store(read_credential_name(f), d.password_credential);
     }},
    {"connect_timeout",
     [](Database& d, const Field& f) { return store(read_connect_timeout(f), d.connect_timeout); }},
});

// Every top-level key, in the order "valid keys" lists them.
constexpr auto k_top_level_keys = std::to_array<TopLevelKey>({
    {"settings", InDropin::refused},
    {"databases", InDropin::refused},
    {"metrics", InDropin::refused},
    {"cluster", InDropin::refused},
    {"task", InDropin::allowed},
});

// --- Task kinds: each is decided by the key that only that kind has --------

constexpr TaskKindSpec spec_of(TaskKind kind)
{
  switch (kind) {
  case TaskKind::command:
    return {kind, "command", "a command", R"(command = ["/usr/bin/app", "--flag"])"};
  case TaskKind::sql:
    return {kind, "sql", "SQL", R"(sql = "SELECT ...")"};
  }
  return {kind, {}, {}, {}};
}

// Every kind, in the enum's order; a kind missing here stops the build below.
constexpr auto k_task_kinds = std::to_array({spec_of(TaskKind::command), spec_of(TaskKind::sql)});
static_assert(spec_of(static_cast<TaskKind>(k_task_kinds.size())).defining_key.empty(),
              "k_task_kinds must list every TaskKind");

// The task kinds a key applies to, one bit per kind.
using KindSet = unsigned;

constexpr KindSet only(TaskKind kind)
{
  return 1U << static_cast<unsigned>(kind);
}

constexpr KindSet k_every_kind = [] {
  KindSet all = 0;
  for (const auto& spec : k_task_kinds) {
    all |= only(spec.kind);
  }
  return all;
}();

struct TaskKey
{
  std::string_view name;
  KindSet kinds;
  Status (*apply)(Task&, const Field&);
};

// Every key of a [[task]] table and the kinds that take it, in the order
// "valid keys" lists them; docs/configuration.md lists the same.
constexpr auto k_task_keys = std::to_array<TaskKey>({
    {"name", k_every_kind, [](Task&, const Field&) { return Status{}; }}, // read first, see the top
    {"description", k_every_kind,
     [](Task& t, const Field& f) { return store(read_string(f), t.description); }},
    {"enabled", k_every_kind,
     [](Task& t, const Field& f) { return store(read_bool(f), t.enabled); }},
    {"command", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_command(f), t.command); }},
    {"working_directory", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_absolute_path(f), t.working_directory); }},
    {"environment", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_environment(f), t.environment); }},
    {"database", only(TaskKind::sql),
     [](Task& t, const Field& f) { return store(read_string(f), t.database); }},
    {"sql", only(TaskKind::sql),
     [](Task& t, const Field& f) { return store(read_statements(f), t.sql); }},
    {"params", only(TaskKind::sql),
     [](Task& t, const Field& f) { return store(read_params(f), t.params); }},
    {"timeout", k_every_kind,
     [](Task& t, const Field& f) { return store(read_timeout(f), t.timeout); }},
    {"kill_timeout", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_kill_timeout(f), t.kill_timeout); }},
    {"success_exit_codes", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_exit_codes(f), t.success_exit_codes); }},
    {"dry_run_args", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_string_array(f), t.dry_run_args); }},
    {"retries", k_every_kind,
     [](Task& t, const Field& f) { return store(read_retries(f), t.retries); }},
    {"retry_delay", k_every_kind,
     [](Task& t, const Field& f) { return store(read_retry_delay(f), t.retry_delay); }},
    {"retry_exit_codes", only(TaskKind::command),
     [](Task& t, const Field& f) { return store(read_exit_codes(f), t.retry_exit_codes); }},
    {"schedule", k_every_kind,
     [](Task& t, const Field& f) { return store(read_schedule(f), t.schedule); }},
    {"catch_up", k_every_kind,
     [](Task& t, const Field& f) { return store(read_catch_up(f), t.catch_up); }},
    {"catch_up_window", k_every_kind,
     [](Task& t, const Field& f) { return store(read_catch_up_window(f), t.catch_up_window); }},
    {"randomized_delay", k_every_kind,
     [](Task& t, const Field& f) { return store(read_randomized_delay(f), t.randomized_delay); }},
    {"accuracy", k_every_kind,
     [](Task& t, const Field& f) { return store(read_accuracy(f), t.accuracy); }},
    {"exclusive", k_every_kind,
     [](Task& t, const Field& f) { return store(read_exclusive(f), t.exclusive); }},
});

// A kind's defining key is a key of that kind alone.
static_assert(std::ranges::all_of(k_task_kinds, [](const TaskKindSpec& spec) {
  return std::ranges::any_of(k_task_keys, [&](const TaskKey& key) {
    return key.name == spec.defining_key && key.kinds == only(spec.kind);
  });
}));

} // namespace

std::span<const KnownKey<Settings>> settings_keys()
{
  return k_settings_keys;
}

std::span<const KnownKey<MetricsSettings>> metrics_keys()
{
  return k_metrics_keys;
}

std::span<const KnownKey<ClusterSettings>> cluster_keys()
{
  return k_cluster_keys;
}

std::span<const KnownKey<Database>> database_keys()
{
  return k_database_keys;
}

std::span<const TopLevelKey> top_level_keys()
{
  return k_top_level_keys;
}

std::span<const TaskKindSpec> task_kinds()
{
  return k_task_kinds;
}

std::vector<KnownKey<Task>> task_keys_of(TaskKind kind)
{
  std::vector<KnownKey<Task>> keys;
  for (const auto& key : k_task_keys) {
    if ((key.kinds & only(kind)) != 0) {
      keys.push_back({key.name, key.apply});
    }
  }
  return keys;
}

} // namespace pt::config_keys
