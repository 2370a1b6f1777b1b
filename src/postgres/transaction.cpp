// SPDX-License-Identifier: MIT
// One task's transaction on an open, clean connection: the task's statements
// split into commands, and transaction control refused before anything runs;
// then BEGIN, the settings, every command, COMMIT (ROLLBACK in a dry run) and
// DISCARD ALL sent together in pipeline mode, one round trip, each command's
// rows read one at a time. On any failure a cancel, a ROLLBACK, a DISCARD ALL
// and a SqlResult that says which statement failed and why. The reasons are
// at the top of postgres/executor.cpp.
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

// What goes out in the pipeline, in order; the results come back in the same order.
enum class Item {
  begin,           // BEGIN
  set_transaction, // the task's leading SET TRANSACTION, which must precede any query
  settings,        // statement_timeout, application_name and the request's settings
  command,         // one command of the task
  final_statement, // the request's final statement (the cluster's done mark)
  end,             // COMMIT, or ROLLBACK in a dry run
  discard,         // DISCARD ALL
};

struct Slot
{
  Item item;
  std::size_t command = 0; // index in the commands, for set_transaction and command
};

// Why the transaction did not go on.
struct Failure
{
  Wake wake = Wake::ready; // ready: the server refused (see error or message)
  ResultPtr error;         // the server's error, when it sent one
  std::string message;     // our explanation, when it did not
  bool refused = false;    // the task asked for transaction control
};
using Step = tl::expected<void, Failure>;

constexpr std::string_view k_refusal =
    "transaction control is not allowed in a task: \"{}\"; the runner commits or rolls back";

// Failure for a command that would leave the runner's transaction.
Failure refusal(std::string_view shown, std::string_view consequence = {})
{
  return {Wake::ready, nullptr,
          fmt::format(fmt::runtime(k_refusal), shown) + std::string(consequence), true};
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
// command, then COMMIT (or ROLLBACK), all in one pipeline; cancels and rolls
// back on any failure.
class Transaction
{
public:
  Transaction(PGconn* conn, const SqlRequest& request, Waiter& waiter, bool confirm_first)
      : m_conn(conn), m_request(request), m_waiter(waiter), m_confirm_first(confirm_first)
  {
  }
  Ending run();

private:
  Step plan();
  Step check_params(const Command& command) const;
  void lay_out();
  Step exchange(std::size_t from, std::size_t to);
  bool send(const Slot& slot);
  bool send_text(const std::string& sql, const std::vector<const char*>& values);
  void start_item();
  void take(ResultPtr result);
  void finish_item();
  void keep_error(ResultPtr error);
  Step settle(Wake wake);
  std::size_t statement_of(std::size_t at) const;
  Ending fail(Failure failure);
  Ending fail_in_time(SqlOutcome outcome);
  bool clean_up();

  PGconn* m_conn;
  const SqlRequest& m_request;
  Waiter& m_waiter;
  bool m_confirm_first; // BEGIN and the settings alone first: the connection may have died idle
  SqlResult m_result;
  std::vector<Command> m_commands;
  std::vector<Slot> m_items;            // the pipeline, in order
  std::size_t m_at = 0;                 // the item whose results are being read
  std::optional<ResultReader> m_reader; // the results of the command under way
  ResultPtr m_error;                    // the server's first error
  std::size_t m_error_at = 0;           // the item it answered
  bool m_server_error = false;          // the server sent it (it aborted the pipeline there)
  std::optional<Failure> m_refusal;     // a command that left the transaction after all
  std::size_t m_statement = 0;          // 1-based index of the statement that failed, 0: none
  bool m_commit_sent = false; // COMMIT is on its way: a broken connection leaves it in doubt
  bool m_ended = false;       // COMMIT (or ROLLBACK) answered as sent
  bool m_discarded = false;   // DISCARD ALL answered
  bool m_clean = false;       // the session is idle and reset
};

Ending Transaction::run()
{
  if (auto planned = plan(); !planned) {
    m_result.outcome = planned.error().refused ? SqlOutcome::refused : SqlOutcome::sql_error;
    m_result.message = std::move(planned.error().message);
    m_result.failed_statement = static_cast<int>(m_statement);
    return {std::move(m_result), true}; // nothing was sent: the session is as clean as it was
  }
  lay_out();
  std::size_t from = 0;
  if (m_confirm_first) {
    const auto opened =
        static_cast<std::size_t>(std::find_if(m_items.begin(), m_items.end(),
                                              [](const Slot& slot) {
                                                return slot.item == Item::command ||
                                                       slot.item == Item::final_statement ||
                                                       slot.item == Item::end;
                                              }) -
                                 m_items.begin());
    if (auto began = exchange(0, opened); !began) {
      const bool broken = began.error().wake == Wake::broken;
      auto ending = fail(std::move(began.error()));
      ending.nothing_ran = broken;
      return ending;
    }
    from = opened;
  }
  if (auto done = exchange(from, m_items.size()); !done) {
    // A session the server ended before BEGIN (its FATAL answers BEGIN): nothing ran.
    const bool before_begin =
        done.error().wake == Wake::broken && from == 0 && m_error_at == 0 && m_server_error;
    auto ending = fail(std::move(done.error()));
    ending.nothing_ran = before_begin;
    return ending;
  }
  return {std::move(m_result), m_clean};
}

// Splits the task's statements into commands, as the server will read them,
// and refuses the task if one of them is transaction control or uses a $n it
// does not bind: before anything is sent.
Step Transaction::plan()
{
  const char* standard = pq().PQparameterStatus(m_conn, "standard_conforming_strings");
  const auto strings = standard != nullptr && std::string_view(standard) == "off"
                           ? StandardStrings::off
                           : StandardStrings::on;
  const auto& statements = m_request.statements;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    for (const auto& command : split_commands(statements[i], strings)) {
      m_statement = i + 1;
      if (auto shown = transaction_control(command.text); !shown.empty()) {
        return tl::unexpected(refusal(shown));
      }
      m_commands.push_back({std::string(command.text), i + 1, command.params});
      if (auto step = check_params(m_commands.back()); !step) {
        return step;
      }
    }
  }
  m_statement = 0;
  return {};
}

// Each command binds the first $1..$n of the request's params, n being the
// highest it uses (as the server counts its parameters).
Step Transaction::check_params(const Command& command) const
{
  const auto used = static_cast<std::size_t>(command.params);
  if (used == 0 || used <= m_request.params.size()) {
    return {};
  }
  return tl::unexpected(
      Failure{Wake::ready, nullptr,
              m_request.params.empty()
                  ? fmt::format("the statement uses ${} but the task binds no params", used)
                  : fmt::format("the statement uses ${} but the task binds only {} params", used,
                                m_request.params.size())});
}

// The pipeline: BEGIN, a leading SET TRANSACTION of the task, the settings,
// the other commands, the final statement, COMMIT or ROLLBACK, DISCARD ALL.
void Transaction::lay_out()
{
  const bool set_transaction = !m_commands.empty() && is_set_transaction(m_commands.front().text);
  m_items.push_back({Item::begin});
  if (set_transaction) {
    m_items.push_back({Item::set_transaction, 0});
  }
  m_items.push_back({Item::settings});
  for (std::size_t i = set_transaction ? 1 : 0; i < m_commands.size(); ++i) {
    m_items.push_back({Item::command, i});
  }
  if (!m_request.rollback && m_request.final_statement) {
    m_items.push_back({Item::final_statement});
  }
  m_items.push_back({Item::end});
  m_items.push_back({Item::discard});
}

// Sends the items [from, to) and a sync point in one go and reads their
// results; fails on the first error, a command that left the transaction, or
// a wait that ended early.
Step Transaction::exchange(std::size_t from, std::size_t to)
{
  bool ok = pq().PQenterPipelineMode(m_conn) == 1;
  for (auto i = from; ok && i < to; ++i) {
    // From COMMIT on, a broken connection leaves the outcome in doubt: the
    // server runs each statement as it arrives, before the sync point.
    m_commit_sent = m_commit_sent || (m_items[i].item == Item::end && !m_request.rollback);
    ok = send(m_items[i]);
  }
  if (!ok || pq().PQpipelineSync(m_conn) != 1) {
    return tl::unexpected(Failure{Wake::broken, nullptr, one_line(pq().PQerrorMessage(m_conn))});
  }
  m_at = from;
  start_item();
  const auto wake = collect(
      m_conn, m_waiter, [this](ResultPtr result) { take(std::move(result)); },
      [this] { finish_item(); });
  return settle(wake);
}

bool Transaction::send_text(const std::string& sql, const std::vector<const char*>& values)
{
  return pq().PQsendQueryParams(m_conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                values.data(), nullptr, nullptr, 0) == 1;
}

// Queues one item. Each goes out with the extended protocol, whose Parse
// refuses a string of several commands: a command the split missed cannot
// slip past the check in plan().
bool Transaction::send(const Slot& slot)
{
  switch (slot.item) {
  case Item::begin:
    return send_text("BEGIN", {});
  case Item::set_transaction:
    return send_text(m_commands[slot.command].text, {});
  case Item::settings: {
    std::vector<std::string> bound{"statement_timeout", statement_timeout_value(m_request.timeout)};
    if (!m_request.application_name.empty()) {
      bound.insert(bound.end(), {"application_name", m_request.application_name});
    }
    for (const auto& [name, value] : m_request.settings) {
      bound.insert(bound.end(), {name, value});
    }
    return send_text(settings_statement(bound.size() / 2), c_strings(bound, bound.size()));
  }
  case Item::command: {
    const auto& command = m_commands[slot.command];
    return send_text(command.text,
                     c_strings(m_request.params, static_cast<std::size_t>(command.params)));
  }
  case Item::final_statement: {
    const auto& final_statement = *m_request.final_statement;
    return send_text(final_statement.sql,
                     c_strings(final_statement.params, final_statement.params.size()));
  }
  case Item::end:
    return send_text(m_request.rollback ? "ROLLBACK" : "COMMIT", {});
  case Item::discard:
    return send_text("DISCARD ALL", {});
  }
  return false;
}

// Before the first result of item m_at: a command's rows are read one at a time.
void Transaction::start_item()
{
  if (m_at < m_items.size() && m_items[m_at].item == Item::command) {
    m_reader.emplace(m_result);
  }
  // Every item in single-row mode: the rows of the settings query, like the
  // command's beyond the preview, are not kept.
  pq().PQsetSingleRowMode(m_conn);
}

// One result of item m_at.
void Transaction::take(ResultPtr result)
{
  if (m_at >= m_items.size()) {
    return;
  }
  const auto item = m_items[m_at].item;
  if (item == Item::command) {
    m_reader->take(std::move(result));
    return;
  }
  const auto status = pq().PQresultStatus(result.get());
  if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
    keep_error(std::move(result));
  } else if (status == PGRES_COMMAND_OK && item == Item::end) {
    m_ended = std::string_view(pq().PQcmdStatus(result.get())) ==
              (m_request.rollback ? "ROLLBACK" : "COMMIT");
  } else if (status == PGRES_COMMAND_OK && item == Item::discard) {
    m_discarded = true;
  }
}

// All results of item m_at are in. A command that ended the transaction
// (which plan() should have refused: this is the check that holds regardless
// of the split) fails the task, though what ran around it may be committed.
void Transaction::finish_item()
{
  if (m_at < m_items.size() && m_items[m_at].item == Item::command && m_reader) {
    if (m_reader->failed()) {
      keep_error(m_reader->release_error());
    } else if (is_transaction_tag(m_reader->tag()) && !m_refusal && !m_error) {
      auto text = std::string_view(m_commands[m_items[m_at].command].text);
      while (!text.empty() && (text.back() == ';' || text.back() == ' ' || text.back() == '\n')) {
        text.remove_suffix(1);
      }
      m_refusal = refusal(preview_cell(one_line(text), 64),
                          " (it ended the runner's transaction: what ran before and after it may "
                          "have been committed)");
      m_statement = statement_of(m_at);
    }
    m_reader.reset();
  }
  ++m_at;
  start_item();
}

void Transaction::keep_error(ResultPtr error)
{
  if (!m_error) {
    // The server's errors carry a SQLSTATE; libpq's own (a broken connection) do not.
    m_server_error = pq().PQresultErrorField(error.get(), PG_DIAG_SQLSTATE) != nullptr;
    m_error = std::move(error);
    m_error_at = m_at;
  }
}

// The statement of the task that item `at` runs; 0 for the runner's own items.
std::size_t Transaction::statement_of(std::size_t at) const
{
  if (at >= m_items.size()) {
    return 0;
  }
  const auto& slot = m_items[at];
  const bool tasks = slot.item == Item::command || slot.item == Item::set_transaction;
  return tasks ? m_commands[slot.command].statement : 0;
}

// What the exchange came to, once collecting ended.
Step Transaction::settle(Wake wake)
{
  if (wake != Wake::ready) {
    m_statement = m_error ? statement_of(m_error_at) : statement_of(m_at);
    return tl::unexpected(Failure{wake, std::move(m_error), {}});
  }
  if (m_error) {
    if (m_ended && m_items[m_error_at].item == Item::discard) {
      return {}; // the transaction ended as it should; only DISCARD ALL failed: m_clean stays false
    }
    m_statement = statement_of(m_error_at);
    return tl::unexpected(Failure{Wake::ready, std::move(m_error), {}});
  }
  if (m_refusal) {
    return tl::unexpected(std::move(*m_refusal));
  }
  if (m_at >= m_items.size()) { // the last batch, which ends with COMMIT (or ROLLBACK)
    if (!m_ended && !m_request.rollback) {
      return tl::unexpected(Failure{Wake::ready, nullptr, "the server rolled back at COMMIT"});
    }
    m_clean = m_ended && m_discarded && pq().PQtransactionStatus(m_conn) == PQTRANS_IDLE;
  }
  return {};
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
    if (m_commit_sent && !m_ended && !m_server_error) {
      // COMMIT went out with the statements: without an error before the
      // break, the server may have run them all and committed.
      result.sqlstate = k_sqlstate_commit_unknown; // never retried: it may have committed
      result.message += " (the connection broke after COMMIT was sent: the transaction may have "
                        "committed)";
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
  if ((m_commit_sent && m_ended) || (m_commit_sent && !m_server_error && committed(late))) {
    // COMMIT went through after all: the work is done
    result.failed_statement = 0;
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

Ending run_transaction(PGconn* conn, const SqlRequest& request, Waiter& waiter, bool confirm_first)
{
  return Transaction(conn, request, waiter, confirm_first).run();
}

} // namespace pt::pg
