// SPDX-License-Identifier: MIT
// One task's transaction on an open, clean connection: the task's statements
// split into commands, and transaction control refused before anything runs;
// BEGIN with the settings in one pipelined round trip; each command on its own
// with the extended protocol (Parse/Describe first when the task binds
// params), its rows read one at a time and the transaction checked after it;
// then COMMIT (or ROLLBACK) with DISCARD ALL behind it. On any failure a
// cancel, a ROLLBACK, a DISCARD ALL and a SqlResult that says which statement
// failed and why. The reasons are at the top of postgres/executor.cpp.
#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "postgres/internal.hpp"
#include "postgres/statements.hpp"
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

// The same for parameter values, a NULL pointer for a NULL (no value).
std::vector<const char*> c_strings(const std::vector<std::optional<std::string>>& values,
                                   std::size_t count)
{
  std::vector<const char*> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(values[i] ? values[i]->c_str() : nullptr);
  }
  return out;
}

// One command of the task: a statement, or one of several in a statement string.
struct Command
{
  std::string text;
  std::size_t statement = 0; // 1-based index of its statement in the task
  int params = 0;            // the highest $n it uses
};

// Why a step of the transaction did not go on.
struct Failure
{
  Wake wake = Wake::ready;  // ready: the server refused (see error or message)
  ResultPtr error;          // the server's error, when it sent one
  std::string message;      // our explanation, when it did not
  std::size_t error_at = 0; // where `error` stood among the results of what was sent
  bool refused = false;     // the task asked for transaction control
};
using Step = tl::expected<void, Failure>;

constexpr std::string_view k_refusal =
    "transaction control is not allowed in a task: \"{}\"; the runner commits or rolls back";

// Failure for a command that would leave the runner's transaction.
Failure refusal(std::string_view shown, std::string_view consequence = {})
{
  return {Wake::ready, nullptr,
          fmt::format(fmt::runtime(k_refusal), shown) + std::string(consequence), 0, true};
}

// True when `tag` is that of a command that ends or starts a transaction
// without leaving the session idle (COMMIT AND CHAIN). Not "ROLLBACK": ROLLBACK
// TO SAVEPOINT has that tag too (ROLLBACK AND CHAIN, which commits nothing,
// only plan() can tell).
bool is_transaction_tag(std::string_view tag)
{
  for (const std::string_view ends : {"BEGIN", "START TRANSACTION", "COMMIT", "PREPARE TRANSACTION",
                                      "COMMIT PREPARED", "ROLLBACK PREPARED"}) {
    if (tag == ends) {
      return true;
    }
  }
  return false;
}

// True when `results` hold the answer to a COMMIT that committed.
bool committed(const Results& results)
{
  return std::any_of(results.begin(), results.end(), [](const ResultPtr& result) {
    return pq().PQresultStatus(result.get()) == PGRES_COMMAND_OK &&
           std::string_view(pq().PQcmdStatus(result.get())) == "COMMIT";
  });
}

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
  Step plan();
  Step begin();
  Step execute(const Command& command);
  Step execute_with_params(const Command& command);
  Step read_rows(bool sent_ok, const Command& command);
  bool send_prepare(const std::string& statement);
  tl::expected<std::size_t, Failure> params_used(const Results& described) const;
  Step end();
  Step await(Results& results);
  Step sent(bool ok);
  std::size_t begin_statement(const Failure& failure, bool prepared) const;
  Ending fail(Failure failure);
  Ending fail_in_time(SqlOutcome outcome);
  bool clean_up();

  PGconn* m_conn;
  const SqlRequest& m_request;
  Waiter& m_waiter;
  SqlResult m_result;
  std::vector<Command> m_commands;
  bool m_committing = false;
  bool m_clean = false;                  // DISCARD ALL ran after the transaction ended
  std::size_t m_begun = 0;               // a leading SET TRANSACTION runs with BEGIN
  std::optional<std::size_t> m_prepared; // the next command was prepared with BEGIN, uses $1..$n
  std::size_t m_statement = 0;           // 1-based index of the statement under way, 0: none
};

Ending Transaction::run()
{
  if (auto planned = plan(); !planned) {
    m_result.outcome = SqlOutcome::refused;
    m_result.message = std::move(planned.error().message);
    m_result.failed_statement = static_cast<int>(m_statement);
    return {std::move(m_result), true}; // nothing was sent: the session is as clean as it was
  }
  if (auto began = begin(); !began) {
    const bool broken = began.error().wake == Wake::broken;
    auto ending = fail(std::move(began.error()));
    ending.nothing_ran = broken;
    return ending;
  }
  for (auto i = m_begun; i < m_commands.size(); ++i) {
    m_statement = m_commands[i].statement;
    if (auto done = execute(m_commands[i]); !done) {
      return fail(std::move(done.error()));
    }
  }
  m_statement = 0;
  if (auto ended = end(); !ended) {
    return fail(std::move(ended.error()));
  }
  return {std::move(m_result), m_clean};
}

// Splits the task's statements into commands, as the server will read them,
// and refuses the task if one of them is transaction control.
Step Transaction::plan()
{
  const char* standard = pq().PQparameterStatus(m_conn, "standard_conforming_strings");
  const auto strings = standard != nullptr && std::string_view(standard) == "off"
                           ? StandardStrings::off
                           : StandardStrings::on;
  const auto& statements = m_request.statements;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    for (const auto& command : split_commands(statements[i], strings)) {
      if (auto shown = transaction_control(command.text); !shown.empty()) {
        m_statement = i + 1;
        return tl::unexpected(refusal(shown));
      }
      m_commands.push_back({std::string(command.text), i + 1, command.params});
    }
  }
  return {};
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
  const auto& commands = m_commands;
  m_begun = !commands.empty() && is_set_transaction(commands.front().text) ? 1 : 0;
  std::vector<std::string> bound{"statement_timeout", statement_timeout_value(m_request.timeout)};
  if (!m_request.application_name.empty()) {
    bound.insert(bound.end(), {"application_name", m_request.application_name});
  }
  for (const auto& [name, value] : m_request.settings) {
    bound.insert(bound.end(), {name, value});
  }
  const auto sql = settings_statement(bound.size() / 2);
  const auto values = c_strings(bound, bound.size());
  const bool prepare_next = !m_request.params.empty() && m_begun < commands.size();
  const bool ok =
      pq().PQenterPipelineMode(m_conn) == 1 &&
      pq().PQsendQueryParams(m_conn, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      (m_begun == 0 || pq().PQsendQueryParams(m_conn, commands.front().text.c_str(), 0, nullptr,
                                              nullptr, nullptr, nullptr, 0) == 1) &&
      pq().PQsendQueryParams(m_conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                             values.data(), nullptr, nullptr, 0) == 1 &&
      (!prepare_next || send_prepare(commands[m_begun].text)) && pq().PQpipelineSync(m_conn) == 1;
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
    m_statement = commands[m_begun].statement;
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
  const std::size_t settings_at = 1 + m_begun;
  if (m_begun == 1 && failure.error_at == 1) {
    return m_commands.front().statement; // the leading SET TRANSACTION
  }
  return prepared && failure.error_at > settings_at ? m_commands[m_begun].statement : 0;
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

// Runs one command with the extended protocol, which refuses a string of
// several: a command the split missed cannot slip past the check in plan().
Step Transaction::execute(const Command& command)
{
  if (!m_request.params.empty()) {
    return execute_with_params(command);
  }
  if (command.params > 0) { // the server would take $n for a parameter to infer, then fail at Bind
    return tl::unexpected(Failure{
        Wake::ready, nullptr,
        fmt::format("the statement uses ${} but the task binds no params", command.params)});
  }
  return read_rows(pq().PQsendQueryParams(m_conn, command.text.c_str(), 0, nullptr, nullptr,
                                          nullptr, nullptr, 0) == 1,
                   command);
}

// Reads the results of the command just sent, its rows one at a time; fails
// on the server's error, and when the command left the runner's transaction
// (which plan() should have refused: this is the check that holds regardless).
Step Transaction::read_rows(bool sent_ok, const Command& command)
{
  if (auto step = sent(sent_ok); !step) {
    return step;
  }
  pq().PQsetSingleRowMode(m_conn); // for this command only
  ResultReader reader(m_result);
  const auto wake =
      collect(m_conn, m_waiter, [&reader](ResultPtr result) { reader.take(std::move(result)); });
  if (wake != Wake::ready || reader.failed()) {
    return tl::unexpected(Failure{wake, reader.release_error(), {}, 0});
  }
  if (pq().PQtransactionStatus(m_conn) != PQTRANS_INTRANS || is_transaction_tag(reader.tag())) {
    auto text = std::string_view(command.text);
    while (!text.empty() && (text.back() == ';' || text.back() == ' ' || text.back() == '\n')) {
      text.remove_suffix(1);
    }
    return tl::unexpected(refusal(preview_cell(one_line(text), 64),
                                  " (it ended the runner's transaction: what ran before it may "
                                  "have been committed)"));
  }
  return {};
}

// Parse and Describe in one round trip (for the first statement, with BEGIN),
// to learn how many $n the statement uses; then Bind and Execute with that
// many of the request's params.
Step Transaction::execute_with_params(const Command& command)
{
  auto used = std::exchange(m_prepared, std::nullopt);
  if (!used) {
    const bool ok = pq().PQenterPipelineMode(m_conn) == 1 && send_prepare(command.text) &&
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
  return read_rows(pq().PQsendQueryPrepared(m_conn, "", static_cast<int>(*used), values.data(),
                                            nullptr, nullptr, 0) == 1,
                   command);
}

// COMMIT (ROLLBACK in a dry run), and DISCARD ALL right behind it in the same
// round trip, so that nothing the task set in its session (search_path, SET
// ROLE, temp tables, advisory locks, LISTEN...) outlives it. A session that
// could not be cleaned is not kept.
Step Transaction::end()
{
  m_committing = !m_request.rollback;
  const char* command = m_committing ? "COMMIT" : "ROLLBACK";
  // The final statement goes first in the pipeline: if it fails, the server
  // skips COMMIT and the transaction is rolled back below.
  const auto* final_statement =
      m_committing && m_request.final_statement ? &*m_request.final_statement : nullptr;
  const std::size_t commit_at = final_statement != nullptr ? 1 : 0;
  const auto send_final = [&] {
    if (final_statement == nullptr) {
      return true;
    }
    const auto values = c_strings(final_statement->params, final_statement->params.size());
    return pq().PQsendQueryParams(m_conn, final_statement->sql.c_str(),
                                  static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                                  nullptr, 0) == 1;
  };
  const bool ok =
      pq().PQenterPipelineMode(m_conn) == 1 && send_final() &&
      pq().PQsendQueryParams(m_conn, command, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      pq().PQsendQueryParams(m_conn, "DISCARD ALL", 0, nullptr, nullptr, nullptr, nullptr, 0) ==
          1 &&
      pq().PQpipelineSync(m_conn) == 1;
  if (auto step = sent(ok); !step) {
    return step;
  }
  Results results;
  auto step = await(results);
  const bool ended = results.size() > commit_at &&
                     pq().PQresultStatus(results[commit_at].get()) == PGRES_COMMAND_OK &&
                     std::string_view(pq().PQcmdStatus(results[commit_at].get())) == command;
  if (!step && ended && (step.error().wake != Wake::ready || step.error().error_at > commit_at)) {
    return {}; // the transaction ended as it should; only DISCARD ALL failed: m_clean stays false
  }
  if (step && m_committing && !ended) {
    return tl::unexpected(Failure{Wake::ready, nullptr, "the server rolled back at COMMIT"});
  }
  m_clean = step.has_value();
  return step;
}

// Resets the session with DISCARD ALL once its transaction is over (within
// the grace roll_back() set); false when it could not, and the connection
// must not serve another task.
bool Transaction::clean_up()
{
  if (pq().PQtransactionStatus(m_conn) != PQTRANS_IDLE ||
      pq().PQsendQuery(m_conn, "DISCARD ALL") != 1) {
    return false;
  }
  Results results;
  return collect(m_conn, m_waiter, results) == Wake::ready && first_error(results) == nullptr &&
         pq().PQtransactionStatus(m_conn) == PQTRANS_IDLE;
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
  if (failure.refused) {
    result.outcome = SqlOutcome::refused;
    result.message = failure.message;
    const bool usable = roll_back(m_conn, m_waiter) && clean_up();
    return {std::move(result), usable};
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
  const bool usable = roll_back(m_conn, m_waiter) && clean_up();
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
  if (m_committing && committed(late)) { // COMMIT went through after all: the work is done
    return {std::move(result), answered && roll_back(m_conn, m_waiter) && clean_up()};
  }
  if (const auto* error = first_error(late); error != nullptr) {
    take_error(result, error);
  }
  result.outcome = outcome;
  const bool usable = answered && roll_back(m_conn, m_waiter) && clean_up();
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
