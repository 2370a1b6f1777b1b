// SPDX-License-Identifier: MIT
// One task's transaction on an open connection: BEGIN with the settings in one
// pipelined round trip, each statement (simple protocol, or Parse/Describe then
// Bind/Execute when the task binds params), COMMIT; and on any failure a
// cancel, a ROLLBACK and a SqlResult that says which statement failed and why.
// The round trips are explained at the top of postgres/executor.cpp.
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "postgres/internal.hpp"
#include "postgres/text.hpp"
#include "util/text.hpp"

namespace pt::pg {
namespace {

std::vector<const char*> c_strings(const std::vector<std::string>& values, std::size_t count)
{
  std::vector<const char*> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(values[i].c_str());
  }
  return out;
}

// Why a step of the transaction did not go on.
struct Failure
{
  Wake wake = Wake::ready;  // ready: the server refused (see error or message)
  ResultPtr error;          // the server's error, when it sent one
  std::string message;      // our explanation, when it did not
  std::size_t error_at = 0; // where `error` stood among the results of what was sent
};
using Step = tl::expected<void, Failure>;

// Runs one request on an open, idle connection: BEGIN and the settings, each
// statement, then COMMIT (or ROLLBACK); cancels and rolls back on any failure.
class Transaction
{
public:
  Transaction(PGconn* conn, const SqlRequest& request, Waiter& waiter)
      : m_conn(conn), m_request(request), m_waiter(waiter)
  {
  }
  Ending run();

private:
  Step begin();
  Step execute(const std::string& statement);
  Step execute_with_params(const std::string& statement);
  bool send_prepare(const std::string& statement);
  tl::expected<std::size_t, Failure> params_used(const Results& described) const;
  Step end();
  Step await(Results& results);
  Step sent(bool ok);
  std::size_t begin_statement(const Failure& failure, bool prepared) const;
  Ending fail(Failure failure);
  Ending fail_in_time(SqlOutcome outcome);

  PGconn* m_conn;
  const SqlRequest& m_request;
  Waiter& m_waiter;
  SqlResult m_result;
  bool m_committing = false;
  std::size_t m_begun_statements = 0;    // a leading SET TRANSACTION runs with BEGIN
  std::optional<std::size_t> m_prepared; // the next statement was prepared with BEGIN, uses $1..$n
  std::size_t m_statement = 0;           // 1-based index of the statement under way, 0: none
};

Ending Transaction::run()
{
  if (auto began = begin(); !began) {
    const bool broken = began.error().wake == Wake::broken;
    auto ending = fail(std::move(began.error()));
    ending.nothing_ran = broken;
    return ending;
  }
  for (auto i = m_begun_statements; i < m_request.statements.size(); ++i) {
    m_statement = i + 1;
    if (auto done = execute(m_request.statements[i]); !done) {
      return fail(std::move(done.error()));
    }
  }
  m_statement = 0;
  if (auto ended = end(); !ended) {
    return fail(std::move(ended.error()));
  }
  return {std::move(m_result)};
}

Step Transaction::sent(bool ok)
{
  if (ok) {
    return {};
  }
  return tl::unexpected(Failure{Wake::broken, nullptr, one_line(pq().PQerrorMessage(m_conn))});
}

// Waits for what was sent; fails on the first error the server reported.
Step Transaction::await(Results& results)
{
  const auto wake = collect(m_conn, m_waiter, results);
  const auto* error = first_error(results);
  if (wake != Wake::ready || error != nullptr) {
    ResultPtr kept;
    std::size_t at = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i].get() == error) {
        kept = std::move(results[i]);
        at = i;
      }
    }
    return tl::unexpected(Failure{wake, std::move(kept), {}, at});
  }
  return {};
}

// BEGIN, a leading SET TRANSACTION of the task (it must come before any
// query), then statement_timeout, application_name and the request's settings
// as transaction-local settings: one round trip.
Step Transaction::begin()
{
  const auto& statements = m_request.statements;
  m_begun_statements = !statements.empty() && is_set_transaction(statements.front()) ? 1 : 0;
  std::vector<std::string> bound{"statement_timeout", statement_timeout_value(m_request.timeout)};
  if (!m_request.application_name.empty()) {
    bound.insert(bound.end(), {"application_name", m_request.application_name});
  }
  for (const auto& [name, value] : m_request.settings) {
    bound.insert(bound.end(), {name, value});
  }
  const auto sql = settings_statement(bound.size() / 2);
  const auto values = c_strings(bound, bound.size());
  const bool prepare_next = !m_request.params.empty() && m_begun_statements < statements.size();
  const bool ok =
      pq().PQenterPipelineMode(m_conn) == 1 &&
      pq().PQsendQueryParams(m_conn, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      (m_begun_statements == 0 ||
       pq().PQsendQueryParams(m_conn, statements.front().c_str(), 0, nullptr, nullptr, nullptr,
                              nullptr, 0) == 1) &&
      pq().PQsendQueryParams(m_conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0) == 1 &&
      (!prepare_next || send_prepare(statements[m_begun_statements])) &&
      pq().PQpipelineSync(m_conn) == 1;
  if (auto step = sent(ok); !step) {
    return step;
  }
  Results results;
  if (auto step = await(results); !step || !prepare_next) {
    if (!step) {
      m_statement = begin_statement(step.error(), prepare_next);
    }
    return step;
  }
  auto used = params_used(results);
  if (!used) {
    m_statement = m_begun_statements + 1;
    return tl::unexpected(std::move(used.error()));
  }
  m_prepared = *used;
  return {};
}

// Returns the statement of the task that the server refused in the BEGIN batch
// (results: BEGIN, [SET TRANSACTION], settings, [Parse, Describe]): 0 when it
// was BEGIN or the settings.
std::size_t Transaction::begin_statement(const Failure& failure, bool prepared) const
{
  if (!failure.error) {
    return 0;
  }
  const std::size_t settings_at = 1 + m_begun_statements;
  if (m_begun_statements == 1 && failure.error_at == 1) {
    return 1; // the leading SET TRANSACTION
  }
  return prepared && failure.error_at > settings_at ? m_begun_statements + 1 : 0;
}

// Queues the Parse and Describe of `statement` as the unnamed statement (in pipeline mode).
bool Transaction::send_prepare(const std::string& statement)
{
  return pq().PQsendPrepare(m_conn, "", statement.c_str(), 0, nullptr) == 1 &&
         pq().PQsendDescribePrepared(m_conn, "") == 1;
}

// Returns how many $n the statement whose Describe ends `described` uses, if
// the request binds that many.
tl::expected<std::size_t, Failure> Transaction::params_used(const Results& described) const
{
  const auto used = static_cast<std::size_t>(pq().PQnparams(described.back().get()));
  if (used > m_request.params.size()) {
    return tl::unexpected(Failure{Wake::ready, nullptr,
                                  fmt::format("the statement uses ${} but the task binds only {} "
                                              "params",
                                              used, m_request.params.size())});
  }
  return used;
}

Step Transaction::execute(const std::string& statement)
{
  if (!m_request.params.empty()) {
    return execute_with_params(statement);
  }
  if (auto step = sent(pq().PQsendQuery(m_conn, statement.c_str()) == 1); !step) {
    return step;
  }
  Results results;
  auto step = await(results);
  absorb(m_result, results);
  return step;
}

// Parse and Describe in one round trip (for the first statement, with BEGIN),
// to learn how many $n the statement uses; then Bind and Execute with that
// many of the request's params.
Step Transaction::execute_with_params(const std::string& statement)
{
  auto used = std::exchange(m_prepared, std::nullopt);
  if (!used) {
    const bool ok = pq().PQenterPipelineMode(m_conn) == 1 && send_prepare(statement) &&
                    pq().PQpipelineSync(m_conn) == 1;
    if (auto step = sent(ok); !step) {
      return step;
    }
    Results described;
    if (auto step = await(described); !step) {
      return step;
    }
    auto counted = params_used(described);
    if (!counted) {
      return tl::unexpected(std::move(counted.error()));
    }
    used = *counted;
  }
  const auto values = c_strings(m_request.params, *used);
  if (auto step = sent(pq().PQsendQueryPrepared(m_conn, "", static_cast<int>(*used), values.data(),
                                                nullptr, nullptr, 0) == 1);
      !step) {
    return step;
  }
  Results results;
  auto step = await(results);
  absorb(m_result, results);
  return step;
}

Step Transaction::end()
{
  m_committing = !m_request.rollback;
  const char* command = m_committing ? "COMMIT" : "ROLLBACK";
  if (auto step = sent(pq().PQsendQuery(m_conn, command) == 1); !step) {
    return step;
  }
  Results results;
  auto step = await(results);
  if (step && m_committing && !results.empty() &&
      std::string_view(pq().PQcmdStatus(results.back().get())) != "COMMIT") {
    return tl::unexpected(Failure{Wake::ready, nullptr, "the server rolled back at COMMIT"});
  }
  return step;
}

Ending Transaction::fail(Failure failure)
{
  auto& result = m_result;
  result.failed_statement = static_cast<int>(m_statement);
  if (failure.error) {
    take_error(result, failure.error.get());
  }
  switch (failure.wake) {
  case Wake::deadline:
    return fail_in_time(SqlOutcome::timeout);
  case Wake::stop:
    return fail_in_time(SqlOutcome::interrupted);
  case Wake::broken:
    result.outcome = SqlOutcome::connection_failed;
    if (result.message.empty()) {
      result.message =
          failure.message.empty() ? one_line(pq().PQerrorMessage(m_conn)) : failure.message;
    }
    result.message = "connection lost: " + result.message;
    if (m_committing) {
      result.sqlstate = k_sqlstate_commit_unknown; // never retried: it may have committed
      result.message += " (the connection broke during COMMIT: the transaction may have committed)";
    }
    return {std::move(result), false};
  case Wake::copy:
    result.outcome = SqlOutcome::sql_error;
    result.message = "COPY from or to the client is not supported in SQL tasks; use a file on the "
                     "server or a command task with psql";
    return {std::move(result), false};
  case Wake::ready:
    break;
  }
  result.outcome = SqlOutcome::sql_error;
  if (!failure.message.empty()) {
    result.message = failure.message;
  }
  const auto deadline = m_waiter.deadline();
  if (result.sqlstate == "57014" && deadline && Clock::now() + k_timeout_slack >= *deadline) {
    result.outcome = SqlOutcome::timeout; // the server's statement_timeout beat our cancel
    result.message =
        fmt::format("timed out after {}; canceled by statement_timeout and rolled back",
                    format_timespan(m_request.timeout));
  }
  const bool usable = roll_back(m_conn, m_waiter);
  return {std::move(result), usable};
}

// The deadline passed or a stop was requested while the server worked: cancel
// what runs, wait for it to end, and roll back, all within the grace.
Ending Transaction::fail_in_time(SqlOutcome outcome)
{
  const auto what = outcome == SqlOutcome::timeout
                        ? fmt::format("timed out after {}", format_timespan(m_request.timeout))
                        : fmt::format("interrupted by {}", signal_name(m_waiter.stop_signal()));
  Results late;
  const auto [wake, answered] = cancel_and_collect(m_conn, m_waiter, late);
  auto& result = m_result;
  if (const auto* error = first_error(late); error != nullptr) {
    take_error(result, error);
  } else if (wake == Wake::ready && m_committing) {
    return {std::move(result), answered}; // COMMIT went through after all: the work is done
  }
  result.outcome = outcome;
  const bool usable = answered && roll_back(m_conn, m_waiter);
  result.message = answered ? what + "; canceled and rolled back"
                            : fmt::format("{}; no answer to the cancel request within {}, so the "
                                          "connection was closed (the server rolls back)",
                                          what, format_timespan(k_cancel_grace));
  result.detail.clear();
  result.hint.clear();
  result.context.clear();
  return {std::move(result), usable};
}

} // namespace

Ending run_transaction(PGconn* conn, const SqlRequest& request, Waiter& waiter)
{
  return Transaction(conn, request, waiter).run();
}

} // namespace pt::pg
