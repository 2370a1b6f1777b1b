// SPDX-License-Identifier: MIT
// The journal's field names, written once: every record we write and every
// field we read back uses these (docs/cli.md is the contract). Each is a
// NUL-terminated literal, so `.data()` may go to a C API.
#pragma once

#include <string_view>

namespace pt {

// The SYSLOG_IDENTIFIER of our records, which the reader matches on.
inline constexpr std::string_view k_syslog_identifier = "periodic_tasks";

namespace field {
// journald's own fields, written by us or by journald
inline constexpr std::string_view message = "MESSAGE";
inline constexpr std::string_view priority = "PRIORITY";
inline constexpr std::string_view syslog_identifier = "SYSLOG_IDENTIFIER";
inline constexpr std::string_view message_id = "MESSAGE_ID";
inline constexpr std::string_view invocation_id = "_SYSTEMD_INVOCATION_ID"; // trusted, by journald
inline constexpr std::string_view uid = "_UID"; // trusted: the sender's uid, by journald

// The run: every record of a run carries these
inline constexpr std::string_view run_id = "RUN_ID";
inline constexpr std::string_view as_of = "AS_OF";
inline constexpr std::string_view dry_run = "DRY_RUN";
inline constexpr std::string_view trigger = "TRIGGER";
inline constexpr std::string_view task_count = "TASK_COUNT";
inline constexpr std::string_view not_run = "NOT_RUN";
inline constexpr std::string_view slot = "SLOT";             // a scheduled run's slot, UTC
inline constexpr std::string_view slot_count = "SLOT_COUNT"; // slots a scheduled run runs
// What systemd passed about the timer's firing, logged as given
inline constexpr std::string_view timer_realtime_usec = "TRIGGER_TIMER_REALTIME_USEC";
inline constexpr std::string_view timer_monotonic_usec = "TRIGGER_TIMER_MONOTONIC_USEC";

// The task: every record about a task carries these
inline constexpr std::string_view task = "TASK";
inline constexpr std::string_view task_kind = "TASK_KIND";
inline constexpr std::string_view task_position = "TASK_POSITION";
inline constexpr std::string_view command = "COMMAND";
inline constexpr std::string_view database = "DATABASE";
inline constexpr std::string_view schedule = "SCHEDULE"; // a scheduled task's expressions

// How a task (or an attempt, or the run) ended
inline constexpr std::string_view task_result = "TASK_RESULT";
inline constexpr std::string_view exit_status = "EXIT_STATUS";
inline constexpr std::string_view signal = "SIGNAL";
inline constexpr std::string_view core_dumped = "CORE_DUMPED";
inline constexpr std::string_view skip_reason = "SKIP_REASON";
inline constexpr std::string_view holder_pid = "HOLDER_PID";
// Cluster mode: who holds the task or ran the slot (SKIP_REASON=claimed), and
// which attempt at the slot's claim ran it
inline constexpr std::string_view owner_host = "OWNER_HOST";
inline constexpr std::string_view owner_boot_id = "OWNER_BOOT_ID";
inline constexpr std::string_view owner_pid = "OWNER_PID";
inline constexpr std::string_view owner_run_id = "OWNER_RUN_ID";
inline constexpr std::string_view claim_attempt = "CLAIM_ATTEMPT";
inline constexpr std::string_view task_error = "TASK_ERROR";
inline constexpr std::string_view attempt = "ATTEMPT";
inline constexpr std::string_view retry_in_usec = "RETRY_IN_USEC";
inline constexpr std::string_view duration_usec = "DURATION_USEC";

// SQL tasks
inline constexpr std::string_view db_server = "DB_SERVER";
inline constexpr std::string_view sqlstate = "SQLSTATE";
inline constexpr std::string_view db_error = "DB_ERROR";
inline constexpr std::string_view db_detail = "DB_DETAIL";
inline constexpr std::string_view db_hint = "DB_HINT";
inline constexpr std::string_view db_context = "DB_CONTEXT";
inline constexpr std::string_view db_statement = "DB_STATEMENT";
inline constexpr std::string_view rows_affected = "ROWS_AFFECTED";
inline constexpr std::string_view rows_returned = "ROWS_RETURNED";

// Output
inline constexpr std::string_view stream = "STREAM";
inline constexpr std::string_view line_continues = "LINE_CONTINUES";
inline constexpr std::string_view output_bytes = "OUTPUT_BYTES";
inline constexpr std::string_view suppressed_bytes = "SUPPRESSED_BYTES";

// The metrics textfile
inline constexpr std::string_view metrics_file = "METRICS_FILE";
inline constexpr std::string_view metrics_error = "METRICS_ERROR";
} // namespace field

} // namespace pt
