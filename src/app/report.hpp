// SPDX-License-Identifier: MIT
// `status` and `history` for people (tables in local time) and programs (JSON).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "journal/history.hpp"
#include "postgres/cluster.hpp"

namespace pt {

// Renders one row per task: last run, result, duration, exit, last success,
// consecutive failures, and what is running now.
// The cluster's side of `status` in cluster mode: its claims, read from the
// cluster database (error: why they could not be).
struct ClusterView
{
  std::string database;
  std::string error;
  std::vector<TaskClusterStatus> tasks;
};

// `status` as a table (then the cluster's table, when `cluster` is set) or
// as JSON (with a "cluster" object, null without cluster mode).
std::string render_status_text(const std::vector<TaskStatus>& statuses,
                               const ClusterView* cluster = nullptr);
std::string render_status_json(const std::vector<TaskStatus>& statuses,
                               const ClusterView* cluster = nullptr);

// Renders task runs, newest first.
std::string render_history_text(const std::vector<TaskRun>& runs);
std::string render_history_json(const std::vector<TaskRun>& runs);

// Formats `usec` since the epoch as local "YYYY-MM-DD HH:MM:SS" and as
// ISO 8601 with the UTC offset ("2025-01-27T02:30:04+01:00").
std::string format_local_time(std::int64_t usec);
std::string format_iso8601(std::int64_t usec);
// Formats `usec` since the epoch as a slot is written: "2026-12-07T07:00:00Z".
std::string format_utc_usec(std::int64_t usec);

} // namespace pt
