// SPDX-License-Identifier: MIT
// Where a scheduled task's last completed slot is kept between runs (host state).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "schedule/slots.hpp"
#include "util/fd.hpp"

namespace pt {

class SlotStore
{
public:
  virtual ~SlotStore() = default;
  // Returns the state of `task`, nullopt when it has none, or an error naming
  // the file and the fix (unreadable, untrusted or corrupt: never "none").
  virtual tl::expected<std::optional<SlotState>, std::string> load(std::string_view task) = 0;
  // Replaces the state of `task`, durably when it returns; or says why not.
  virtual tl::expected<void, std::string> save(std::string_view task, const SlotState& state) = 0;
};

// One file per task, DIR/<task>, replaced atomically (temp file, fsync,
// rename, fsync of DIR). DIR is created on the first save; it must be a real
// directory owned by us or root (for root: by anyone) that group and others
// cannot write, and a state file a regular file with one name owned by us,
// root or DIR's owner: anyone else could make a task skip its slots.
class FileSlotStore final : public SlotStore
{
public:
  explicit FileSlotStore(std::filesystem::path directory) : m_directory(std::move(directory)) {}
  tl::expected<std::optional<SlotState>, std::string> load(std::string_view task) override;
  tl::expected<void, std::string> save(std::string_view task, const SlotState& state) override;
  const std::filesystem::path& directory() const { return m_directory; }

private:
  enum class Create { no, yes };
  tl::expected<bool, std::string> open_directory(Create create);

  std::filesystem::path m_directory;
  UniqueFd m_directory_fd;
  long m_directory_owner = -1;
};

inline constexpr const char* k_system_state_directory = "/var/lib/periodic-tasks";

// Returns the directory of the slot files: "slots" in the first of the
// colon-separated `state_directory` ($STATE_DIRECTORY, systemd's
// StateDirectory=), else in /var/lib/periodic-tasks.
std::filesystem::path default_slot_directory(const char* state_directory);

// Returns the text of a slot file holding `state`.
std::string format_slot_state(const SlotState& state);

// Parses the text of a slot file; an error says which line and what is wrong.
tl::expected<SlotState, std::string> parse_slot_state(std::string_view text);

// Parses "2026-12-07T07:00:00Z" or "2026-12-07T07:00:00.500000Z" (what
// format_utc_timestamp() writes); nullopt for anything else.
std::optional<SlotTime> parse_utc_timestamp(std::string_view text);

} // namespace pt
