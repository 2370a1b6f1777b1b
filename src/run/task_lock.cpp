// SPDX-License-Identifier: MIT
// Task locks are flock(2) locks on one file per task. flock belongs to the
// open file description, so the lock is released when the runner dies however
// it dies (no stale lock files to clean up), and O_CLOEXEC keeps task
// processes from inheriting — and so extending — the lock. The holder writes
// its pid into the file after locking so a second run can name it; the file is
// never deleted (deleting a locked file lets a third run lock a new inode).
#include "run/task_lock.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "util/fd.hpp"

namespace pt {

namespace {

class FileTaskLock final : public TaskLock
{
public:
  explicit FileTaskLock(UniqueFd fd) : m_fd(std::move(fd)) {}

private:
  UniqueFd m_fd; // closing it releases the flock
};

long read_holder_pid(int fd)
{
  char buffer[32] = {};
  const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0) {
    return 0;
  }
  return std::strtol(buffer, nullptr, 10);
}

// Best effort: the pid only improves the "already running" message. Written
// first, then the file cut to its length: truncating to 0 first would make
// ext4 write the file back to disk on close (its auto_da_alloc heuristic).
void write_own_pid(int fd, const std::string& text)
{
  // A failed write leaves the file empty, never naming an earlier holder.
  const auto written = ::pwrite(fd, text.data(), text.size(), 0);
  const off_t keep = written == static_cast<ssize_t>(text.size()) ? written : 0;
  [[maybe_unused]] const int truncated = ::ftruncate(fd, keep);
}

tl::expected<void, LockFailure> ensure_directory(const std::filesystem::path& directory)
{
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
    return tl::unexpected(LockFailure{LockFailure::Kind::error, 0,
                                      fmt::format("cannot create lock directory {}: {}",
                                                  directory.string(), std::strerror(errno))});
  }
  struct stat st
  {
  };
  if (::lstat(directory.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return tl::unexpected(
        LockFailure{LockFailure::Kind::error, 0,
                    fmt::format("lock directory {} is not a directory", directory.string())});
  }
  // Root shares the service user's RuntimeDirectory (a manual run must see the
  // timer's locks); anyone else trusts only their own or root's directory.
  if (::geteuid() != 0 && st.st_uid != ::geteuid() && st.st_uid != 0) {
    return tl::unexpected(LockFailure{LockFailure::Kind::error, 0,
                                      fmt::format("lock directory {} is owned by uid {}, not by us",
                                                  directory.string(), st.st_uid)});
  }
  return {};
}

} // namespace

tl::expected<std::unique_ptr<TaskLock>, LockFailure> FileTaskLocks::acquire(std::string_view task)
{
  // The directory is checked before the first lock of a run, and again only
  // if it has vanished since (then the open fails with ENOENT).
  if (!m_directory_checked) {
    if (auto ok = ensure_directory(m_directory); !ok) {
      return tl::unexpected(ok.error());
    }
    m_directory_checked = true;
  }
  const std::filesystem::path path = m_directory / (std::string(task) + ".lock");
  constexpr int k_flags = O_CREAT | O_CLOEXEC | O_NOFOLLOW;
  UniqueFd fd(::open(path.c_str(), O_RDWR | k_flags, 0644));
  if (fd.get() < 0 && errno == ENOENT) {
    if (auto ok = ensure_directory(m_directory); !ok) {
      return tl::unexpected(ok.error());
    }
    fd.reset(::open(path.c_str(), O_RDWR | k_flags, 0644));
  }
  bool writable = true;
  if (fd.get() < 0 && errno == EACCES) {
    // Another user's lock file (root's manual run vs the service user): flock
    // works on a read-only descriptor too; we just cannot record our pid.
    fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    writable = false;
  }
  if (fd.get() < 0) {
    return tl::unexpected(LockFailure{
        LockFailure::Kind::error, 0,
        fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno))});
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) {
      continue;
    }
    const int error = errno;
    LockFailure failure;
    if (error == EWOULDBLOCK) {
      failure = {LockFailure::Kind::held, read_holder_pid(fd.get()), {}};
    } else {
      failure = {LockFailure::Kind::error, 0,
                 fmt::format("cannot lock {}: {}", path.string(), std::strerror(error))};
    }
    return tl::unexpected(failure);
  }
  if (writable) {
    if (m_pid_line.empty()) {
      m_pid_line = fmt::format("{}\n", ::getpid());
    }
    write_own_pid(fd.get(), m_pid_line);
  }
  return std::make_unique<FileTaskLock>(std::move(fd));
}

LockState FileLockProbe::probe(std::string_view task) const
{
  std::string proc_locks;
  bool proc_read = false;
  for (const auto& directory : m_directories) {
    const std::filesystem::path path = directory / (std::string(task) + ".lock");
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
      continue;
    }
    struct stat st
    {
    };
    const bool ok = ::fstat(fd.get(), &st) == 0;
    const long pid_in_file = read_holder_pid(fd.get());
    if (!ok) {
      continue;
    }
    if (!proc_read) {
      std::ifstream in("/proc/locks");
      std::ostringstream text;
      text << in.rdbuf();
      proc_locks = text.str();
      proc_read = true;
    }
    if (auto pid = flock_holder(proc_locks, major(st.st_dev), minor(st.st_dev), st.st_ino)) {
      // The file names the last holder; /proc/locks the current one (0 or -1
      // when it lives in a pid namespace we cannot see into).
      return {true, *pid > 0 ? *pid : pid_in_file};
    }
  }
  return {};
}

std::optional<long> flock_holder(std::string_view proc_locks, unsigned major, unsigned minor,
                                 std::uint64_t inode)
{
  // "1: FLOCK  ADVISORY  WRITE 4711 00:1a:1234 0 EOF", see proc(5).
  std::istringstream lines{std::string(proc_locks)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string id, type, mode, access, pid, device;
    words >> id >> type;
    if (type == "->" || type != "FLOCK") {
      continue; // a waiter, or a POSIX/OFD lock or lease
    }
    words >> mode >> access >> pid >> device;
    if (access != "WRITE") {
      continue;
    }
    unsigned dev_major = 0;
    unsigned dev_minor = 0;
    std::uint64_t dev_inode = 0;
    char colon1 = 0;
    char colon2 = 0;
    std::istringstream dev(device);
    dev >> std::hex >> dev_major >> colon1 >> dev_minor >> colon2 >> std::dec >> dev_inode;
    if (!dev || colon1 != ':' || colon2 != ':') {
      continue;
    }
    if (dev_major == major && dev_minor == minor && dev_inode == inode) {
      long holder = 0;
      std::from_chars(pid.data(), pid.data() + pid.size(), holder);
      return holder;
    }
  }
  return std::nullopt;
}

std::filesystem::path default_lock_directory(const char* runtime_directory,
                                             const char* xdg_runtime_dir, unsigned uid,
                                             long system_dir_owner)
{
  if (runtime_directory != nullptr && *runtime_directory == '/') {
    // systemd may pass several directories separated by ':'; the first is ours.
    const std::string first =
        std::string(runtime_directory).substr(0, std::string(runtime_directory).find(':'));
    return first;
  }
  if (uid == 0 || system_dir_owner == static_cast<long>(uid)) {
    return k_system_lock_directory;
  }
  if (xdg_runtime_dir != nullptr && *xdg_runtime_dir == '/') {
    return std::filesystem::path(xdg_runtime_dir) / "periodic-tasks";
  }
  return fmt::format("/tmp/periodic-tasks-{}", uid);
}

} // namespace pt
