// SPDX-License-Identifier: MIT
// Small text helpers shared by the log writers and the summary.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pt {

// Returns `bytes` as valid UTF-8: each invalid sequence becomes U+FFFD and
// each NUL becomes the two characters "\0".
std::string sanitize_utf8(std::string_view bytes);

// Returns `argv` as one line a shell user can read, quoting words that need it.
std::string quote_argv(const std::vector<std::string>& argv);

// Returns `names` joined with ", ".
std::string join(const std::vector<std::string>& names, std::string_view separator = ", ");

// Returns "SIGTERM" for 15 and so on; "SIG<n>" for unknown numbers.
std::string signal_name(int signal);

// Renders `rows` as left-aligned columns separated by two spaces, one line each.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

// Formats `usec` microseconds for people: "0.213s", "2min 3.100s".
std::string format_seconds(long long usec);

} // namespace pt
