// SPDX-License-Identifier: MIT
// libpq_floor CONNINFO N SQL: the floor of N SQL tasks. Connects once with
// plain blocking libpq and runs SQL N times (autocommit, one round trip each),
// then disconnects. Exits 1 on any failure, printing libpq's message.
#include <cstdio>
#include <cstdlib>

#include <libpq-fe.h>

int main(int argc, char** argv)
{
  if (argc != 4) {
    std::fputs("usage: libpq_floor CONNINFO N SQL\n", stderr);
    return 64;
  }
  PGconn* conn = PQconnectdb(argv[1]);
  if (PQstatus(conn) != CONNECTION_OK) {
    std::fprintf(stderr, "libpq_floor: %s", PQerrorMessage(conn));
    PQfinish(conn);
    return 1;
  }
  const long n = std::strtol(argv[2], nullptr, 10);
  for (long i = 0; i < n; ++i) {
    PGresult* result = PQexec(conn, argv[3]);
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::fprintf(stderr, "libpq_floor: %s", PQresultErrorMessage(result));
      PQclear(result);
      PQfinish(conn);
      return 1;
    }
    PQclear(result);
  }
  PQfinish(conn);
  return 0;
}
