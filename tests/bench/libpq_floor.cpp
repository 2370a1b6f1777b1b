// SPDX-License-Identifier: MIT
// libpq_floor CONNINFO N SQL [--transaction]: the floor of N SQL tasks.
// Connects once with plain blocking libpq and runs SQL N times, then
// disconnects. Exits 1 on any failure, printing libpq's message.
//
// Without --transaction each statement runs in autocommit: one round trip.
// With --transaction each runs the way periodic_tasks runs a task, by hand:
// BEGIN and six set_config(..., true) settings in one round trip, the
// statement, COMMIT — the same three round trips and server work, without
// the runner. Between the two lies the cost of the transaction contract.
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
  if (argc != 4 && !transaction) {
    std::fputs("usage: libpq_floor CONNINFO N SQL [--transaction]\n", stderr);
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
