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

// Returns `text` safe to put on a terminal as part of one line: valid UTF-8
// (invalid bytes become U+FFFD), every control character visible instead of
// acted on: C0 and DEL as "\x1b" (tab, newline and carriage return as "\t",
// "\n", "\r"), C1 (U+0080-U+009F), the bidirectional overrides and isolates
// (U+202A-U+202E, U+2066-U+2069) and the line and paragraph separators
// (U+2028, U+2029) as "\u009b". Everything else, backslashes included, is kept.
std::string escape_control(std::string_view text);

// Returns the serialized JSON `json` with each code point that escape_control()
// shows but JSON may carry raw (DEL, C1, the bidirectional controls, U+2028,
// U+2029) written as a "\u007f" escape: the same JSON value, every byte of it
// safe on a terminal. (JSON itself escapes the C0 controls.)
std::string escape_json_controls(std::string_view json);

// Returns `argv` as a shell user can read it, quoting words that need it. The
// bytes of each word are kept (a newline stays a newline inside its quotes), as
// the journal keeps them: human-readable output passes it through escape_control().
std::string quote_argv(const std::vector<std::string>& argv);

// Returns `names` joined with ", ".
std::string join(const std::vector<std::string>& names, std::string_view separator = ", ");

// Returns "SIGTERM" for 15 and so on; "SIG<n>" for unknown numbers.
std::string signal_name(int signal);

// Renders `rows` as left-aligned columns separated by two spaces, one line
// each; every cell goes through escape_control(), so no cell can break a line,
// move the cursor or restyle the screen.
std::string render_table(const std::vector<std::vector<std::string>>& rows);

// Formats `usec` microseconds for people: "0.213s", "2min 3.100s".
std::string format_seconds(long long usec);

} // namespace pt
