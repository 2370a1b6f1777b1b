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
// closed (the server's statement_timeout still ends the statement, and the
// lost connection rolls the transaction back). A late cancel request must
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
// Round trips: BEGIN, the settings and the Parse and Describe of the first
// statement go out together in pipeline mode; so do Parse and Describe of each
// further statement with parameters. The Describe tells how many $n the
// statement uses, so a task can bind params = ["as_of", "run_id"] while one of
// its statements uses only $1. Statements of a task without parameters use the
// simple protocol, which allows several commands per string. A one-statement
// task thus costs three round trips: BEGIN..., Bind/Execute, COMMIT. A leading
// SET TRANSACTION (isolation level) joins the BEGIN batch, ahead of the
// settings query, since it must precede any query of the transaction.
//
// Notices (RAISE NOTICE, "skipping" from IF EXISTS) are dropped: libpq would
// print them on the runner's stderr. COPY from or to the client has nobody to
// feed it: the task fails and its connection is closed.
//
// Secrets: the password is passed as a keyword, never spliced into a conninfo
// string. A conninfo that libpq cannot parse is reported without echoing it,
// and every text that leaves this file is redacted of every password in play.
// Connections that no retry can cure (a conninfo libpq cannot parse, a
// password file that cannot be read, a server that refused our credentials)
// are marked permanent, so the runner does not try again.
//
// The code: this file holds the executor and its sessions (reuse and the one
// reconnect); postgres/connect.cpp connecting, postgres/transaction.cpp one
// task's transaction, postgres/results.cpp reading results, postgres/wait.cpp
// the poll() loop and the cancel thread, postgres/libpq.cpp loading libpq
// itself (with dlopen, when the first task connects, so that a run without
// SQL tasks never pays for libpq's dependency chain). postgres/internal.hpp
// is their shared, libpq-typed inside.
#include <algorithm>
#include <poll.h>
#include <utility>

#include <fmt/format.h>

#include "postgres/internal.hpp"
#include "postgres/secrets.hpp"

namespace pt {

using pg::Clock;
using pg::pq;
using pg::Waiter;

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
    auto ending = pg::run_transaction(m_conn.get(), request, waiter);
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
  if (!m_conn || pq().PQstatus(m_conn.get()) != CONNECTION_OK ||
      pq().PQtransactionStatus(m_conn.get()) != PQTRANS_IDLE) {
    return false;
  }
  pollfd fd{pq().PQsocket(m_conn.get()), POLLIN, 0};
  if (::poll(&fd, 1, 0) > 0 && pq().PQconsumeInput(m_conn.get()) == 0) {
    return false;
  }
  return pq().PQstatus(m_conn.get()) == CONNECTION_OK;
}

void PgExecutor::Session::redact(SqlResult& result) const
{
  for (auto* text :
       {&result.message, &result.detail, &result.hint, &result.context, &result.server}) {
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
    result.permanent = true; // the configuration names it; another attempt will not find it
  } else {
    Waiter waiter(m_stop, m_stop_fd, pg::deadline_after(started, request.timeout));
    result = (*session)->run(request, waiter, m_secrets);
    (*session)->redact(result);
  }
  if (result.outcome == SqlOutcome::interrupted) {
    result.signal = m_stop.stop_signal();
  }
  result.duration = std::chrono::duration_cast<Duration>(Clock::now() - started);
  return result;
}

} // namespace pt
