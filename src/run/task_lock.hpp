// SPDX-License-Identifier: MIT
// One exclusive lock per task, so that two runs never run the same task at once.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <tl/expected.hpp>

#include "util/fd.hpp"

namespace pt {

// Held while it lives.
class TaskLock
{
public:
  virtual ~TaskLock() = default;
};

struct LockFailure
{
  enum class Kind { held, error } kind = Kind::error;
  long holder_pid = 0; // held: the pid that holds it, 0 if unknown
  std::string message; // error: why the lock could not be taken
};

class TaskLocks
{
public:
  virtual ~TaskLocks() = default;
  // Takes the lock for `task` without waiting.
  virtual tl::expected<std::unique_ptr<TaskLock>, LockFailure> acquire(std::string_view task) = 0;
};

// flock(2) on DIR/<task>.lock, close-on-exec, holding the owner's pid. DIR must
// be a real directory owned by us or root (for root: by anyone) that group and
// others cannot write; a lock path that is not a regular file with one link,
// owned by us, root or DIR's owner, is an error naming it and the fix.
class FileTaskLocks final : public TaskLocks
{
public:
  explicit FileTaskLocks(std::filesystem::path directory) : m_directory(std::move(directory)) {}
  tl::expected<std::unique_ptr<TaskLock>, LockFailure> acquire(std::string_view task) override;
  const std::filesystem::path& directory() const { return m_directory; }

private:
  tl::expected<void, LockFailure> open_directory();

  std::filesystem::path m_directory;
  UniqueFd m_directory_fd; // opened and checked once per run, again if it vanished
  long m_directory_owner = -1;
  uid_t m_euid = 0;       // geteuid(), read with the directory
  std::string m_pid_line; // "PID\n", written into each lock file of our own that we take
};

// Whether a task's lock is held right now, and by whom.
struct LockState
{
  bool held = false;
  long holder_pid = 0; // 0 if unknown
};

// Looks at locks without taking them: a probe that took the lock, even for a
// moment, could make a run starting at that moment skip the task.
class LockProbe
{
public:
  virtual ~LockProbe() = default;
  virtual LockState probe(std::string_view task) const = 0;
};

// Finds DIR/<task>.lock's inode in /proc/locks, in each of `directories`.
class FileLockProbe final : public LockProbe
{
public:
  explicit FileLockProbe(std::vector<std::filesystem::path> directories)
      : m_directories(std::move(directories))
  {
  }
  LockState probe(std::string_view task) const override;

private:
  std::vector<std::filesystem::path> m_directories;
};

// Returns the pid holding an exclusive flock on device major:minor, inode
// `inode`, according to `proc_locks` (the text of /proc/locks), or nullopt
// when no such lock is listed. Waiters ("->" lines) and other lock kinds do not count.
std::optional<long> flock_holder(std::string_view proc_locks, unsigned major, unsigned minor,
                                 std::uint64_t inode);

inline constexpr const char* k_system_lock_directory = "/run/periodic-tasks";

// Returns where locks live: $RUNTIME_DIRECTORY, else /run/periodic-tasks when
// running as root or as the user that owns it (`system_dir_owner`: its owner,
// -1 when it does not exist), so a manual run excludes the timer's run of the
// same task; else $XDG_RUNTIME_DIR/periodic-tasks, else /tmp/periodic-tasks-<uid>.
std::filesystem::path default_lock_directory(const char* runtime_directory,
                                             const char* xdg_runtime_dir, unsigned uid,
                                             long system_dir_owner);

} // namespace pt
