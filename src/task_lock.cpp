// SPDX-License-Identifier: MIT
// Task locks are flock(2) locks on one file per task. flock belongs to the
// open file description, so the lock is released when the runner dies however
// it dies (no stale lock files to clean up), and O_CLOEXEC keeps task
// processes from inheriting — and so extending — the lock. The holder writes
// its pid into the file after locking so a second run can name it; the file is
// never deleted (deleting a locked file lets a third run lock a new inode).
#include "task_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace pt {

namespace {

class FileTaskLock final : public TaskLock
{
public:
  explicit FileTaskLock(int fd) : m_fd(fd) {}
  ~FileTaskLock() override { ::close(m_fd); } // releases the flock
  FileTaskLock(const FileTaskLock&) = delete;
  FileTaskLock& operator=(const FileTaskLock&) = delete;

private:
  int m_fd;
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

void write_own_pid(int fd)
{
  const std::string text = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd, 0) == 0) {
    // Best effort: the pid only improves the "already running" message.
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  }
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
  if (auto ok = ensure_directory(m_directory); !ok) {
    return tl::unexpected(ok.error());
  }
  const std::filesystem::path path = m_directory / (std::string(task) + ".lock");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0 && errno == EACCES) {
    // Another user's lock file (root's manual run vs the service user): flock
    // works on a read-only descriptor too; we just cannot record our pid.
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  }
  if (fd < 0) {
    return tl::unexpected(LockFailure{
        LockFailure::Kind::error, 0,
        fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno))});
  }
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) {
      continue;
    }
    const int error = errno;
    LockFailure failure;
    if (error == EWOULDBLOCK) {
      failure = {LockFailure::Kind::held, read_holder_pid(fd), {}};
    } else {
      failure = {LockFailure::Kind::error, 0,
                 fmt::format("cannot lock {}: {}", path.string(), std::strerror(error))};
    }
    ::close(fd);
    return tl::unexpected(failure);
  }
  if ((::fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR) {
    write_own_pid(fd);
  }
  return std::make_unique<FileTaskLock>(fd);
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
