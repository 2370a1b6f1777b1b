// SPDX-License-Identifier: MIT
// Readers for the config parser: one TOML value -> one C++ value, or a
// ConfigError naming file, line, column, key and owner. Internal to the
// config parser (config/parser.cpp and config/values.cpp are the only
// files that include toml++).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>
#include <toml++/toml.h>

#include "config/config.hpp"

namespace pt::config_values {

inline constexpr std::size_t k_max_name = 64;
inline constexpr int k_max_retries = 100;

using Status = tl::expected<void, ConfigError>;
using Failure = tl::unexpected<ConfigError>;
template <typename T>
using Read = tl::expected<T, ConfigError>;

// One value being read, with what messages need to name it.
struct Field
{
  const std::string& file;
  std::string_view owner; // "in task \"backup\"", "in [settings]" or "at top level"
  std::string name;       // as messages quote it: "timeout", "environment.HOME"
  const toml::key& key;
  const toml::node& value;
};

struct Entry
{
  const toml::key* key;
  const toml::node* value;
};

// Stores a read `value` in `slot`, or passes its error on.
template <typename Value, typename Slot>
Status store(Read<Value> value, Slot& slot)
{
  if (!value) {
    return tl::unexpected(value.error());
  }
  slot = std::move(*value);
  return {};
}

// Returns the 1-based position of `region` in `file`.
SourceLocation location_of(const std::string& file, const toml::source_region& region);

// Returns an error at `where`.
Failure fail(SourceLocation where, std::string problem, std::string hint = {});

// Returns an error at `node` (an element of `field`), or at the field's value.
Failure fail_at(const Field& field, const toml::node& node, std::string problem,
                std::string hint = {});
Failure fail_at(const Field& field, std::string problem, std::string hint = {});

// Returns `"name" in task "x" must be EXPECTED, not a TYPE`.
Failure wrong_type(const Field& field, std::string_view expected, std::string hint = {});
Failure wrong_element_type(const Field& field, std::size_t index, const toml::node& element,
                           std::string_view expected);

// Returns an "unknown key" error with a "did you mean" or the list of `valid` keys.
Failure unknown_key(const Field& field, const std::vector<std::string>& valid);

// Returns the entries of `table` in the order they appear in the file.
std::vector<Entry> in_file_order(const toml::table& table);

// Each reader checks type and value of `field` and returns it, or the error.
Read<std::string> read_string(const Field& field, std::string_view expected = "a string");
Read<bool> read_bool(const Field& field);
Read<std::vector<std::string>> read_string_array(const Field& field);
Read<Duration> read_duration(const Field& field);
Read<Duration> read_timeout(const Field& field);   // > 0, or "infinity"
Read<std::uint64_t> read_size(const Field& field); // "1MiB" or bytes
Read<std::string> read_timezone(const Field& field);
Read<std::string> read_absolute_path(const Field& field);
Read<std::string> read_textfile_path(const Field& field); // absolute, a file name ending in .prom
Read<std::vector<std::string>> read_command(const Field& field);
Read<std::vector<std::pair<std::string, std::string>>> read_environment(const Field& field);
Read<std::vector<int>> read_exit_codes(const Field& field);
Read<std::vector<std::string>> read_statements(const Field& field); // string or array
Read<std::vector<std::string>> read_params(const Field& field);     // run-context names
Read<int> read_retries(const Field& field);
// A calendar expression or a non-empty array of them, each with where its text
// starts (the spec is parsed by the parser, which knows settings.timezone).
Read<std::vector<Schedule>> read_schedule(const Field& field);
Read<CatchUp> read_catch_up(const Field& field);    // "all", "latest" or "none"
Read<Exclusive> read_exclusive(const Field& field); // "cluster", "host" or "none"
Read<Duration> read_lease(const Field& field);      // finite, at least k_min_lease
Read<Duration> read_positive_span(const Field& field, std::string_view why); // > 0, finite
Read<Duration> read_catch_up_window(const Field& field);                     // > 0 and finite
Read<Duration> read_randomized_delay(const Field& field);                    // finite
Read<Duration> read_accuracy(const Field& field);                            // > 0 and finite
Read<std::string> read_credential_name(const Field& field);                  // a file name, no "/"
Read<Duration> read_finite_duration(const Field& field, std::string_view why); // not "infinity"
Read<Duration> read_kill_timeout(const Field& field);    // finite; "0" is SIGKILL at once
Read<Duration> read_retry_delay(const Field& field);     // finite
Read<Duration> read_connect_timeout(const Field& field); // > 0 and finite
Read<std::string> read_name(const Field& field, std::string_view what); // task/database name rule
// Checks `name` against the task/database name rule; the error is at `where`.
Status check_name(std::string_view name, const SourceLocation& where, std::string_view what);

} // namespace pt::config_values
