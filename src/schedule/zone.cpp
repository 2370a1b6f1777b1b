// SPDX-License-Identifier: MIT
// A zone is checked against the disk, as systemd's verify_timezone() does it:
// glibc silently falls back to UTC for a TZ it cannot load (a directory such as
// "America", a file such as "zone.tab"), so only a regular file that starts
// with the TZif magic counts. TZ is process-wide state: ScopedTimezone sets it
// and puts it back, and callers keep it to the single-threaded parts of a run.
// Both answers about a zone name are remembered for the life of the process.
#include "schedule/zone.hpp"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "util/regular_file.hpp"

namespace pt {
namespace {

// systemd's rule for a zone name: [A-Za-z0-9_+-] in parts joined by single slashes.
bool systemd_accepts_name(std::string_view zone)
{
  bool after_slash = false;
  for (const char c : zone) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '+';
    if (c == '/' && after_slash) {
      return false;
    }
    if (!plain && c != '/') {
      return false;
    }
    after_slash = c == '/';
  }
  return !after_slash;
}

} // namespace

namespace {

// The disk check of one zone name: what check_timezone() answers.
tl::expected<void, std::string> check_timezone_on_disk(const std::string& zone)
{
  namespace fs = std::filesystem;
  if (zone == "UTC" || zone == "Etc/UTC") {
    return {};
  }
  if (zone.empty() || zone.front() == '/' || zone.find("..") != std::string::npos) {
    return tl::unexpected(fmt::format("not a name under {}", k_zoneinfo_dir));
  }
  const fs::path path = fs::path(k_zoneinfo_dir) / zone;
  // A directory ("America") or another file there ("zone.tab") would make glibc fall back to UTC.
  const auto file = open_regular_file(AT_FDCWD, path.c_str());
  if (!file && (file.error().error == ENOENT || file.error().error == ENOTDIR)) {
    return tl::unexpected(fmt::format("no {}", path.string()));
  }
  if (!file && file.error().error != 0 && file.error().error != EISDIR) {
    return tl::unexpected(
        fmt::format("cannot read {}: {}", path.string(), std::strerror(file.error().error)));
  }
  std::array<char, 4> magic{};
  if (!file ||
      ::read(file->fd.get(), magic.data(), magic.size()) != static_cast<ssize_t>(magic.size()) ||
      std::string_view(magic.data(), magic.size()) != "TZif") {
    return tl::unexpected(fmt::format("{} is not a zone file (TZif)", path.string()));
  }
  if (!systemd_accepts_name(zone)) {
    return tl::unexpected(std::string("not a zone name systemd accepts (letters, digits, \"-\", "
                                      "\"_\", \"+\" and \"/\" between them)"));
  }
  return {};
}

// Zone files do not change under a run (a changed package means a new run),
// and a config names a few zones many times: each name is looked up once per
// process. The maps are small (the zones of one config) and never shrink.
template <typename Value>
class ZoneMemo
{
public:
  template <typename Compute>
  Value get(std::string_view zone, Compute compute)
  {
    const std::lock_guard lock(m_mutex);
    const auto found = m_values.find(zone);
    if (found != m_values.end()) {
      return found->second;
    }
    return m_values.emplace(std::string(zone), compute()).first->second;
  }

private:
  std::mutex m_mutex;
  std::map<std::string, Value, std::less<>> m_values;
};

} // namespace

tl::expected<void, std::string> check_timezone(const std::string& zone)
{
  static ZoneMemo<tl::expected<void, std::string>> memo;
  return memo.get(zone, [&] { return check_timezone_on_disk(zone); });
}

ScopedTimezone::ScopedTimezone(std::string_view zone)
{
  if (const char* old = std::getenv("TZ")) {
    m_old = old;
  }
  // tzset(3): a leading ":" names a zone file rather than a POSIX rule.
  ::setenv("TZ", fmt::format(":{}", zone).c_str(), 1);
  ::tzset();
}

ScopedTimezone::~ScopedTimezone()
{
  if (m_old) {
    ::setenv("TZ", m_old->c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

ZoneAbbreviations zone_abbreviations(std::string_view zone)
{
  static ZoneMemo<ZoneAbbreviations> memo;
  return memo.get(zone, [&] {
    const ScopedTimezone scoped(zone);
    return ZoneAbbreviations{::tzname[0] != nullptr ? ::tzname[0] : "",
                             ::tzname[1] != nullptr ? ::tzname[1] : ""};
  });
}

} // namespace pt
