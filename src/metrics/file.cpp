// SPDX-License-Identifier: MIT
// The textfile is read by node_exporter at any moment and written by any run
// of ours, the timer's as well as a person's `periodic_tasks run TASK`.
//
// The parts that need care:
// - node_exporter must never see half a file: the new text goes to a temp
//   file in the same directory (a rename is atomic only within a file
//   system) whose name does not end in ".prom", so the collector skips it,
//   and is renamed over the old one. fsync before the rename and of the
//   directory after it, so a crash leaves the old or the new file, not an
//   empty one.
// - Two runs that finish together must not both read the old file and the
//   second overwrite the first's update: read-merge-write happens under an
//   exclusive flock on the directory itself. Locking the directory needs no
//   lock file beside the metrics, and a lock on a textfile would be lost at
//   the rename, which replaces the inode.
// - mkstemp creates the file 0600 (and the service's UMask= is 0027);
//   fchmod makes it 0644 so node_exporter's user can read it.
// - A run killed between mkstemp and rename leaves its temp file behind;
//   the next writer, holding the lock, removes such leftovers.
#include "metrics/file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include "metrics/metrics.hpp"
#include "util/fd.hpp"
#include "util/regular_file.hpp"

namespace pt {

namespace {

constexpr std::size_t k_max_read = 16U << 20; // a textfile of ours is a few KiB

std::string errno_text()
{
  return std::strerror(errno);
}

tl::expected<void, std::string> lock_directory(int dir_fd, const std::string& dir,
                                               std::chrono::milliseconds wait)
{
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(dir_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) {
      continue;
    }
    if (errno != EWOULDBLOCK) {
      return tl::unexpected(fmt::format("cannot lock directory {}: {}", dir, errno_text()));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return tl::unexpected(fmt::format(
          "directory {} is still locked by another writer after {} ms", dir, wait.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return {};
}

// Returns the text of `name` in `dir_fd` (at most k_max_read bytes), or "" when it does not exist.
tl::expected<std::string, std::string> read_old(int dir_fd, const std::string& name,
                                                const std::string& path)
{
  auto file = open_regular_file(dir_fd, name.c_str());
  if (!file && file.error().error == ENOENT) {
    return std::string();
  }
  if (!file && (file.error().error == 0 || file.error().error == EISDIR)) {
    return tl::unexpected(fmt::format("{} is not a regular file", path));
  }
  auto text = file ? read_up_to(file->fd.get(), k_max_read)
                   : tl::expected<std::string, int>(tl::unexpect, file.error().error);
  if (!text) {
    return tl::unexpected(fmt::format("cannot read {}: {}", path, std::strerror(text.error())));
  }
  return std::move(*text);
}

// Removes temp files of earlier writers that died before their rename.
void remove_leftovers(int dir_fd, const std::string& temp_prefix)
{
  UniqueFd list_fd(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* dir = list_fd.get() >= 0 ? ::fdopendir(list_fd.get()) : nullptr;
  if (dir == nullptr) {
    return; // best effort: a leftover is harmless, node_exporter skips it
  }
  list_fd.release(); // closedir() closes it
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name.size() == temp_prefix.size() + 6 && name.starts_with(temp_prefix)) {
      ::unlinkat(dir_fd, entry->d_name, 0);
    }
  }
  ::closedir(dir);
}

tl::expected<void, std::string> write_all(int fd, std::string_view text)
{
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return tl::unexpected(errno_text());
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Writes `text` to a new temp file `temp_path` and renames it to `name`; removes it on failure.
tl::expected<void, std::string> replace(int dir_fd, const std::string& dir, const std::string& name,
                                        std::string temp_path, std::string_view text)
{
  UniqueFd fd(::mkostemp(temp_path.data(), O_CLOEXEC));
  if (fd.get() < 0) {
    return tl::unexpected(
        fmt::format("cannot create a temporary file in {}: {}", dir, errno_text()));
  }
  const std::string temp_name = temp_path.substr(temp_path.rfind('/') + 1);
  std::string step;
  if (::fchmod(fd.get(), 0644) != 0) {
    step = fmt::format("cannot chmod {}: {}", temp_path, errno_text());
  } else if (auto written = write_all(fd.get(), text); !written) {
    step = fmt::format("cannot write {}: {}", temp_path, written.error());
  } else if (::fsync(fd.get()) != 0) {
    step = fmt::format("cannot fsync {}: {}", temp_path, errno_text());
  } else if (::close(fd.release()) != 0) { // NFS may report a failed write only here
    step = fmt::format("cannot write {}: {}", temp_path, errno_text());
  } else if (::renameat(dir_fd, temp_name.c_str(), dir_fd, name.c_str()) != 0) {
    step = fmt::format("cannot rename {} to {}: {}", temp_path,
                       (std::filesystem::path(dir) / name).string(), errno_text());
  }
  if (!step.empty()) {
    ::unlinkat(dir_fd, temp_name.c_str(), 0);
    return tl::unexpected(step);
  }
  if (::fsync(dir_fd) != 0) {
    return tl::unexpected(fmt::format("cannot fsync directory {}: {}", dir, errno_text()));
  }
  return {};
}

} // namespace

tl::expected<void, std::string>
rewrite_file_locked(const std::filesystem::path& path,
                    const std::function<std::string(std::string_view)>& update,
                    std::chrono::milliseconds lock_wait)
{
  const std::string dir = path.parent_path().string();
  const std::string name = path.filename().string();
  UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) {
    return tl::unexpected(fmt::format("cannot open directory {}: {}", dir, errno_text()));
  }
  if (auto locked = lock_directory(dir_fd.get(), dir, lock_wait); !locked) {
    return locked;
  }
  // The lock is released when dir_fd closes, after the rename.
  const std::string temp_prefix = fmt::format(".{}.", name);
  remove_leftovers(dir_fd.get(), temp_prefix);
  const auto old = read_old(dir_fd.get(), name, path.string());
  if (!old) {
    return tl::unexpected(old.error());
  }
  return replace(dir_fd.get(), dir, name, fmt::format("{}/{}XXXXXX", dir, temp_prefix),
                 update(*old));
}

void write_run_metrics(const std::filesystem::path& path, const RunSummary& summary,
                       const Config& config, EventLog& log)
{
  if (!run_updates_metrics(summary)) {
    return;
  }
  const auto written = rewrite_file_locked(path, [&](std::string_view previous) {
    return updated_metrics_text(previous, summary, config);
  });
  if (!written) {
    log.emit(metrics_failed_record(summary, path, written.error()));
  }
}

} // namespace pt
