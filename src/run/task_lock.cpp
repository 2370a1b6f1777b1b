// SPDX-License-Identifier: MIT
// Task locks are flock(2) locks on one file per task. flock belongs to the
// open file description, so the lock is released when the runner dies however
// it dies (no stale lock files to clean up), and O_CLOEXEC keeps task
// processes from inheriting — and so extending — the lock. The holder writes
// its pid into the file after locking so a second run can name it; the file is
// never deleted (deleting a locked file lets a third run lock a new inode).
//
// Writing that pid is the dangerous part, for root above all: whoever can
// create names in the lock directory could make DIR/<task>.lock a hard link to
// /etc/shadow, and a blind open-and-write would overwrite it. So the directory
// must be a real directory (O_NOFOLLOW) that group and others cannot write,
// held open so every lock file is opened in the directory that was checked;
// the file is opened without O_TRUNC, O_NOFOLLOW and O_NONBLOCK (a FIFO must
// not hang us), and fstat must show a regular file with one link before
// anything is written. Only a file of our own gets the pid; one of root or of
// the directory's owner (root's manual run shares the service user's
// directory) is locked through the same fd unwritten, and a "held" answer
// takes the holder from /proc/locks, since the file may name an earlier one.
#include "run/task_lock.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "util/fd.hpp"
#include "util/regular_file.hpp"

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
// A file no longer than the pid (`size`; the usual case: our last run, or one
// with a pid as long) needs no cut: the write covers all of it.
void write_own_pid(int fd, const std::string& text, off_t size)
{
  // A failed write leaves the file empty, never naming an earlier holder.
  const auto written = ::pwrite(fd, text.data(), text.size(), 0);
  const off_t keep = written == static_cast<ssize_t>(text.size()) ? written : 0;
  if (keep == 0 || size > keep) {
    [[maybe_unused]] const int truncated = ::ftruncate(fd, keep);
  }
}

LockFailure lock_error(std::string message)
{
  return {LockFailure::Kind::error, 0, std::move(message)};
}

LockFailure refusing(std::string_view noun, const std::filesystem::path& path, std::string_view why,
                     const std::string& fix)
{
  return lock_error(fmt::format("refusing {} {}: {}; fix with: {}", noun, path.string(), why, fix));
}

// Whether we may write our pid into a lock file, or only lock it.
enum class Writable { no, yes };

// What check_lock_file() found: whether to write, and the file's length.
struct LockFileCheck
{
  Writable writable = Writable::no;
  off_t size = 0;
};

// Accepts the lock file open on `fd` only if it is a regular file with one
// name, owned by us (`me`), root or the lock directory's owner
// (`directory_owner`): anything else could be another file's contents, which
// the pid would overwrite.
tl::expected<LockFileCheck, LockFailure> check_lock_file(int fd, const std::filesystem::path& path,
                                                         uid_t me, long directory_owner)
{
  struct stat st
  {
  };
  if (::fstat(fd, &st) != 0) {
    return tl::unexpected(lock_error(
        fmt::format("cannot inspect lock file {}: {}", path.string(), std::strerror(errno))));
  }
  if (!S_ISREG(st.st_mode)) {
    const auto fix = (S_ISDIR(st.st_mode) ? "rmdir " : "rm ") + path.string();
    return tl::unexpected(
        refusing("lock file", path,
                 fmt::format("it is {}, not a regular file", file_type_name(st.st_mode)), fix));
  }
  if (st.st_nlink != 1) {
    return tl::unexpected(
        refusing("lock file", path,
                 fmt::format("it has {} hard links, so it is another file's name too", st.st_nlink),
                 "rm " + path.string()));
  }
  // Whoever can open a lock file can flock it, and so hold the task's lock
  // forever: a lock file is for its owner only (0600; earlier versions made
  // 0644 files). Root's file in the service user's directory becomes the
  // service user's, so that the service can still open it for writing. A
  // read-only file system keeps what it has (EROFS).
  if ((st.st_uid == me || me == 0) && (st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0 &&
      errno != EROFS) {
    return tl::unexpected(lock_error(fmt::format(
        "cannot make lock file {} private (chmod 0600): {}", path.string(), std::strerror(errno))));
  }
  if (st.st_uid == 0 && me == 0 && directory_owner > 0) {
    if (::fchown(fd, static_cast<uid_t>(directory_owner), static_cast<gid_t>(-1)) != 0 &&
        errno != EROFS) {
      return tl::unexpected(
          lock_error(fmt::format("cannot give lock file {} to uid {}: {}", path.string(),
                                 directory_owner, std::strerror(errno))));
    }
    return LockFileCheck{Writable::yes, st.st_size};
  }
  if (st.st_uid == me) {
    return LockFileCheck{Writable::yes, st.st_size};
  }
  if (st.st_uid == 0 || static_cast<long>(st.st_uid) == directory_owner) {
    return LockFileCheck{Writable::no, st.st_size}; // root's manual run and the service share it
  }
  return tl::unexpected(refusing(
      "lock file", path,
      fmt::format("owned by uid {}, not by uid {} or the lock directory's owner", st.st_uid, me),
      "rm " + path.string()));
}

// Returns the pid holding the lock on `fd`: the kernel's word in /proc/locks,
// else the pid in the file (a holder that could not write it leaves a stale one).
long holder_of(int fd)
{
  struct stat st
  {
  };
  if (::fstat(fd, &st) == 0) {
    std::ifstream in("/proc/locks");
    std::ostringstream text;
    text << in.rdbuf();
    const auto pid = flock_holder(text.str(), major(st.st_dev), minor(st.st_dev), st.st_ino);
    if (pid && *pid > 0) {
      return *pid;
    }
  }
  return read_holder_pid(fd);
}

} // namespace

// Creates the lock directory if needed and holds it open: every lock file is
// opened relative to it, so the directory checked is the directory used.
tl::expected<void, LockFailure> FileTaskLocks::open_directory()
{
  m_directory_fd.reset();
  const std::filesystem::path& directory = m_directory;
  if (::mkdir(directory.c_str(), 0755) != 0 && errno != EEXIST) {
    return tl::unexpected(lock_error(fmt::format("cannot create lock directory {}: {}",
                                                 directory.string(), std::strerror(errno))));
  }
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st
  {
  };
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    const int error = errno;
    if (::lstat(directory.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
      return tl::unexpected(lock_error(
          fmt::format("refusing lock directory {}: it is a symbolic link; give the directory it "
                      "points to",
                      directory.string())));
    }
    if (error == ENOTDIR) {
      return tl::unexpected(
          lock_error(fmt::format("lock directory {} is not a directory", directory.string())));
    }
    return tl::unexpected(lock_error(fmt::format("cannot open lock directory {}: {}",
                                                 directory.string(), std::strerror(error))));
  }
  // Root shares the service user's RuntimeDirectory (a manual run must see the
  // timer's locks); anyone else trusts only their own or root's directory.
  if (::geteuid() != 0 && st.st_uid != ::geteuid() && st.st_uid != 0) {
    return tl::unexpected(lock_error(fmt::format("lock directory {} is owned by uid {}, not by us",
                                                 directory.string(), st.st_uid)));
  }
  // As config/loader.cpp refuses a config file others can write: whoever can
  // create files here can hold any task's lock forever.
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return tl::unexpected(refusing(
        "lock directory", directory,
        fmt::format("mode {:04o} is writable by group/others, who could hold any task's lock",
                    st.st_mode & 07777),
        "chmod go-w " + directory.string()));
  }
  m_directory_fd = std::move(fd);
  m_directory_owner = static_cast<long>(st.st_uid);
  m_euid = ::geteuid();
  return {};
}

tl::expected<std::unique_ptr<TaskLock>, LockFailure> FileTaskLocks::acquire(std::string_view task)
{
  // The directory is checked before the first lock of a run, and again only
  // if it has vanished since (then the openat fails with ENOENT). No O_TRUNC:
  // the file is checked before anything is written to it. O_NONBLOCK keeps a
  // FIFO from hanging the open, O_NOFOLLOW refuses a symbolic link.
  if (m_directory_fd.get() < 0) {
    if (auto ok = open_directory(); !ok) {
      return tl::unexpected(ok.error());
    }
  }
  const std::string name = std::string(task) + ".lock";
  const std::filesystem::path path = m_directory / name;
  constexpr int k_flags = O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
  UniqueFd fd(::openat(m_directory_fd.get(), name.c_str(), O_RDWR | O_CREAT | k_flags, 0600));
  if (fd.get() < 0 && errno == ENOENT) {
    if (auto ok = open_directory(); !ok) {
      return tl::unexpected(ok.error());
    }
    fd.reset(::openat(m_directory_fd.get(), name.c_str(), O_RDWR | O_CREAT | k_flags, 0600));
  }
  bool read_write = fd.get() >= 0;
  if (fd.get() < 0 && (errno == EACCES || errno == EROFS)) {
    // Another user's lock file (root's manual run vs the service user), or a
    // read-only directory: flock works on a read-only descriptor too; we just
    // cannot record our pid. If the file is not there either, the first error says why.
    const int error = errno;
    read_write = false;
    fd.reset(::openat(m_directory_fd.get(), name.c_str(), O_RDONLY | k_flags));
    if (fd.get() < 0 && errno == ENOENT) {
      errno = error;
    }
  }
  if (fd.get() < 0) {
    if (errno == ELOOP) {
      return tl::unexpected(
          refusing("lock file", path, "it is a symbolic link", "rm " + path.string()));
    }
    if (errno == EISDIR) {
      return tl::unexpected(refusing("lock file", path, "it is a directory, not a regular file",
                                     "rmdir " + path.string()));
    }
    return tl::unexpected(lock_error(
        fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno))));
  }
  const auto checked = check_lock_file(fd.get(), path, m_euid, m_directory_owner);
  if (!checked) {
    return tl::unexpected(checked.error());
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) {
      continue;
    }
    const int error = errno;
    if (error == EWOULDBLOCK) {
      return tl::unexpected(LockFailure{LockFailure::Kind::held, holder_of(fd.get()), {}});
    }
    return tl::unexpected(
        lock_error(fmt::format("cannot lock {}: {}", path.string(), std::strerror(error))));
  }
  if (checked->writable == Writable::yes && read_write) {
    if (m_pid_line.empty()) {
      m_pid_line = fmt::format("{}\n", ::getpid());
    }
    write_own_pid(fd.get(), m_pid_line, checked->size);
  }
  return std::make_unique<FileTaskLock>(std::move(fd));
}

LockState FileLockProbe::probe(std::string_view task) const
{
  std::string proc_locks;
  bool proc_read = false;
  for (const auto& directory : m_directories) {
    const std::filesystem::path path = directory / (std::string(task) + ".lock");
    // Lock files are private (0600): the kernel's word needs only the file's
    // identity; the pid in it is read when we may.
    struct stat st
    {
    };
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      continue;
    }
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    const long pid_in_file = fd.get() >= 0 ? read_holder_pid(fd.get()) : 0;
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
