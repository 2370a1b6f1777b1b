// SPDX-License-Identifier: MIT
// libpq_floor CONNINFO N SQL [--transaction | --transaction-no-discard]: the
// floor of N SQL tasks. Connects once with plain blocking libpq and runs SQL
// N times, then disconnects. Exits 1 on any failure, printing libpq's message.
//
// Without an option each statement runs in autocommit: one round trip.
// With --transaction each runs the way periodic_tasks runs a task, by hand:
// BEGIN and six set_config(..., true) settings in one round trip, the
// statement, COMMIT with DISCARD ALL behind it in one pipelined round trip
// (the clean session each task starts from) — the same three round trips and
// server work, without the runner. Between the two lies the cost of the
// transaction contract. --transaction-no-discard leaves DISCARD ALL out, to
// tell its cost.
//
// Prints {"connect_us": ..., "statements_us": ...} on stdout: how long
// connecting took and how long the N statements took, measured inside, so
// that the benchmark can tell the per-statement cost from the noise of
// starting a server backend.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <libpq-fe.h>

namespace {

bool run(PGconn* conn, const char* sql)
{
  bool ok = true;
  PQsendQuery(conn, sql);
  while (PGresult* result = PQgetResult(conn)) {
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "libpq_floor: %s", PQresultErrorMessage(result));
      ok = false;
    }
    PQclear(result);
  }
  return ok;
}

// COMMIT and DISCARD ALL in one round trip, as periodic_tasks ends a task.
bool commit_and_discard(PGconn* conn)
{
  bool ok = PQenterPipelineMode(conn) == 1 &&
            PQsendQueryParams(conn, "COMMIT", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
            PQsendQueryParams(conn, "DISCARD ALL", 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
            PQpipelineSync(conn) == 1;
  for (int commands = 0; ok && commands < 2; ++commands) {
    while (PGresult* result = PQgetResult(conn)) {
      if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        std::fprintf(stderr, "libpq_floor: %s", PQresultErrorMessage(result));
        ok = false;
      }
      PQclear(result);
    }
  }
  PGresult* sync = PQgetResult(conn);
  ok = ok && sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  return PQexitPipelineMode(conn) == 1 && ok;
}

constexpr const char* k_begin =
    "BEGIN; SELECT set_config('statement_timeout', '1800000', true), "
    "set_config('application_name', 'libpq_floor t0001 0123abcd', true), "
    "set_config('periodic_tasks.as_of', '2025-01-27', true), "
    "set_config('periodic_tasks.run_id', '0123456789abcdef0123456789abcdef', true), "
    "set_config('periodic_tasks.task', 't0001', true), "
    "set_config('periodic_tasks.dry_run', 'false', true)";

} // namespace

int main(int argc, char** argv)
{
  const bool transaction = argc == 5 && std::strcmp(argv[4], "--transaction") == 0;
  const bool keep_session = argc == 5 && std::strcmp(argv[4], "--transaction-no-discard") == 0;
  if (argc != 4 && !transaction && !keep_session) {
    std::fputs("usage: libpq_floor CONNINFO N SQL [--transaction | --transaction-no-discard]\n",
               stderr);
    return 64;
  }
  using Clock = std::chrono::steady_clock;
  const auto micros = [](Clock::duration d) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  };
  const auto start = Clock::now();
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "libpq_floor: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return 1;
  }
  const auto connected = Clock::now();
  const long n = std::strtol(argv[2], nullptr, 10);
  bool ok = true;
  for (long i = 0; i < n && ok; ++i) {
    if (transaction) {
      ok = run(conn, k_begin) && run(conn, argv[3]) && commit_and_discard(conn);
    } else if (keep_session) {
      ok = run(conn, k_begin) && run(conn, argv[3]) && run(conn, "COMMIT");
    } else {
      ok = run(conn, argv[3]);
    }
  }
  const auto done = Clock::now();
  PQfinish(conn);
  std::printf("{\"connect_us\": %lld, \"statements_us\": %lld}\n", micros(connected - start),
              micros(done - connected));
  return ok ? 0 : 1;
}
