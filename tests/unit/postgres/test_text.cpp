// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "postgres/text.hpp"

using namespace pt;
using namespace std::chrono_literals;

TEST_CASE("one_line: joins libpq's lines")
{
  CHECK(one_line("connection to server on socket \"/x/.s.PGSQL.5432\" failed: No such file or "
                 "directory\n\tIs the server running locally and accepting connections on that "
                 "socket?\n") ==
        "connection to server on socket \"/x/.s.PGSQL.5432\" failed: No such file or directory. "
        "Is the server running locally and accepting connections on that socket?");
  CHECK(one_line("server closed the connection unexpectedly\n\tThis probably means the server "
                 "terminated abnormally\n\tbefore or while processing the request.\n") ==
        "server closed the connection unexpectedly. This probably means the server terminated "
        "abnormally before or while processing the request.");
  CHECK(one_line("FATAL:  password authentication failed for user \"app\"\n") ==
        "FATAL: password authentication failed for user \"app\"");
  CHECK(one_line("ends with a stop.\nNext sentence") == "ends with a stop. Next sentence");
  CHECK(one_line("  \n\t ") == "");
  CHECK(one_line("") == "");
}

TEST_CASE("connect_failure_reason: drops the one server lead-in")
{
  CHECK(connect_failure_reason("connection to server at \"127.0.0.1\", port 1 failed: Connection "
                               "refused\n\tIs the server running on that host and accepting "
                               "TCP/IP connections?\n") ==
        "Connection refused. Is the server running on that host and accepting TCP/IP connections?");
  CHECK(connect_failure_reason("FATAL:  role \"x\" does not exist\n") ==
        "FATAL: role \"x\" does not exist");
  SUBCASE("several hosts keep their names")
  {
    const auto text = "connection to server at \"a\" (10.0.0.1), port 5432 failed: timeout\n"
                      "connection to server at \"b\" (10.0.0.2), port 5432 failed: refused\n";
    CHECK(connect_failure_reason(text) == one_line(text));
  }
}

TEST_CASE("describe_server: leaves out empty parts")
{
  CHECK(describe_server("/run/postgresql", "5432", "app", "app") ==
        "host=/run/postgresql port=5432 dbname=app user=app");
  CHECK(describe_server("", "", "app", "") == "dbname=app");
  CHECK(describe_server("", "", "", "") == "");
}

TEST_CASE("statement_timeout_value: milliseconds, rounded up, 0 for infinity")
{
  CHECK(statement_timeout_value(5min) == "300000");
  CHECK(statement_timeout_value(1500us) == "2");
  CHECK(statement_timeout_value(1us) == "1");
  CHECK(statement_timeout_value(Duration::zero()) == "1");
  CHECK(statement_timeout_value(k_infinite) == "0");
  CHECK(statement_timeout_value(std::chrono::hours(24 * 365)) == "2147483647");
}

TEST_CASE("connect_timeout_value: whole seconds, rounded up, 0 for infinity")
{
  CHECK(connect_timeout_value(10s) == "10");
  CHECK(connect_timeout_value(1500ms) == "2");
  CHECK(connect_timeout_value(1ms) == "1");
  CHECK(connect_timeout_value(k_infinite) == "0");
}

TEST_CASE("settings_statement: binds name/value pairs")
{
  CHECK(settings_statement(1) == "SELECT set_config($1, $2, true)");
  CHECK(settings_statement(3) ==
        "SELECT set_config($1, $2, true), set_config($3, $4, true), set_config($5, $6, true)");
  CHECK(settings_statement(0) == "SELECT");
}

TEST_CASE("preview_cell: cuts long values on a character boundary")
{
  CHECK(preview_cell("short", 10) == "short");
  CHECK(preview_cell("exactly10!", 10) == "exactly10!");
  CHECK(preview_cell("0123456789abc", 10) == "0123456789...");
  CHECK(preview_cell("aé", 2) == "a..."); // é is two bytes: never cut in half
  CHECK(preview_cell("a€b", 3) == "a...");
  CHECK(preview_cell("a€b", 4) == "a€...");
}

TEST_CASE("is_set_transaction: a leading SET TRANSACTION, whatever its spelling")
{
  CHECK(is_set_transaction("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
  CHECK(is_set_transaction("  set   transaction\n read only"));
  CHECK(is_set_transaction("-- isolation for the roll-up\nSET TRANSACTION ISOLATION LEVEL "
                           "REPEATABLE READ"));
  CHECK_FALSE(is_set_transaction("SET LOCAL work_mem = '64MB'"));
  CHECK_FALSE(is_set_transaction("SET TRANSACTIONAL = 1"));
  CHECK_FALSE(is_set_transaction("SELECT 'SET TRANSACTION'"));
  CHECK_FALSE(is_set_transaction("-- SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
  CHECK_FALSE(is_set_transaction(""));
}

TEST_CASE("is_authentication_failure: the server refused our credentials")
{
  CHECK(
      is_authentication_failure("connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  "
                                "password authentication failed for user \"app\"\n"));
  CHECK(is_authentication_failure("FATAL:  Peer authentication failed for user \"app\"\n"));
  CHECK(is_authentication_failure("FATAL:  no pg_hba.conf entry for host \"10.0.0.1\", user "
                                  "\"app\", database \"app\", no encryption\n"));
  CHECK(is_authentication_failure("FATAL:  pg_hba.conf rejects connection for host \"10.0.0.1\""));
  CHECK(is_authentication_failure("FATAL:  role \"x\" does not exist\n"));
  CHECK(is_authentication_failure("FATAL:  role \"x\" is not permitted to log in\n"));
}

TEST_CASE("is_authentication_failure: not what a retry may cure")
{
  CHECK_FALSE(is_authentication_failure("FATAL:  the database system is starting up\n"));
  CHECK_FALSE(is_authentication_failure("FATAL:  sorry, too many clients already\n"));
  CHECK_FALSE(is_authentication_failure("Connection refused\n\tIs the server running on that host "
                                        "and accepting TCP/IP connections?\n"));
  CHECK_FALSE(is_authentication_failure("FATAL:  database \"x\" does not exist\n"));
  CHECK_FALSE(is_authentication_failure(""));
}
