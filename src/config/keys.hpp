// SPDX-License-Identifier: MIT
// The config's tables of known keys: each key of the top level, [settings],
// [metrics], [databases.NAME] and [[task]], the reader that fills its member,
// and the rules as columns (which task kinds take a key, which top-level keys a
// drop-in may hold, which key decides a task's kind).
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "config/values.hpp"

namespace pt::config_keys {

// A key and how it fills its member of `Target`.
template <typename Target>
struct KnownKey
{
  std::string_view name;
  config_values::Status (*apply)(Target&, const config_values::Field&);
};

// Whether a drop-in file may hold a top-level key; the main file may hold them all.
enum class InDropin { refused, allowed };

struct TopLevelKey
{
  std::string_view name;
  InDropin in_dropin;
};

// A task kind and the key that only that kind has.
struct TaskKindSpec
{
  TaskKind kind;
  std::string_view defining_key;
  std::string_view noun;    // in "a task is either a command or SQL"
  std::string_view example; // the hint when a task has no kind's defining key
};

// Returns the keys of [settings], [metrics], [cluster] and [databases.NAME].
std::span<const KnownKey<Settings>> settings_keys();
std::span<const KnownKey<MetricsSettings>> metrics_keys();
std::span<const KnownKey<ClusterSettings>> cluster_keys();
std::span<const KnownKey<Database>> database_keys();

// Returns every top-level key, in the order "valid keys" lists them.
std::span<const TopLevelKey> top_level_keys();

// Returns every task kind, in the enum's order.
std::span<const TaskKindSpec> task_kinds();

// Returns the keys a task of `kind` accepts, in the order "valid keys" lists them.
std::vector<KnownKey<Task>> task_keys_of(TaskKind kind);

} // namespace pt::config_keys
