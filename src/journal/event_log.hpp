// SPDX-License-Identifier: MIT
// Structured log records and the seam they leave through (journal or stderr).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pt {

enum class Priority { err = 3, warning = 4, notice = 5, info = 6, debug = 7 };

struct Field
{
  // Takes the name as a view, so that the constants of journal/fields.hpp make fields.
  Field(std::string_view field_name, std::string field_value)
      : name(field_name), value(std::move(field_value))
  {
  }

  std::string name; // journal field name (journal/fields.hpp): upper case, digits, underscore
  std::string value;
};

struct Record
{
  Priority priority = Priority::info;
  std::string message;
  std::string_view message_id; // 32 hex digits from message_id below, or empty
  std::vector<Field> fields;

  // Returns the value of field `name`, or an empty view.
  std::string_view field(std::string_view name) const;
};

class EventLog
{
public:
  virtual ~EventLog() = default;
  // Writes `record`; never throws, never blocks the run on a missing journal.
  virtual void emit(const Record& record) = 0;
};

// Stable MESSAGE_IDs, one per event type (a contract; catalog entries key on them).
namespace message_id {
inline constexpr std::string_view run_started = "0004605027dad2bf2ecc5a79b94c54b1";
inline constexpr std::string_view run_finished = "cbeb053f997f24859ec4f7fdcbd4f5e7";
inline constexpr std::string_view run_interrupted = "ba06c083762110f0a9da119a84571d72";
inline constexpr std::string_view task_started = "7b2a2268eac6127811bb2d9d43ebd066";
inline constexpr std::string_view task_succeeded = "54023f668d49437b9239113b3a325913";
inline constexpr std::string_view task_failed = "7b5661d99ec327365b52827f8d6aecf5";
inline constexpr std::string_view task_timed_out = "c8712170e5fb5d1040243e4b94728248";
inline constexpr std::string_view task_killed = "6733555fbc14ce7fc7b409df39a6b745";
inline constexpr std::string_view task_error = "0734f72377bdfffce0ecc92356ced544";
inline constexpr std::string_view task_retry = "8fc16162a623aadcd81e708a2330bb8d";
inline constexpr std::string_view task_skipped = "214fd5d8aac4986e1fa1fa50391712da";
inline constexpr std::string_view task_output = "46afe2d4e33b59d805ecce4e04db1eda";
inline constexpr std::string_view output_suppressed = "b871374cfa51d98ee1893b7471dbf2ed";
inline constexpr std::string_view metrics_failed = "0699458340c53a27361658a2abdfeb25";
inline constexpr std::string_view slots_planned = "ab140215211047669c84dec3547937de";
} // namespace message_id

} // namespace pt
