// SPDX-License-Identifier: MIT
// The inside of the PostgreSQL edge, shared ONLY by src/postgres/*.cpp: this is
// the one header that includes <libpq-fe.h>; no other file may include it, so
// libpq's types stay out of every other header. The hard parts are explained
// at the top of postgres/executor.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <libpq-fe.h>
#include <tl/expected.hpp>

#include "postgres/cluster.hpp"
#include "postgres/executor.hpp"
#include "util/deadline.hpp"

namespace pt::pg {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// How long to wait for a cancelled statement to end, and for ROLLBACK.
inline constexpr auto k_cancel_grace = std::chrono::seconds(2);
// A server statement_timeout this near our deadline is our timeout.
inline constexpr auto k_timeout_slack = std::chrono::milliseconds(20);
inline constexpr std::size_t k_preview_cell_bytes = 256;
inline constexpr const char* k_application = "periodic_tasks";

// --- libpq, loaded on first use (postgres/libpq.cpp) -----------------------------
//
// The program does not link libpq (its dependency chain would dominate the
// start-up of every run, SQL or not): the edge calls it through this table,
// filled by dlopen() when the first SQL task connects. <libpq-fe.h> is only
// used for its types and, through decltype, the functions' signatures.

inline constexpr const char* k_libpq_file = "libpq.so.5";

// Every libpq function the edge calls.
// clang-format off
#define PT_LIBPQ_FUNCTIONS(X)                    \
  X(PQcancel) X(PQclear)                         \
  X(PQcmdStatus) X(PQcmdTuples)                  \
  X(PQconnectPoll) X(PQconnectStartParams)       \
  X(PQconnectionNeedsPassword) X(PQconninfoFree) \
  X(PQconninfoParse) X(PQconsumeInput)           \
  X(PQdb) X(PQenterPipelineMode)                 \
  X(PQerrorMessage) X(PQexitPipelineMode)        \
  X(PQfinish) X(PQflush)                         \
  X(PQfname) X(PQfreeCancel)                     \
  X(PQfreemem) X(PQgetCancel)                    \
  X(PQgetResult) X(PQgetisnull)                  \
  X(PQgetvalue) X(PQhost)                        \
  X(PQbackendPID)                                \
  X(PQisBusy) X(PQnfields)                       \
  X(PQnparams) X(PQntuples)                      \
  X(PQpass) X(PQpipelineStatus)                  \
  X(PQpipelineSync) X(PQport)                    \
  X(PQresultErrorField) X(PQresultErrorMessage)  \
  X(PQresultStatus) X(PQsendDescribePrepared)    \
  X(PQsendPrepare) X(PQsendQuery)                \
  X(PQparameterStatus)                           \
  X(PQsendQueryParams) X(PQsendQueryPrepared)    \
  X(PQsetNoticeProcessor) X(PQsetSingleRowMode)  \
  X(PQsetnonblocking)                            \
  X(PQsocket) X(PQstatus)                        \
  X(PQtransactionStatus) X(PQuser)
// clang-format on

struct Libpq
{
// `name` names a declaration here, where parentheses would not compile.
#define PT_LIBPQ_MEMBER(name)                                                                      \
  decltype(&::name) name = nullptr; // NOLINT(bugprone-macro-parentheses)
  PT_LIBPQ_FUNCTIONS(PT_LIBPQ_MEMBER)
#undef PT_LIBPQ_MEMBER
};

// Loads libpq the first time it is called (later calls return the first
// answer): nothing, or why it cannot be used, with a hint.
tl::expected<void, std::string> load_libpq();

// The loaded libpq. Only valid once load_libpq() succeeded, which every
// connection does first: code that holds a PGconn or a PGresult may use it.
const Libpq& pq();

struct ConnCloser
{
  void operator()(PGconn* conn) const { pq().PQfinish(conn); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;

struct ResultClearer
{
  void operator()(PGresult* result) const { pq().PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClearer>;
using Results = std::vector<ResultPtr>;

// --- Waiting (postgres/wait.cpp) -------------------------------------------------

// Deadlines on the steady clock (util/deadline.hpp); TimePoint is SteadyTime.
using pt::deadline_after;
using pt::earliest;

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
  // Makes `fd` becoming readable end the wait as the deadline does, once (the
  // cancel and ROLLBACK that follow are not cut short by it): a fenced task.
  void watch_fence(int fd) { m_fence_fd = fd; }

private:
  const StopSource& m_stop;
  int m_stop_fd;
  int m_fence_fd = -1;
  bool m_watch_stop = true;
  std::optional<TimePoint> m_deadline;
};

// Takes each result of what was sent as it arrives.
using ResultSink = std::function<void(ResultPtr)>;
// Called in pipeline mode when one command's results are all in, before the
// next command's first result is read (where PQsetSingleRowMode is allowed).
using NextCommand = std::function<void()>;

// Collects every result of what was sent: up to libpq's NULL for one command,
// up to the sync point in pipeline mode (which it then leaves). Returns ready
// once everything is in, or why waiting ended early.
Wake collect(PGconn* conn, Waiter& waiter, const ResultSink& take, const NextCommand& next = {});

// Collects every result into `results`, except the rows of single-row mode.
Wake collect(PGconn* conn, Waiter& waiter, Results& results);

// Ends an open transaction on `conn` with ROLLBACK within k_cancel_grace;
// false when the connection is not fit for another task.
bool roll_back(PGconn* conn, Waiter& waiter);

// How a cancel ended: why collecting stopped, and whether the server answered
// the cancelled command and the cancel request in time.
struct Cancelled
{
  Wake wake = Wake::ready;
  bool answered = false;
};

// Cancels what `conn` runs and collects its last results into `late`, all
// within k_cancel_grace, ignoring further stop requests. In pipeline mode the
// commands still to come are read in single-row mode (their rows not kept).
Cancelled cancel_and_collect(PGconn* conn, Waiter& waiter, Results& late);

// --- Results (postgres/results.cpp) ----------------------------------------------

// Returns the first error among `results`, nullptr when there is none.
const PGresult* first_error(const Results& results);

// Copies the server's SQLSTATE, message, detail, hint and context from `error`.
void take_error(SqlResult& result, const PGresult* error);

// Reads the results of one command into a SqlResult as they arrive: rows
// changed, and rows returned one at a time (single-row mode), counted and
// kept only as far as the preview, so memory stays bounded whatever the
// result's size. A row set counts once it is complete; the first error is kept.
class ResultReader
{
public:
  explicit ResultReader(SqlResult& sql) : m_sql(sql) {}
  // Takes one result of the command (a row, the end of its rows, its completion, an error).
  void take(ResultPtr result);
  // Returns the server's first error, or nullptr.
  ResultPtr release_error() { return std::move(m_error); }
  bool failed() const { return m_error != nullptr; }
  // Returns the command tag of the last completed result ("INSERT 0 1", "COMMIT").
  const std::string& tag() const { return m_tag; }

private:
  void add_row(const PGresult* row);
  void finish_rows(const PGresult* end);

  SqlResult& m_sql;
  ResultPtr m_error;
  std::string m_tag;
  std::int64_t m_rows = 0;                         // rows of the row set under way
  std::vector<std::vector<std::string>> m_preview; // its first rows
};

// --- Connecting (postgres/connect.cpp) ------------------------------------------

// Opens connections to one database without blocking, and keeps what messages
// about them need: the server (without secrets) and every password in play.
class Connector
{
public:
  explicit Connector(const Database& database) : m_database(database) {}
  // Connects with the password from `secrets`, bounded by connect_timeout and
  // `waiter`'s deadline; a connection_failed (or interrupted, timeout) SqlResult
  // whose message names the server, `permanent` when no retry can cure it.
  tl::expected<ConnPtr, SqlResult> connect(Waiter& waiter, const SecretSource& secrets);
  // Returns "host=... port=... dbname=... user=..." of the last connection (no secrets).
  const std::string& server() const { return m_server; }
  // Returns every password of the last connection, to redact from messages.
  const std::vector<std::string>& secrets() const { return m_secrets; }

private:
  tl::expected<void, std::string> check_conninfo();
  tl::expected<void, SqlResult> poll_connection(Waiter& waiter);
  std::string describe() const;
  SqlResult connect_failure(std::string reason) const;

  const Database& m_database;
  ConnPtr m_conn;
  std::string m_server;
  std::vector<std::string> m_secrets;
};

// --- One task's transaction (postgres/transaction.cpp) ---------------------------

// What came of a transaction, and of the connection it ran on.
struct Ending
{
  SqlResult result;
  bool keep_connection = true;
  bool nothing_ran = false; // the connection broke before BEGIN ran: the task may run on a new one
};

// Runs `request` on the open, idle `conn`: BEGIN and the settings, each
// statement, then COMMIT (or ROLLBACK), in one pipeline; cancels and rolls
// back on any failure. `confirm_first`: BEGIN and the settings go alone first,
// for a connection that may have died while idle, so that a break there is
// known to have run nothing (Ending::nothing_ran).
Ending run_transaction(PGconn* conn, const SqlRequest& request, Waiter& waiter, bool confirm_first);

// --- The cluster claim store's session (postgres/cluster_session.cpp) --------------

// One statement and its parameters (text, never NULL).
struct Query
{
  std::string_view sql;
  std::vector<std::string> params;
};

// The cluster store's own libpq session (cluster mode, issue 13): connecting
// (and refusing a pooler), applying the migrations, and running statements,
// each operation bounded by a timeout. Not thread-safe: its owner serialises.
class ClusterSession
{
public:
  ClusterSession(Database database, const SecretSource& secrets, Duration timeout,
                 Duration idle_timeout = {})
      : m_database(std::move(database)), m_secrets(secrets), m_timeout(timeout),
        m_idle_timeout(idle_timeout)
  {
  }
  // Connects, refuses a connection pooler, measures the clock skew, and
  // brings the schema to this program's version.
  ClusterResult<void> connect();
  bool connected() const { return m_conn != nullptr; }
  // Returns the database clock minus CLOCK_REALTIME, at the midpoint of a round trip.
  ClusterResult<Duration> clock_skew();
  // Runs `queries` in one round trip and one write (several: pipelined as
  // one implicit transaction, each with its own snapshot; a failing one
  // skips the rest) and returns their results in order. Any failure but an
  // SQL error closes the connection (unreachable).
  ClusterResult<Results> run(std::span<const Query> queries);
  ClusterResult<Results> run(std::initializer_list<Query> queries)
  {
    return run(std::span<const Query>(queries.begin(), queries.size()));
  }
  // Runs `sql`, which may hold several statements and no parameters (simple protocol).
  ClusterResult<Results> run_script(const std::string& sql);
  // Returns "the cluster database (host=... dbname=...)" for messages.
  std::string where() const;

private:
  ClusterResult<void> check_direct_session();
  ClusterResult<void> migrate();
  ClusterError newer_schema(int version) const;
  ClusterResult<int> read_version(bool known_to_exist);
  ClusterResult<void> apply_migrations();
  ClusterResult<Results> finish(Waiter& waiter);
  ClusterError lost(Wake wake);

  Database m_database;
  Connector m_connector{m_database};
  const SecretSource& m_secrets;
  Duration m_timeout;
  Duration m_idle_timeout; // idle_session_timeout; zero: the server's
  ConnPtr m_conn;
  std::string m_server_message; // of the last statement the server refused
};

// Returns the text of column `column` of row `row` (empty for NULL).
std::string text_at(const PGresult* result, int row, int column);
// Returns column `column` of row `row` as an integer, nullopt for NULL.
std::optional<std::int64_t> int_at(const PGresult* result, int row, int column);

} // namespace pt::pg

namespace pt {

// One database: its settings, and the connection while one is open
// (postgres/executor.cpp; connecting is pg::Connector's, in postgres/connect.cpp).
class PgExecutor::Session
{
public:
  explicit Session(Database database) : m_database(std::move(database)) {}
  const std::string& name() const { return m_database.name; }
  // Runs `request`, connecting first if there is no usable connection.
  SqlResult run(const SqlRequest& request, pg::Waiter& waiter, const SecretSource& secrets);
  // Removes every password in play from `result`'s texts.
  void redact(SqlResult& result) const;

private:
  bool usable();

  Database m_database;
  pg::Connector m_connector{m_database};
  pg::ConnPtr m_conn;
  pg::TimePoint m_idle_since; // when the connection's last transaction ended
};

} // namespace pt
