// SPDX-License-Identifier: MIT
// SQL text as the server will read it, without a server: a statement string
// split into its commands the way psql splits its input, and the commands
// that control transactions. Pure, so `check` can use it too; the PostgreSQL
// edge sends a task's commands one by one in a pipeline with it (postgres/executor.cpp
// tells why).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pt {

// How '...' strings read a backslash: the server's standard_conforming_strings.
enum class StandardStrings { on, off };

// One command of a statement string.
struct SqlCommand
{
  std::string_view text; // with its ';', if it has one
  int params = 0;        // the highest $n it uses, as the server counts its parameters
};

// Returns the commands of `sql` in order, split at the semicolons outside
// quotes, dollar quotes, comments, parentheses and the BEGIN ... END body of
// CREATE FUNCTION or PROCEDURE, as psql splits. Commands of only whitespace
// and comments are left out.
std::vector<SqlCommand> split_commands(std::string_view sql,
                                       StandardStrings strings = StandardStrings::on);

// Returns `command` for a message when it is transaction control: BEGIN,
// START TRANSACTION, COMMIT, END, ROLLBACK or ABORT (with any options, such as
// AND CHAIN), PREPARE TRANSACTION, COMMIT PREPARED or ROLLBACK PREPARED; from
// its first keyword, one line, without the ';', at most 64 bytes. Empty for
// any other command: SAVEPOINT, RELEASE and ROLLBACK TO stay inside the
// transaction.
std::string transaction_control(std::string_view command);

// Returns the first command of `sql` that is transaction control, as
// transaction_control() shows it; empty when there is none. For `check`,
// which cannot know the server's standard_conforming_strings (on since 9.1).
std::string find_transaction_control(std::string_view sql);

} // namespace pt
