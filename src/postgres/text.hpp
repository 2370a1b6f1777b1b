// SPDX-License-Identifier: MIT
// The pure text work of the PostgreSQL edge: libpq messages made one-line,
// server descriptions, and settings values, kept apart from libpq so they can
// be tested without a server.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "util/duration.hpp"

namespace pt {

// Returns libpq's multi-line `message` as one line: runs of whitespace become
// one space (". " where a new line starts a sentence the last one did not
// end), the ends are trimmed.
std::string one_line(std::string_view message);

// Returns why a connection failed, from libpq's error message: one line, and
// without the "connection to server ... failed: " lead-in when there is
// exactly one (the caller names the server itself).
std::string connect_failure_reason(std::string_view message);

// True when libpq's connection error `message` says the server refused our
// credentials (SQLSTATE 28P01 or 28000), which no retry cures. libpq does not
// expose the SQLSTATE of a failed connection, so this is the one place that
// reads the server's (English) message text.
bool is_authentication_failure(std::string_view message);

// Returns "host=H port=P dbname=D user=U", leaving out the empty parts.
std::string describe_server(std::string_view host, std::string_view port, std::string_view dbname,
                            std::string_view user);

// Returns the statement_timeout setting for a task `timeout`, in milliseconds:
// rounded up, at least 1, at most what the server accepts; "0" (none) for k_infinite.
std::string statement_timeout_value(Duration timeout);

// Returns the connect_timeout keyword for libpq: whole seconds rounded up,
// at least 1; "0" (none) for k_infinite.
std::string connect_timeout_value(Duration timeout);

// Returns the query that applies `count` transaction-local settings bound as
// name/value parameter pairs: "SELECT set_config($1, $2, true), ...".
std::string settings_statement(std::size_t count);

// True when `statement` is a SET TRANSACTION (isolation level, read only,
// deferrable), which must run before any query of the transaction; leading
// whitespace and "--" comments are skipped, case is ignored.
bool is_set_transaction(std::string_view statement);

// Returns a preview `value` cut to at most `max_bytes` (never inside a UTF-8
// sequence), with "..." appended when it was cut.
std::string preview_cell(std::string_view value, std::size_t max_bytes);

} // namespace pt
