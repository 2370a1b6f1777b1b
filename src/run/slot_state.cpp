// SPDX-License-Identifier: MIT
// The slot files. Like the lock files (run/task_lock.cpp), they live in a
// directory whose trust is checked once and which is then held open, so every
// file is opened in the directory that was checked. A file someone else could
// write is a way to make a task skip its slots (a watermark in the future) or
// run history again (one in the past), so it is refused, never believed.
//
// A save is a new file renamed over the old one: after a crash the file is
// the old state or the new one, never half of each. fsync before the rename
// makes the data durable before the name points at it, and fsync of the
// directory makes the rename itself durable: a slot marked done stays done
// after a power cut, so it is not run twice.
#include "run/slot_state.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "schedule/timestamp.hpp"
#include "util/regular_file.hpp"

namespace pt {

namespace {

constexpr std::string_view k_schedule_key = "schedule=";
constexpr std::string_view k_done_key = "done_through=";
constexpr off_t k_max_file_size = off_t{64} * 1024;

std::string start_over(const std::filesystem::path& path)
{
  return fmt::format("fix with: rm {} (the task's next run then counts as its first: it runs a "
                     "slot only if one is due now)",
                     path.string());
}

// Reads the digits of `text` at [pos, pos + count) into `out`.
bool digits(std::string_view text, std::size_t pos, std::size_t count, int& out)
{
  if (pos + count > text.size()) {
    return false;
  }
  const char* first = text.data() + pos;
  const auto [end, ec] = std::from_chars(first, first + count, out);
  return ec == std::errc() && end == first + count && *first != '-' && *first != '+';
}

bool write_all(int fd, std::string_view text)
{
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Accepts the slot file open on `fd` only if it is a small regular file with
// one name, owned by us, root or the directory's owner.
tl::expected<void, std::string> check_slot_file(int fd, const std::filesystem::path& path,
                                                long directory_owner)
{
  struct stat st
  {
  };
  if (::fstat(fd, &st) != 0) {
    return tl::unexpected(
        fmt::format("cannot inspect slot file {}: {}", path.string(), std::strerror(errno)));
  }
  const auto refuse = [&](const std::string& why) {
    return tl::unexpected(
        fmt::format("refusing slot file {}: {}; {}", path.string(), why, start_over(path)));
  };
  if (!S_ISREG(st.st_mode)) {
    return refuse("it is not a regular file");
  }
  if (st.st_nlink != 1) {
    return refuse(
        fmt::format("it has {} hard links, so it is another file's name too", st.st_nlink));
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0 &&
      static_cast<long>(st.st_uid) != directory_owner) {
    return refuse(fmt::format("owned by uid {}, not by uid {} or the directory's owner", st.st_uid,
                              ::geteuid()));
  }
  if (st.st_size > k_max_file_size) {
    return refuse(fmt::format("it has {} bytes; a slot file has a few dozen", st.st_size));
  }
  return {};
}

} // namespace

// Opens (and with Create::yes first creates) the slot directory; returns
// false when it does not exist and `create` is no.
tl::expected<bool, std::string> FileSlotStore::open_directory(Create create)
{
  if (m_directory_fd.get() >= 0) {
    return true;
  }
  const std::string directory = m_directory.string();
  if (create == Create::yes) {
    if (::mkdir(directory.c_str(), 0755) != 0) {
      if (errno != EEXIST) {
        return tl::unexpected(
            fmt::format("cannot create slot directory {}: {}", directory, std::strerror(errno)));
      }
    } else if (::geteuid() == 0) {
      // Root's manual run creates it in the service user's state directory:
      // it belongs to that user, who must write it at the next timer run.
      struct stat parent
      {
      };
      if (::stat(m_directory.parent_path().c_str(), &parent) == 0 && parent.st_uid != 0) {
        [[maybe_unused]] const int ignored =
            ::chown(directory.c_str(), parent.st_uid, parent.st_gid);
      }
    }
  }
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT && create == Create::no) {
      return false;
    }
    if (errno == ELOOP || errno == ENOTDIR) {
      struct stat link
      {
      };
      const bool is_link = ::lstat(directory.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
      return tl::unexpected(fmt::format("refusing slot directory {}: it is {}; fix with: rm {}",
                                        directory, is_link ? "a symbolic link" : "not a directory",
                                        directory));
    }
    return tl::unexpected(
        fmt::format("cannot open slot directory {}: {}", directory, std::strerror(errno)));
  }
  struct stat st
  {
  };
  if (::fstat(fd.get(), &st) != 0) {
    return tl::unexpected(
        fmt::format("cannot inspect slot directory {}: {}", directory, std::strerror(errno)));
  }
  if (::geteuid() != 0 && st.st_uid != ::geteuid() && st.st_uid != 0) {
    return tl::unexpected(fmt::format("refusing slot directory {}: owned by uid {}, not by us; "
                                      "fix with: chown {} {}",
                                      directory, st.st_uid, ::geteuid(), directory));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return tl::unexpected(fmt::format("refusing slot directory {}: mode {:04o} is writable by "
                                      "group/others, who could make tasks skip or repeat slots; "
                                      "fix with: chmod go-w {}",
                                      directory, st.st_mode & 07777, directory));
  }
  m_directory_fd = std::move(fd);
  m_directory_owner = static_cast<long>(st.st_uid);
  return true;
}

tl::expected<std::optional<SlotState>, std::string> FileSlotStore::load(std::string_view task)
{
  const auto exists = open_directory(Create::no);
  if (!exists) {
    return tl::unexpected(exists.error());
  }
  if (!*exists) {
    return std::nullopt;
  }
  const std::filesystem::path path = m_directory / std::string(task);
  const UniqueFd fd(::openat(m_directory_fd.get(), std::string(task).c_str(),
                             O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return std::nullopt;
    }
    if (errno == ELOOP) {
      return tl::unexpected(fmt::format("refusing slot file {}: it is a symbolic link; {}",
                                        path.string(), start_over(path)));
    }
    return tl::unexpected(
        fmt::format("cannot open slot file {}: {}", path.string(), std::strerror(errno)));
  }
  if (auto ok = check_slot_file(fd.get(), path, m_directory_owner); !ok) {
    return tl::unexpected(ok.error());
  }
  const auto text = read_up_to(fd.get(), static_cast<std::size_t>(k_max_file_size) + 1);
  if (!text) {
    return tl::unexpected(
        fmt::format("cannot read slot file {}: {}", path.string(), std::strerror(text.error())));
  }
  auto state = parse_slot_state(*text);
  if (!state) {
    return tl::unexpected(fmt::format("slot file {} is corrupt: {}; {}", path.string(),
                                      state.error(), start_over(path)));
  }
  return std::optional<SlotState>(std::move(*state));
}

tl::expected<void, std::string> FileSlotStore::save(std::string_view task, const SlotState& state)
{
  if (auto ok = open_directory(Create::yes); !ok) {
    return tl::unexpected(ok.error());
  }
  const std::string name(task);
  const std::string temp = fmt::format(".{}.{}.tmp", name, ::getpid());
  const std::filesystem::path path = m_directory / name;
  const auto fail = [&](std::string_view what) {
    const std::string message = fmt::format("cannot {} slot file {}: {}", what,
                                            (m_directory / temp).string(), std::strerror(errno));
    ::unlinkat(m_directory_fd.get(), temp.c_str(), 0);
    return tl::unexpected(message);
  };
  ::unlinkat(m_directory_fd.get(), temp.c_str(), 0); // left by a crash of a run with our pid
  const UniqueFd fd(::openat(m_directory_fd.get(), temp.c_str(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    return fail("create");
  }
  if (!write_all(fd.get(), format_slot_state(state))) {
    return fail("write");
  }
  if (::geteuid() == 0 && m_directory_owner > 0 &&
      ::fchown(fd.get(), static_cast<uid_t>(m_directory_owner), static_cast<gid_t>(-1)) != 0) {
    return fail("give to the directory's owner the");
  }
  if (::fsync(fd.get()) != 0) {
    return fail("sync");
  }
  if (::renameat(m_directory_fd.get(), temp.c_str(), m_directory_fd.get(), name.c_str()) != 0) {
    const std::string message =
        fmt::format("cannot rename {} to {}: {}", (m_directory / temp).string(), path.string(),
                    std::strerror(errno));
    ::unlinkat(m_directory_fd.get(), temp.c_str(), 0);
    return tl::unexpected(message);
  }
  if (::fsync(m_directory_fd.get()) != 0) {
    return tl::unexpected(fmt::format("cannot sync slot directory {}: {}", m_directory.string(),
                                      std::strerror(errno)));
  }
  return {};
}

std::filesystem::path default_slot_directory(const char* state_directory)
{
  if (state_directory != nullptr && *state_directory == '/') {
    // systemd may pass several directories separated by ':'; the first is ours.
    const std::string all(state_directory);
    return std::filesystem::path(all.substr(0, all.find(':'))) / "slots";
  }
  return std::filesystem::path(k_system_state_directory) / "slots";
}

std::string format_slot_state(const SlotState& state)
{
  return fmt::format("# periodic_tasks: the slots of this task done so far (run --scheduled)\n"
                     "{}{}\n{}{}\n",
                     k_schedule_key, state.schedule, k_done_key,
                     format_utc_timestamp(state.done_through));
}

tl::expected<SlotState, std::string> parse_slot_state(std::string_view text)
{
  SlotState state;
  bool has_schedule = false;
  bool has_done = false;
  int number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++number;
    if (line.empty() || line.front() == '#') {
      continue;
    }
    if (line.starts_with(k_schedule_key) && !has_schedule) {
      state.schedule = std::string(line.substr(k_schedule_key.size()));
      has_schedule = true;
    } else if (line.starts_with(k_done_key) && !has_done) {
      const auto time = parse_utc_timestamp(line.substr(k_done_key.size()));
      if (!time) {
        return tl::unexpected(fmt::format("line {}: not a time like 2026-12-07T07:00:00Z", number));
      }
      state.done_through = *time;
      has_done = true;
    } else {
      return tl::unexpected(
          fmt::format("line {}: expected \"schedule=\" or \"done_through=\"", number));
    }
  }
  if (!has_schedule || !has_done) {
    return tl::unexpected(
        fmt::format("no \"{}\" line", has_schedule ? "done_through=" : "schedule="));
  }
  return state;
}

std::optional<SlotTime> parse_utc_timestamp(std::string_view text)
{
  // YYYY-MM-DDTHH:MM:SS[.ffffff]Z
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
  const bool fraction = text.size() == 27 && text[19] == '.';
  if ((text.size() != 20 && !fraction) || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text.back() != 'Z' || !digits(text, 0, 4, year) ||
      !digits(text, 5, 2, month) || !digits(text, 8, 2, day) || !digits(text, 11, 2, hour) ||
      !digits(text, 14, 2, minute) || !digits(text, 17, 2, second) ||
      (fraction && !digits(text, 20, 6, micros))) {
    return std::nullopt;
  }
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year),
                            std::chrono::month(static_cast<unsigned>(month)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  return SlotTime(sys_days(date).time_since_epoch() + hours(hour) + minutes(minute) +
                  seconds(second) + microseconds(micros));
}

} // namespace pt
