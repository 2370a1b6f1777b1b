// SPDX-License-Identifier: MIT
// Reads the config files from disk and hands their text to the parser.
//
// The parts that need care:
// - Drop-ins follow systemd: a file name in a higher-priority directory hides
//   the same name in lower ones, a symlink to /dev/null masks the name, and
//   the survivors are read in file-name order whatever their directory.
// - settings.timezone is a file under /usr/share/zoneinfo: the parser sees only
//   text, so the zone is checked here, against the disk, and reported at the
//   value's position in the main file.
// - Trust follows cron, sudo and logrotate: when we run as root, a file that
//   another user can write would let that user run commands as root. A file
//   is checked with fstat on the descriptor we then read from, so the check
//   sees a symlink's target and cannot be raced between check and read.
#include "config/loader.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <pwd.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

#include <fmt/format.h>

#include "config/parser.hpp"
#include "schedule/zone.hpp"
#include "util/fd.hpp"
#include "util/regular_file.hpp"

#ifndef PT_DEFAULT_CONFIG // CMake sets it from the install's sysconfdir
#define PT_DEFAULT_CONFIG "/etc/periodic-tasks/config.toml"
#endif

namespace pt {

const char* const k_default_config = PT_DEFAULT_CONFIG;

namespace {

namespace fs = std::filesystem;
using Status = tl::expected<void, ConfigError>;

tl::unexpected<ConfigError> fail(const fs::path& path, std::string problem, std::string hint = {})
{
  return tl::unexpected(ConfigError{{path.string(), 0, 0}, std::move(problem), std::move(hint)});
}

tl::unexpected<ConfigError> cannot_read(const fs::path& path, std::string_view noun, int error,
                                        std::string hint = {})
{
  return fail(path, fmt::format("cannot read {}: {}", noun, std::strerror(error)), std::move(hint));
}

std::string read_hint(FileRole role, int error)
{
  switch (role) {
  case FileRole::main:
    return error == ENOENT ? "create it, or pass --config PATH / set PERIODIC_TASKS_CONFIG"
                           : "check its permissions, or pass --config PATH / set "
                             "PERIODIC_TASKS_CONFIG";
  case FileRole::dropin:
    return error == ENOENT
               ? "remove the dangling symlink, or point it at /dev/null to mask the name"
               : "";
  }
  return "";
}

// The hint for a config file that is a directory, a FIFO, a socket or a device.
std::string not_regular_hint(FileRole role)
{
  switch (role) {
  case FileRole::main:
    return "point --config or PERIODIC_TASKS_CONFIG at a regular file";
  case FileRole::dropin:
    return "a drop-in is a regular file, or a symlink to one (or to /dev/null, to mask the "
           "name): move it out of the directory, or rename it without .toml";
  }
  return "";
}

std::optional<std::string> user_name(uid_t uid)
{
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return std::string(found->pw_name);
}

// Refuses `path` (a "config file" or "config directory", as `noun` says) unless
// `owner` owns it and only `owner` can write it.
Status check_trust(const struct stat& st, const fs::path& path, std::string_view noun, uid_t owner)
{
  if (st.st_uid != owner) {
    const auto actual = user_name(st.st_uid);
    const auto wanted = user_name(owner);
    return fail(path,
                fmt::format("refusing untrusted {}: owned by uid {}{}, not {}", noun, st.st_uid,
                            actual ? fmt::format(" ({})", *actual) : "",
                            wanted.value_or(fmt::format("uid {}", owner))),
                fmt::format("fix with: chown {}: {}", wanted.value_or(std::to_string(owner)),
                            path.string()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return fail(path,
                fmt::format("refusing untrusted {}: mode {:04o} is writable by group/others", noun,
                            st.st_mode & 07777),
                fmt::format("fix with: chmod go-w {}", path.string()));
  }
  return {};
}

// Reads `path`, refusing anything but a trusted regular file.
tl::expected<std::string, ConfigError> read_config_file(const fs::path& path, FileRole role,
                                                        const LoadOptions& options)
{
  constexpr std::string_view k_noun = "config file";
  auto file = open_regular_file(AT_FDCWD, path.c_str());
  if (!file && file.error().mode != 0) {
    return fail(path,
                fmt::format("cannot read config file: it is {}, not a regular file",
                            file_type_name(file.error().mode)),
                not_regular_hint(role));
  }
  if (!file) {
    const int error = file.error().error;
    return cannot_read(path, k_noun, error, read_hint(role, error));
  }
  if (options.required_owner) {
    if (auto trusted = check_trust(file->st, path, k_noun, *options.required_owner); !trusted) {
      return tl::unexpected(trusted.error());
    }
  }
  auto text = read_up_to(file->fd.get(), std::string::npos);
  if (!text) {
    return cannot_read(path, k_noun, text.error(), read_hint(role, text.error()));
  }
  return std::move(*text);
}

// A drop-in name that survived the directory priority rules.
struct Dropin
{
  fs::path path;
  bool masked; // a symlink to /dev/null: the name is taken, nothing is read
};

bool is_mask(const fs::path& path)
{
  std::error_code ec;
  return fs::is_symlink(fs::symlink_status(path, ec)) && fs::canonical(path, ec) == "/dev/null";
}

// Takes every *.toml name, whatever the file is: one that is not a regular
// file (a directory, a FIFO, ...) is refused when it is read, not skipped, so
// that tasks put there are never silently left out.
void consider(const fs::directory_entry& entry, std::map<std::string, Dropin>& found)
{
  const auto name = entry.path().filename().string();
  if (!name.ends_with(".toml") || name.starts_with('.') || found.contains(name)) {
    return;
  }
  found.emplace(name, Dropin{entry.path(), is_mask(entry.path())});
}

// Adds the *.toml files of `dir` whose names no earlier directory took.
Status scan_dir(const fs::path& dir, const LoadOptions& options,
                std::map<std::string, Dropin>& found)
{
  constexpr std::string_view k_noun = "config directory";
  struct stat st
  {
  };
  if (::stat(dir.c_str(), &st) != 0) {
    return errno == ENOENT ? Status{} : cannot_read(dir, k_noun, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return cannot_read(dir, k_noun, ENOTDIR);
  }
  if (options.required_owner) {
    if (auto trusted = check_trust(st, dir, k_noun, *options.required_owner); !trusted) {
      return trusted;
    }
  }
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    consider(*it, found);
  }
  return ec ? cannot_read(dir, k_noun, ec.value()) : Status{};
}

// Returns the drop-in files to read, in the order to read them.
tl::expected<std::vector<fs::path>, ConfigError> find_dropins(const LoadOptions& options)
{
  std::map<std::string, Dropin> found; // std::string orders names bytewise
  for (const auto& dir : options.dropin_dirs) {
    if (auto scanned = scan_dir(dir, options, found); !scanned) {
      return tl::unexpected(scanned.error());
    }
  }
  std::vector<fs::path> paths;
  for (const auto& [name, dropin] : found) {
    if (!dropin.masked) {
      paths.push_back(dropin.path);
    }
  }
  return paths;
}

// Task names defined so far, and where: the index of each in config.tasks.
using TaskIndex = std::unordered_map<std::string, std::size_t>;

// Appends the tasks of drop-in `path` to `config`, refusing a name `index`
// already holds; a lookup per task, so that a thousand tasks cost no more
// than a thousand lookups.
Status add_dropin(Config& config, TaskIndex& index, const fs::path& path,
                  const LoadOptions& options)
{
  const auto text = read_config_file(path, FileRole::dropin, options);
  if (!text) {
    return tl::unexpected(text.error());
  }
  auto tasks = parse_dropin(*text, path.string(), config);
  if (!tasks) {
    return tl::unexpected(tasks.error());
  }
  for (auto& task : *tasks) {
    const auto [at, added] = index.try_emplace(task.name, config.tasks.size());
    if (!added) {
      const Task& earlier = config.tasks[at->second];
      return tl::unexpected(
          ConfigError{task.origin, fmt::format("duplicate task name \"{}\"", task.name),
                      fmt::format("first defined at {}", format_location(earlier.origin))});
    }
    config.tasks.push_back(std::move(task));
  }
  config.sources.push_back(path.string());
  return {};
}

} // namespace

std::vector<std::filesystem::path> default_dropin_dirs(const std::filesystem::path& main_file)
{
  std::vector<std::filesystem::path> dirs{main_file.parent_path() / "tasks.d"};
  if (main_file == k_default_config) {
    dirs.emplace_back(k_vendor_dropin_dir);
  }
  return dirs;
}

tl::expected<Config, ConfigError> load_config(const LoadOptions& options)
{
  const auto text = read_config_file(options.main_file, FileRole::main, options);
  if (!text) {
    return tl::unexpected(text.error());
  }
  auto config = parse_config(*text, options.main_file.string());
  if (!config) {
    return config;
  }
  if (auto zone = check_timezone(config->settings.timezone); !zone) {
    return tl::unexpected(ConfigError{
        config->settings.timezone_origin,
        fmt::format("unknown timezone \"{}\" in [settings]: {}", config->settings.timezone,
                    zone.error()),
        fmt::format(R"(use an IANA zone name such as "UTC" or "Europe/Berlin" (a file under {}))",
                    k_zoneinfo_dir)});
  }
  const auto dropins = find_dropins(options);
  if (!dropins) {
    return tl::unexpected(dropins.error());
  }
  TaskIndex index;
  for (std::size_t i = 0; i < config->tasks.size(); ++i) {
    index.try_emplace(config->tasks[i].name, i);
  }
  for (const auto& path : *dropins) {
    if (auto added = add_dropin(*config, index, path, options); !added) {
      return tl::unexpected(added.error());
    }
  }
  return config;
}

} // namespace pt
