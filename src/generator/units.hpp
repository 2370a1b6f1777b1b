// SPDX-License-Identifier: MIT
// What the generator writes for a config: a timer drop-in and a wants link per
// scheduled task. Pure: the config in, the files out (byte for byte testable).
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace pt {

// One file in the generator's output directory.
struct GeneratedFile
{
  std::string path;     // relative to the output directory
  std::string content;  // the file's text, or the link's target
  bool symlink = false; // a symbolic link to `content`
};

// Where the installed units are: the link target of each wants link.
struct UnitPaths
{
  std::string unit_dir = "/usr/lib/systemd/system";
};

// The timer instance of a scheduled task: "periodic-tasks@NAME.timer".
std::string timer_unit_of(const Task& task);

// Returns the OnCalendar= value for `schedule`: its normalized form with the
// zone always spelled out (settings.timezone for an expression without one),
// so that systemd and the runner agree on every host.
std::string on_calendar_of(const Schedule& schedule);

// Returns whether the timer of a scheduled `task` also wakes hourly: in
// cluster mode (with catch-up), so that a slot a dead host held is retried
// within the hour rather than at the task's next slot.
bool needs_retry_wake(const Task& task);

// Returns, for each enabled task with a schedule, in config order: the drop-in
// periodic-tasks@NAME.timer.d/schedule.conf (OnCalendar=, RandomizedDelaySec=,
// AccuracySec=, SourcePath= and where it came from) and the links
// timers.target.wants/periodic-tasks@NAME.timer and
// periodic-tasks-schedules.target.wants/periodic-tasks@NAME.timer to the template.
std::vector<GeneratedFile> scheduled_units(const Config& config, const UnitPaths& paths);

} // namespace pt
