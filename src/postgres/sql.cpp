// SPDX-License-Identifier: MIT
// Which SQL failures are worth another attempt. Only those a second try can
// cure: a transaction that lost a race (serialization failure, deadlock, a
// lock it would not wait for) or a connection that failed; never a timeout,
// which would just take as long again, nor a statement the server refused.
// Never a connection that broke after COMMIT was sent (08007): the work may have
// committed, and running it again could do it twice. Nor a failure the
// executor knows is permanent, such as a password the server refused.
#include "postgres/sql.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace pt {
namespace {

constexpr std::array<std::string_view, 3> k_retryable_sqlstates = {
    "40001", // serialization_failure
    "40P01", // deadlock_detected
    "55P03", // lock_not_available
};

} // namespace

bool is_retryable(const SqlResult& result)
{
  if (result.permanent || result.sqlstate == k_sqlstate_commit_unknown) {
    return false;
  }
  switch (result.outcome) {
  case SqlOutcome::connection_failed:
    return true;
  case SqlOutcome::sql_error:
    break;
  case SqlOutcome::success:
  case SqlOutcome::timeout:
  case SqlOutcome::interrupted:
  case SqlOutcome::refused:
    return false;
  }
  const std::string_view state = result.sqlstate;
  if (state.size() == 5 && state.substr(0, 2) == "08") {
    return true; // connection_exception and its subclasses
  }
  return std::find(k_retryable_sqlstates.begin(), k_retryable_sqlstates.end(), state) !=
         k_retryable_sqlstates.end();
}

} // namespace pt
