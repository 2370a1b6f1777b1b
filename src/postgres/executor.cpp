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
// A task is one transaction on a clean session, nothing else. Three things
// used to break that, and each is closed at the mechanism:
//
// Transaction control. "INSERT ...; COMMIT; INSERT ..." sent as one simple
// query runs whole on the server: the COMMIT ends the runner's transaction,
// and what follows runs (and commits) in an implicit one, so checking the
// transaction status afterwards is too late, even for a dry run. So the edge
// never sends a string of several commands. Each statement is split into its
// commands as psql splits its input (postgres/statements.cpp), and before
// anything is sent the task is refused (outcome refused, result `error`,
// nothing run, nothing committed) if one of them is BEGIN/START TRANSACTION,
// COMMIT/END, ROLLBACK/ABORT (not ROLLBACK TO SAVEPOINT), PREPARE TRANSACTION
// or COMMIT/ROLLBACK PREPARED. SAVEPOINT and RELEASE stay inside the
// transaction and run; procedures and DO blocks cannot end a transaction that
// a client's BEGIN opened (the server says 2D000). Each command then goes out
// with the extended protocol, whose Parse refuses more than one command
// (42601): a command the split got wrong fails, it never slips past the check.
// A command whose tag is COMMIT or PREPARE TRANSACTION (COMMIT AND CHAIN
// leaves a transaction open) fails the task as refused: that check holds
// regardless of the split, though by then what ran before and after it may
// be committed, the whole task being one pipeline (ROLLBACK AND CHAIN only
// the split can tell from ROLLBACK TO, whose tag it shares; it commits
// nothing). Splitting costs nothing: the commands of a string go out in the
// same pipeline. A statement of a task without params that uses $n is
// refused by us, as the extended protocol would take it for a parameter to
// bind (and fail at Bind with a protocol error).
//
// Session state. Tasks on a database share a connection, and a session keeps
// what a committed task set: search_path (the next task's DELETE hit another
// schema's table), GUCs, SET ROLE and SET SESSION AUTHORIZATION, temp tables,
// prepared statements, WITH HOLD cursors, session advisory locks, LISTEN.
// DISCARD ALL resets all of them (RESET ALL, SET SESSION AUTHORIZATION
// DEFAULT, DEALLOCATE ALL, CLOSE ALL, UNLISTEN *, pg_advisory_unlock_all(),
// DISCARD TEMP/PLANS/SEQUENCES). It cannot run in a transaction block, so it
// goes right after COMMIT (or ROLLBACK), pipelined with it: no extra round
// trip, and nothing of a task outlives it, advisory locks included. After a
// failure it follows the ROLLBACK. A connection whose DISCARD ALL did not
// succeed is closed, and the next task gets a new, clean one. Measured on the
// test VM: DISCARD ALL alone costs about as much as SELECT 1 (30-50 us a
// round trip with pgbench); pipelined with COMMIT it adds about 10-25 us a
// task (libpq_floor --transaction against --transaction-no-discard, and
// pg_probe before and after), within the noise of a shared machine.
// (What a session cannot take back, such as LOAD of a library, stays.)
//
// Result size. libpq buffers a command's whole result by default: SELECT
// generate_series(1, 5000000) took the runner to 170-330 MB. Every command
// runs in single-row mode (PQsetSingleRowMode; libpq 17's chunked mode is not
// in Debian 12's libpq 15), and postgres/results.cpp counts each row, keeps
// the first ones for the preview and drops the rest, so memory stays bounded
// whatever the result (5M rows: +0.05 MB peak RSS over a one-row task).
//
// Round trips: one per task. BEGIN, a leading SET TRANSACTION (isolation
// level: it must precede any query), the settings, every command of the
// task, the final statement (the cluster's done mark), COMMIT (ROLLBACK in a
// dry run) and DISCARD ALL go out together in pipeline mode with one sync
// point, and their results are read in order. A command binds the first
// $1..$n of the task's params, n being the highest $n it uses as the split
// counts it (the server counts the same way), so a task can bind params =
// ["as_of", "run_id"] while one of its statements uses only $1; a statement
// that uses more than the task binds is refused before anything is sent.
// Each command's rows are read in single-row mode (PQsetSingleRowMode
// between one command's results and the next's).
//
// Errors stay exact. A command the server refuses aborts the pipeline: the
// server skips what follows up to the sync point (COMMIT included), so the
// transaction is left failed and is rolled back; the message, SQLSTATE and
// position are the command's own, and the failed statement is known by its
// place in the pipeline. A timeout or a stop cancels whatever runs; if COMMIT
// turns out to have been answered, the work is done and reported so. The
// price of sending COMMIT before the statements' results are known: a
// connection that breaks with no error received may have committed (08007,
// never retried). A connection that sat idle for more than a second before
// the task (a command task ran in between, say) may have died unseen, so for
// it BEGIN and the settings go first, alone, and a break there means nothing
// ran and the task goes on a new connection. A session the server ended
// while idle answers BEGIN with its FATAL, which is the same proof.
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
// task's transaction and the clean-up after it, postgres/statements.cpp
// splitting statements into commands and spotting transaction control (pure,
// for `check` too), postgres/results.cpp reading results, postgres/wait.cpp
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

namespace {

// A reused connection idle longer than this has its BEGIN confirmed before
// the task's statements and COMMIT go out (one more round trip).
constexpr auto k_confirm_idle_after = std::chrono::seconds(1);

} // namespace

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
      auto connected = m_connector.connect(waiter, secrets);
      if (!connected) {
        return std::move(connected.error());
      }
      m_conn = std::move(*connected);
    }
    // A connection idle for a while may have died unseen (a NAT or firewall
    // forgets it): BEGIN goes alone first, so that a break is known to have
    // run nothing and the task may go on a new connection.
    const bool confirm_first = reused && Clock::now() - m_idle_since > k_confirm_idle_after;
    auto ending = pg::run_transaction(m_conn.get(), request, waiter, confirm_first);
    m_idle_since = Clock::now();
    if (!ending.keep_connection) {
      m_conn.reset();
    }
    if (ending.nothing_ran && reused) {
      reused = false; // the server closed the idle connection: try once on a new one
      continue;
    }
    ending.result.server = m_connector.server();
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
    *text = redact_all(*text, m_connector.secrets());
  }
  for (auto& column : result.columns) {
    column = redact_all(column, m_connector.secrets());
  }
  for (auto& row : result.preview) {
    for (auto& value : row) {
      value = redact_all(value, m_connector.secrets());
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
    waiter.watch_fence(request.fence_fd);
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
