// SPDX-License-Identifier: MIT
// Time zones as systemd names them: files under /usr/share/zoneinfo, and TZ
// set for a while so that glibc's mktime/localtime_r compute in one of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace pt {

inline constexpr const char* k_zoneinfo_dir = "/usr/share/zoneinfo";

// Checks that `zone` names a zone file (TZif) under /usr/share/zoneinfo with a
// name systemd accepts (letters, digits, "-", "_", "+" and single "/" between
// them); "UTC" and "Etc/UTC" always do. Returns why not, e.g. "no
// /usr/share/zoneinfo/Mars/Olympus".
tl::expected<void, std::string> check_timezone(const std::string& zone);

// Sets TZ to `zone` (a name check_timezone() accepts) for the lifetime of the
// object, so that mktime() and localtime_r() compute in it; the old TZ comes
// back afterwards. Not thread-safe: only for a single-threaded caller, as
// setenv() is.
class ScopedTimezone
{
public:
  explicit ScopedTimezone(std::string_view zone);
  ~ScopedTimezone();
  ScopedTimezone(const ScopedTimezone&) = delete;
  ScopedTimezone& operator=(const ScopedTimezone&) = delete;

private:
  std::optional<std::string> m_old;
};

// The abbreviations glibc gives `zone` for standard and daylight time
// (tzname[0], tzname[1]: "CET" and "CEST" for Europe/Berlin), which systemd
// accepts at the end of a calendar expression in the local zone.
struct ZoneAbbreviations
{
  std::string standard;
  std::string daylight;
};

// Returns the abbreviations of `zone` (a name check_timezone() accepts).
ZoneAbbreviations zone_abbreviations(std::string_view zone);

} // namespace pt
