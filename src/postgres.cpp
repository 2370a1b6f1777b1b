// SPDX-License-Identifier: MIT
// Talking to PostgreSQL so that no server, network or statement can hold the run.
//
// Nothing here blocks in libpq. Connections start with PQconnectStartParams and
// are driven by PQconnectPoll; queries go out with PQsend* on a non-blocking
// connection and come back through PQconsumeInput/PQgetResult. All waiting is
// one poll() on the libpq socket plus the runner's stop fd, bounded by a
// deadline. That is what makes connect_timeout hard: libpq enforces it only in
// its blocking PQconnectdb, so a server that accepts TCP and never answers would
// otherwise hold the run for ever. (Name resolution inside PQconnectStartParams
// still blocks; use an address or a socket directory for a host you distrust.)
//
// Deadlines are enforced on both ends. The server gets statement_timeout, set
// with set_config(..., true) so it dies with the transaction; the client sends
// a cancel request at the task's deadline. PQcancel() opens a connection of its
// own and waits for the server's answer without any timeout, so it runs on a
// short-lived thread (with every signal blocked, so the runner's handlers keep
// waking the main thread). We wait at most k_cancel_grace for the cancelled
// statement's result and for that thread; if either is late the connection is
// closed, which the server notices and rolls back. A late cancel request must
// never hit the next task's statement, hence waiting for the thread before the
// connection is reused. A stop request (SIGTERM/SIGINT) takes the same path,
// then ROLLBACK, so nothing keeps running in pg_stat_activity.
//
// Connections break: pg_terminate_backend, a server restart, a network cut.
// A connection is checked before reuse (a FATAL and EOF may be waiting in the
// socket) and, if BEGIN fails on a reused connection, replaced once, since no
// work of the task has run yet. A connection that broke mid-task fails that
// task (connection_failed) and is replaced by the next one.
//
// Round trips: BEGIN and the settings go out together in pipeline mode, and so
// do the Parse and Describe of a statement with parameters. The Describe tells
// how many $n the statement uses, so a task can bind params = ["as_of",
// "run_id"] while one of its statements uses only $1. Statements without
// parameters use the simple protocol, which allows several commands per string.
//
// Secrets: the password is passed as a keyword, never spliced into a conninfo
// string. A conninfo that libpq cannot parse is reported without echoing it,
// and every text that leaves this file is redacted of every password in play.
#include "postgres.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <future>
#include <optional>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <libpq-fe.h>

#include "postgres_text.hpp"
#include "text.hpp"

namespace pt {
namespace {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using namespace std::chrono_literals;

constexpr auto k_cancel_grace = 2s;    // wait this long for a cancelled statement to end
constexpr auto k_timeout_slack = 20ms; // a server statement_timeout this near our deadline is it
constexpr std::size_t k_preview_cell_bytes = 256;
constexpr const char* k_application = "periodic_tasks";

struct ConnCloser
{
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;

struct ResultClearer
{
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;
using Results = std::vector<ResultPtr>;

std::optional<TimePoint> deadline_after(TimePoint now, Duration duration)
{
  // Anything beyond a century is "never", which also keeps the addition from overflowing.
  if (duration == k_infinite || duration > std::chrono::hours(24 * 365 * 100)) {
    return std::nullopt;
  }
  return now + std::max(duration, Duration::zero());
}

std::optional<TimePoint> earliest(std::optional<TimePoint> a, std::optional<TimePoint> b)
{
  if (!a || !b) {
    return a ? a : b;
  }
  return std::min(*a, *b);
}

int poll_timeout_ms(TimePoint now, std::optional<TimePoint> wake)
{
  if (!wake) {
    return 60'000; // nothing to wait for but the socket and the stop fd: look again now and then
  }
  if (*wake <= now) {
    return 0;
  }
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*wake - now).count();
  return static_cast<int>(std::min<decltype(ms)>(ms, 60'000));
}

std::vector<const char*> c_strings(const std::vector<std::string>& values, std::size_t count)
{
  std::vector<const char*> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(values[i].c_str());
  }
  return out;
}

// --- Waiting -------------------------------------------------------------------

// Why a wait for the server ended.
enum class Wake {
  ready,    // the socket is ready (or, for a collect, every result is in)
  deadline, // the deadline passed first
  stop,     // the runner was asked to stop
  broken,   // the connection is gone
  copy,     // the statement started a COPY to or from the client, which tasks cannot feed
};

// Sleeps in poll() on a libpq socket, bounded by a deadline and the stop request.
class Waiter
{
public:
  Waiter(const StopSource& stop, int stop_fd, std::optional<TimePoint> deadline)
      : m_stop(stop), m_stop_fd(stop_fd), m_deadline(deadline)
  {
  }

  // Waits until `socket` is ready for `events`, the deadline passes or a stop is requested.
  Wake wait(int socket, short events);
  std::optional<TimePoint> deadline() const { return m_deadline; }
  int stop_signal() const { return m_stop.stop_signal(); }
  void set_deadline(std::optional<TimePoint> deadline) { m_deadline = deadline; }
  // Lets waits end only by the socket or the deadline, while cleaning up after a stop.
  void ignore_stop() { m_watch_stop = false; }

private:
  const StopSource& m_stop;
  int m_stop_fd;
  bool m_watch_stop = true;
  std::optional<TimePoint> m_deadline;
};

Wake Waiter::wait(int socket, short events)
{
  if (socket < 0) {
    return Wake::broken;
  }
  for (;;) {
    if (m_watch_stop && m_stop.stop_signal() != 0) {
      return Wake::stop;
    }
    const auto now = Clock::now();
    if (m_deadline && now >= *m_deadline) {
      return Wake::deadline;
    }
    std::array<pollfd, 2> fds{{{socket, events, 0}, {m_watch_stop ? m_stop_fd : -1, POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), poll_timeout_ms(now, m_deadline)) < 0) {
      continue; // EINTR: the runner's stop handler (looked at above) or another signal
    }
    if (fds[0].revents != 0) {
      return Wake::ready;
    }
    if (fds[1].revents != 0 && m_stop.stop_signal() == 0) {
      m_stop_fd = -1; // readable without a stop request: stop polling it rather than spin
    }
  }
}

// Sends what libpq has queued and waits until a result can be read without blocking.
Wake await_result(PGconn* conn, Waiter& waiter)
{
  for (;;) {
    const int pending = PQflush(conn);
    if (pending < 0) {
      return Wake::broken;
    }
    if (pending == 0 && PQisBusy(conn) == 0) {
      return Wake::ready;
    }
    const auto events = static_cast<short>(pending == 1 ? POLLIN | POLLOUT : POLLIN);
    if (const auto wake = waiter.wait(PQsocket(conn), events); wake != Wake::ready) {
      return wake;
    }
    if (PQconsumeInput(conn) == 0) {
      return Wake::broken;
    }
  }
}

bool is_copy(const PGresult* result)
{
  const auto status = PQresultStatus(result);
  return status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH;
}

// Collects every result of what was sent: up to libpq's NULL for one command,
// up to the sync point in pipeline mode (which it then leaves). Returns ready
// once everything is in, or why waiting ended early.
Wake collect(PGconn* conn, Waiter& waiter, Results& results)
{
  const bool pipeline = PQpipelineStatus(conn) != PQ_PIPELINE_OFF;
  for (;;) {
    const auto wake = await_result(conn, waiter);
    if (wake == Wake::deadline || wake == Wake::stop) {
      return wake;
    }
    if (wake == Wake::broken && PQstatus(conn) != CONNECTION_BAD) {
      return wake; // PQgetResult could block on what is left of the socket
    }
    ResultPtr result(PQgetResult(conn));
    if (!result) {
      if (PQstatus(conn) == CONNECTION_BAD) {
        return Wake::broken;
      }
      if (pipeline) {
        continue; // the end of one command's results; the next command's follow
      }
      return Wake::ready;
    }
    if (PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) {
      return PQexitPipelineMode(conn) == 1 ? Wake::ready : Wake::broken;
    }
    if (is_copy(result.get())) {
      return Wake::copy;
    }
    results.push_back(std::move(result));
  }
}

// --- Cancel requests ------------------------------------------------------------

// A cancel request in flight on a thread of its own (see the top of the file).
class CancelRequest
{
public:
  // Starts asking the server to cancel what `conn` runs; false when it cannot be sent.
  bool start(PGconn* conn);
  // Waits until the request was delivered (or failed) or `until`; true if it finished.
  bool wait_until(TimePoint until) const
  {
    return m_done.valid() && m_done.wait_until(until) == std::future_status::ready;
  }

private:
  std::future<void> m_done;
};

bool CancelRequest::start(PGconn* conn)
{
  PGcancel* cancel = PQgetCancel(conn);
  if (cancel == nullptr) {
    return false;
  }
  std::promise<void> promise;
  m_done = promise.get_future();
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_BLOCK, &all, &old); // the thread inherits the mask: signals stay ours
  try {
    std::thread([cancel, done = std::move(promise)]() mutable {
      std::array<char, 256> error{};
      PQcancel(cancel, error.data(), static_cast<int>(error.size()));
      PQfreeCancel(cancel);
      done.set_value();
    }).detach();
  } catch (const std::system_error&) {
    PQfreeCancel(cancel);
    m_done = {};
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return m_done.valid();
}

// --- Results ---------------------------------------------------------------------

std::string error_field(const PGresult* result, int code)
{
  const char* value = PQresultErrorField(result, code);
  return value != nullptr ? value : "";
}

const PGresult* first_error(const Results& results)
{
  for (const auto& result : results) {
    const auto status = PQresultStatus(result.get());
    if (status == PGRES_FATAL_ERROR || status == PGRES_BAD_RESPONSE) {
      return result.get();
    }
  }
  return nullptr;
}

// Copies the server's SQLSTATE, message, detail and hint from `error`.
void take_error(SqlResult& result, const PGresult* error)
{
  result.sqlstate = error_field(error, PG_DIAG_SQLSTATE);
  result.message = one_line(error_field(error, PG_DIAG_MESSAGE_PRIMARY));
  result.detail = error_field(error, PG_DIAG_MESSAGE_DETAIL);
  result.hint = error_field(error, PG_DIAG_MESSAGE_HINT);
  if (result.message.empty()) {
    result.message = one_line(PQresultErrorMessage(error)); // libpq's own errors have no fields
  }
}

std::int64_t command_count(PGresult* result)
{
  const std::string_view text = PQcmdTuples(result);
  std::int64_t count = 0;
  std::from_chars(text.data(), text.data() + text.size(), count);
  return count;
}

// True for commands whose count is rows read, not rows changed.
bool counts_rows_read(PGresult* result)
{
  const std::string_view tag = PQcmdStatus(result);
  const bool select = tag.substr(0, 7) == "SELECT " && PQresultStatus(result) == PGRES_TUPLES_OK;
  return select || tag.substr(0, 6) == "FETCH " || tag.substr(0, 5) == "MOVE ";
}

void take_rows(SqlResult& sql, const PGresult* result)
{
  const int rows = PQntuples(result);
  const int columns = PQnfields(result);
  sql.rows_returned = rows;
  sql.columns.clear();
  for (int column = 0; column < columns; ++column) {
    sql.columns.emplace_back(PQfname(result, column));
  }
  sql.preview.clear();
  for (int row = 0; row < rows && sql.preview.size() < k_preview_rows; ++row) {
    auto& values = sql.preview.emplace_back();
    for (int column = 0; column < columns; ++column) {
      values.push_back(PQgetisnull(result, row, column) != 0
                           ? std::string("NULL")
                           : preview_cell(PQgetvalue(result, row, column), k_preview_cell_bytes));
    }
  }
}

// Adds what one statement's results did to `sql`: rows changed, rows returned.
void absorb(SqlResult& sql, const Results& results)
{
  for (const auto& result : results) {
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      continue;
    }
    if (!counts_rows_read(result.get())) {
      sql.rows_affected += command_count(result.get());
    }
    if (status == PGRES_TUPLES_OK) {
      take_rows(sql, result.get());
    }
  }
}

// --- One task's transaction ---------------------------------------------------

// Why a step of the transaction did not go on.
struct Failure
{
  Wake wake = Wake::ready; // ready: the server refused (see error or message)
  ResultPtr error;         // the server's error, when it sent one
  std::string message;     // our explanation, when it did not
};
using Step = tl::expected<void, Failure>;

// What came of a transaction, and of the connection it ran on.
struct Ending
{
  SqlResult result;
  bool keep_connection = true;
  bool nothing_ran = false; // the connection broke at BEGIN: the task may run on a new one
};

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
  Step end();
  Step await(Results& results);
  Step sent(bool ok);
  Ending fail(Failure failure);
  Ending fail_in_time(SqlOutcome outcome);
  bool roll_back();

  PGconn* m_conn;
  const SqlRequest& m_request;
  Waiter& m_waiter;
  SqlResult m_result;
  bool m_committing = false;
  std::size_t m_begun_statements = 0; // a leading SET TRANSACTION runs with BEGIN
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
    if (auto done = execute(m_request.statements[i]); !done) {
      return fail(std::move(done.error()));
    }
  }
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
  return tl::unexpected(Failure{Wake::broken, nullptr, one_line(PQerrorMessage(m_conn))});
}

// Waits for what was sent; fails on the first error the server reported.
Step Transaction::await(Results& results)
{
  const auto wake = collect(m_conn, m_waiter, results);
  const auto* error = first_error(results);
  if (wake != Wake::ready || error != nullptr) {
    ResultPtr kept;
    for (auto& result : results) {
      if (result.get() == error) {
        kept = std::move(result);
      }
    }
    return tl::unexpected(Failure{wake, std::move(kept), {}});
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
  const bool ok =
      PQenterPipelineMode(m_conn) == 1 &&
      PQsendQueryParams(m_conn, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
      (m_begun_statements == 0 || PQsendQueryParams(m_conn, statements.front().c_str(), 0, nullptr,
                                                    nullptr, nullptr, nullptr, 0) == 1) &&
      PQsendQueryParams(m_conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0) == 1 &&
      PQpipelineSync(m_conn) == 1;
  if (auto step = sent(ok); !step) {
    return step;
  }
  Results results;
  return await(results);
}

Step Transaction::execute(const std::string& statement)
{
  if (!m_request.params.empty()) {
    return execute_with_params(statement);
  }
  if (auto step = sent(PQsendQuery(m_conn, statement.c_str()) == 1); !step) {
    return step;
  }
  Results results;
  auto step = await(results);
  absorb(m_result, results);
  return step;
}

// Parse and Describe in one round trip, to learn how many $n the statement
// uses; then Bind and Execute with that many of the request's params.
Step Transaction::execute_with_params(const std::string& statement)
{
  const bool ok = PQenterPipelineMode(m_conn) == 1 &&
                  PQsendPrepare(m_conn, "", statement.c_str(), 0, nullptr) == 1 &&
                  PQsendDescribePrepared(m_conn, "") == 1 && PQpipelineSync(m_conn) == 1;
  if (auto step = sent(ok); !step) {
    return step;
  }
  Results described;
  if (auto step = await(described); !step) {
    return step;
  }
  const auto used =
      static_cast<std::size_t>(described.size() == 2 ? PQnparams(described[1].get()) : 0);
  if (used > m_request.params.size()) {
    return tl::unexpected(Failure{Wake::ready, nullptr,
                                  fmt::format("the statement uses ${} but the task binds only {} "
                                              "params",
                                              used, m_request.params.size())});
  }
  const auto values = c_strings(m_request.params, used);
  if (auto step = sent(PQsendQueryPrepared(m_conn, "", static_cast<int>(used), values.data(),
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
  if (auto step = sent(PQsendQuery(m_conn, command) == 1); !step) {
    return step;
  }
  Results results;
  auto step = await(results);
  if (step && m_committing && !results.empty() &&
      std::string_view(PQcmdStatus(results.back().get())) != "COMMIT") {
    return tl::unexpected(Failure{Wake::ready, nullptr, "the server rolled back at COMMIT"});
  }
  return step;
}

// Ends an open transaction with ROLLBACK within the grace; false when the
// connection is not fit for another task.
bool Transaction::roll_back()
{
  m_waiter.ignore_stop();
  m_waiter.set_deadline(Clock::now() + k_cancel_grace);
  const auto status = PQtransactionStatus(m_conn);
  if (status == PQTRANS_IDLE) {
    return PQstatus(m_conn) == CONNECTION_OK;
  }
  if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR) {
    return false; // a command is still running, or the connection is gone
  }
  if (PQsendQuery(m_conn, "ROLLBACK") != 1) {
    return false;
  }
  Results results;
  return collect(m_conn, m_waiter, results) == Wake::ready && first_error(results) == nullptr &&
         PQtransactionStatus(m_conn) == PQTRANS_IDLE;
}

Ending Transaction::fail(Failure failure)
{
  auto& result = m_result;
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
      result.message = failure.message.empty() ? one_line(PQerrorMessage(m_conn)) : failure.message;
    }
    result.message = "connection lost: " + result.message;
    if (m_committing) {
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
  const bool usable = roll_back();
  return {std::move(result), usable};
}

// The deadline passed or a stop was requested while the server worked: cancel
// what runs, wait for it to end, and roll back, all within the grace.
Ending Transaction::fail_in_time(SqlOutcome outcome)
{
  const auto what = outcome == SqlOutcome::timeout
                        ? fmt::format("timed out after {}", format_timespan(m_request.timeout))
                        : fmt::format("interrupted by {}", signal_name(m_waiter.stop_signal()));
  m_waiter.ignore_stop();
  const auto grace_end = Clock::now() + k_cancel_grace;
  m_waiter.set_deadline(grace_end);
  CancelRequest cancel;
  const bool cancelling = cancel.start(m_conn);
  Results late;
  const auto wake = collect(m_conn, m_waiter, late);
  const bool answered = wake == Wake::ready && (!cancelling || cancel.wait_until(grace_end));
  auto& result = m_result;
  if (const auto* error = first_error(late); error != nullptr) {
    take_error(result, error);
  } else if (wake == Wake::ready && m_committing) {
    return {std::move(result), answered}; // COMMIT went through after all: the work is done
  }
  result.outcome = outcome;
  const bool usable = answered && roll_back();
  result.message = answered ? what + "; canceled and rolled back"
                            : fmt::format("{}; no answer to the cancel request within {}, so the "
                                          "connection was closed (the server rolls back)",
                                          what, format_timespan(k_cancel_grace));
  result.detail.clear();
  result.hint.clear();
  return {std::move(result), usable};
}

// --- Connecting -----------------------------------------------------------------

void ignore_notice(void* /*unused*/, const char* /*message*/) {}

bool looks_like_conninfo(std::string_view conninfo)
{
  return conninfo.find('=') != std::string_view::npos ||
         conninfo.substr(0, 13) == "postgresql://" || conninfo.substr(0, 11) == "postgres://";
}

std::string text_or_empty(const char* text)
{
  return text != nullptr ? text : "";
}

} // namespace

// One database: its settings, and the connection while one is open.
class PgExecutor::Session
{
public:
  explicit Session(Database database) : m_database(std::move(database)) {}
  const std::string& name() const { return m_database.name; }
  // Runs `request`, connecting first if there is no usable connection.
  SqlResult run(const SqlRequest& request, Waiter& waiter, const SecretSource& secrets);
  // Removes every password in play from `result`'s texts.
  void redact(SqlResult& result) const;

private:
  bool usable();
  tl::expected<void, SqlResult> connect(Waiter& waiter, const SecretSource& secrets);
  tl::expected<void, std::string> check_conninfo();
  tl::expected<void, SqlResult> poll_connection(Waiter& waiter);
  std::string describe() const;
  SqlResult connect_failure(std::string reason) const;

  Database m_database;
  ConnPtr m_conn;
  std::string m_server;
  std::vector<std::string> m_secrets;
};

SqlResult PgExecutor::Session::run(const SqlRequest& request, Waiter& waiter,
                                   const SecretSource& secrets)
{
  bool reused = usable();
  if (!reused) {
    m_conn.reset();
  }
  const auto deadline = waiter.deadline();
  for (;;) {
    waiter.set_deadline(deadline);
    if (!m_conn) {
      if (auto connected = connect(waiter, secrets); !connected) {
        return std::move(connected.error());
      }
    }
    auto ending = Transaction(m_conn.get(), request, waiter).run();
    if (!ending.keep_connection) {
      m_conn.reset();
    }
    if (ending.nothing_ran && reused) {
      reused = false; // the server closed the idle connection: try once on a new one
      continue;
    }
    ending.result.server = m_server;
    return std::move(ending.result);
  }
}

// True when the open connection is idle and alive; reads what the server sent
// while it was idle (a FATAL and EOF after pg_terminate_backend, say).
bool PgExecutor::Session::usable()
{
  if (!m_conn || PQstatus(m_conn.get()) != CONNECTION_OK ||
      PQtransactionStatus(m_conn.get()) != PQTRANS_IDLE) {
    return false;
  }
  pollfd fd{PQsocket(m_conn.get()), POLLIN, 0};
  if (::poll(&fd, 1, 0) > 0 && PQconsumeInput(m_conn.get()) == 0) {
    return false;
  }
  return PQstatus(m_conn.get()) == CONNECTION_OK;
}

// Refuses a conninfo libpq cannot parse, without echoing it (it may hold a
// password); remembers a password written into it, to redact, and the server
// it names, for messages until libpq knows better.
tl::expected<void, std::string> PgExecutor::Session::check_conninfo()
{
  if (!looks_like_conninfo(m_database.conninfo)) {
    m_server = describe_server({}, {}, m_database.conninfo, {}); // a plain database name
    return {};
  }
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(m_database.conninfo.c_str(), &error);
  PQfreemem(error);
  if (options == nullptr) {
    return tl::unexpected(
        fmt::format("the conninfo of database \"{}\" is not a valid libpq connection string or URI",
                    m_database.name));
  }
  std::array<std::string, 4> named; // host, port, dbname, user
  for (const auto* option = options; option->keyword != nullptr; ++option) {
    const std::string_view keyword = option->keyword;
    const auto value = text_or_empty(option->val);
    if (keyword == "password" && !value.empty()) {
      m_secrets.push_back(value);
    }
    for (std::size_t i = 0; i < named.size(); ++i) {
      if (keyword == std::array{"host", "port", "dbname", "user"}[i]) {
        named[i] = value;
      }
    }
  }
  PQconninfoFree(options);
  m_server = describe_server(named[0], named[1], named[2], named[3]);
  return {};
}

tl::expected<void, SqlResult> PgExecutor::Session::connect(Waiter& waiter,
                                                           const SecretSource& secrets)
{
  m_secrets.clear();
  m_server.clear();
  if (auto checked = check_conninfo(); !checked) {
    return tl::unexpected(connect_failure(checked.error()));
  }
  const auto password = secrets.password(m_database);
  if (!password) {
    return tl::unexpected(connect_failure(password.error()));
  }
  if (*password) {
    m_secrets.push_back(**password);
  }
  // Later keywords override earlier ones and the conninfo expanded from
  // "dbname": the conninfo may change the encoding, not our password or timeout.
  std::vector<const char*> keywords{"client_encoding", "fallback_application_name", "dbname"};
  std::vector<const char*> values{"UTF8", k_application, m_database.conninfo.c_str()};
  if (*password) {
    keywords.push_back("password");
    values.push_back((*password)->c_str());
  }
  const auto timeout = connect_timeout_value(m_database.connect_timeout);
  keywords.push_back("connect_timeout");
  values.push_back(timeout.c_str());
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  m_conn.reset(PQconnectStartParams(keywords.data(), values.data(), 1));
  if (!m_conn) {
    return tl::unexpected(connect_failure("out of memory"));
  }
  if (const char* used = PQpass(m_conn.get()); used != nullptr && *used != '\0') {
    m_secrets.emplace_back(used); // from ~/.pgpass or $PGPASSWORD
  }
  if (PQstatus(m_conn.get()) != CONNECTION_BAD) {
    m_server = describe(); // libpq has filled in the defaults
  }
  return poll_connection(waiter);
}

// Drives PQconnectPoll until the connection is up, bounded by connect_timeout
// and the task's own deadline, and watching for a stop request.
tl::expected<void, SqlResult> PgExecutor::Session::poll_connection(Waiter& waiter)
{
  const auto task_deadline = waiter.deadline();
  const auto connect_deadline = deadline_after(Clock::now(), m_database.connect_timeout);
  waiter.set_deadline(earliest(task_deadline, connect_deadline));
  auto status =
      PQstatus(m_conn.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED) {
    const auto events = static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT);
    const auto wake = waiter.wait(PQsocket(m_conn.get()), events);
    if (wake == Wake::stop) {
      auto result = connect_failure("interrupted by a stop request while connecting");
      result.outcome = SqlOutcome::interrupted;
      m_conn.reset();
      return tl::unexpected(std::move(result));
    }
    if (wake == Wake::deadline) {
      const bool ours = connect_deadline && (!task_deadline || *connect_deadline <= *task_deadline);
      auto result =
          connect_failure(ours ? fmt::format("no answer within {} (connect_timeout)",
                                             format_timespan(m_database.connect_timeout))
                               : std::string("the task's timeout passed while connecting"));
      result.outcome = ours ? SqlOutcome::connection_failed : SqlOutcome::timeout;
      m_conn.reset();
      return tl::unexpected(std::move(result));
    }
    status = PQconnectPoll(m_conn.get());
  }
  waiter.set_deadline(task_deadline);
  m_server = describe();
  if (status == PGRES_POLLING_FAILED) {
    auto result = connect_failure(connect_failure_reason(PQerrorMessage(m_conn.get())));
    m_conn.reset();
    return tl::unexpected(std::move(result));
  }
  PQsetnonblocking(m_conn.get(), 1);
  PQsetNoticeProcessor(m_conn.get(), ignore_notice, nullptr);
  return {};
}

std::string PgExecutor::Session::describe() const
{
  if (!m_conn) {
    return {};
  }
  auto* conn = m_conn.get();
  return describe_server(text_or_empty(PQhost(conn)), text_or_empty(PQport(conn)),
                         text_or_empty(PQdb(conn)), text_or_empty(PQuser(conn)));
}

SqlResult PgExecutor::Session::connect_failure(std::string reason) const
{
  SqlResult result;
  result.outcome = SqlOutcome::connection_failed;
  result.server = m_server;
  const auto where =
      result.server.empty() ? fmt::format("database \"{}\"", m_database.name) : result.server;
  result.message = fmt::format("cannot connect to {}: {}", where, reason);
  return result;
}

void PgExecutor::Session::redact(SqlResult& result) const
{
  for (auto* text : {&result.message, &result.detail, &result.hint, &result.server}) {
    *text = redact_all(*text, m_secrets);
  }
  for (auto& column : result.columns) {
    column = redact_all(column, m_secrets);
  }
  for (auto& row : result.preview) {
    for (auto& value : row) {
      value = redact_all(value, m_secrets);
    }
  }
}

// --- The executor ---------------------------------------------------------------

PgExecutor::PgExecutor(std::vector<Database> databases, const SecretSource& secrets,
                       const StopSource& stop, int stop_fd)
    : m_secrets(secrets), m_stop(stop), m_stop_fd(stop_fd)
{
  for (auto& database : databases) {
    m_sessions.push_back(std::make_unique<Session>(std::move(database)));
  }
}

PgExecutor::~PgExecutor() = default;

SqlResult PgExecutor::run(const SqlRequest& request)
{
  const auto started = Clock::now();
  SqlResult result;
  const auto session = std::find_if(m_sessions.begin(), m_sessions.end(),
                                    [&](const auto& s) { return s->name() == request.database; });
  if (m_stop.stop_signal() != 0) {
    result.outcome = SqlOutcome::interrupted;
    result.message = "interrupted by a stop request before it started";
  } else if (session == m_sessions.end()) {
    result.outcome = SqlOutcome::connection_failed;
    result.message = fmt::format("no database \"{}\" is configured", request.database);
  } else {
    Waiter waiter(m_stop, m_stop_fd, deadline_after(started, request.timeout));
    result = (*session)->run(request, waiter, m_secrets);
    (*session)->redact(result);
  }
  result.duration = std::chrono::duration_cast<Duration>(Clock::now() - started);
  return result;
}

} // namespace pt
