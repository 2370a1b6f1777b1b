// SPDX-License-Identifier: MIT
// systemd.generator(7): a generator writes only into the directories it is
// given (on a tmpfs systemd empties before each run), must be quick because
// it delays boot and every daemon-reload, and logs to the kernel log because
// journald may not run yet.
#include "generator/output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include "util/fd.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

tl::expected<void, std::string> write_file(const std::filesystem::path& path,
                                           const std::string& content)
{
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (fd.get() < 0) {
    return tl::unexpected(fmt::format("cannot create {}: {}", path.string(), std::strerror(errno)));
  }
  std::string_view rest = content;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return tl::unexpected(fmt::format("cannot write {}: {}", path.string(),
                                        n < 0 ? std::strerror(errno) : "no progress"));
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

} // namespace

tl::expected<void, std::string> write_generated(const std::string& directory,
                                                const std::vector<GeneratedFile>& files)
{
  // Each directory is made once: the wants directories hold a link per task,
  // and create_directories() stats every component of its path at each call.
  std::set<std::string> made; // as text: comparing paths compares them component by component
  for (const GeneratedFile& file : files) {
    const std::filesystem::path path = std::filesystem::path(directory) / file.path;
    if (made.insert(path.parent_path().native()).second) {
      std::error_code ec;
      std::filesystem::create_directories(path.parent_path(), ec);
      if (ec) {
        return tl::unexpected(
            fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
      }
    }
    if (file.symlink) {
      if (::symlink(file.content.c_str(), path.c_str()) != 0) {
        return tl::unexpected(fmt::format("cannot link {} to {}: {}", path.string(), file.content,
                                          std::strerror(errno)));
      }
    } else if (auto written = write_file(path, file.content); !written) {
      return written;
    }
  }
  return {};
}

void generator_log(LogLevel level, std::string_view message)
{
  const std::string line = fmt::format("periodic-tasks-generator: {}\n", escape_control(message));
  const char* target = std::getenv("SYSTEMD_LOG_TARGET");
  if (target == nullptr || std::string_view(target) != "console") {
    const UniqueFd kmsg(::open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY));
    if (kmsg.get() >= 0) {
      // One write is one kernel log record; "<N>" is its priority.
      const std::string record = fmt::format("<{}>{}", static_cast<int>(level), line);
      if (::write(kmsg.get(), record.data(), record.size()) ==
          static_cast<ssize_t>(record.size())) {
        return;
      }
    }
  }
  static_cast<void>(std::fputs(line.c_str(), stderr)); // nowhere else to report a failure
}

} // namespace pt
