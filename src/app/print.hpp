// SPDX-License-Identifier: MIT
// Standard output and error for the commands: every write goes through here,
// and a write that failed (a full disk behind `> file`, a closed pipe) is
// reported once, at exit, instead of ending in exit status 0.
#pragma once

#include <cstdio>
#include <string_view>

namespace pt {

// Writes `text` to `stream` (stdout or stderr). A failure is not checked here:
// the stream remembers it (ferror), and finish_stdout() reports it.
void print(std::FILE* stream, std::string_view text);

// Flushes stdout and returns `code`, or k_exit_os_error (71) when `code` is 0
// and a write to stdout failed, after saying so on stderr. A closed pipe
// (EPIPE, `periodic_tasks history | head -1`) is not an error.
int finish_stdout(int code);

} // namespace pt
