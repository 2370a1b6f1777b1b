// SPDX-License-Identifier: MIT
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "postgres/statements.hpp"

using namespace pt;

namespace {

std::vector<std::string> split(std::string_view sql, StandardStrings strings = StandardStrings::on)
{
  std::vector<std::string> out;
  for (const auto& command : split_commands(sql, strings)) {
    out.emplace_back(command.text);
  }
  return out;
}

using Commands = std::vector<std::string>;

} // namespace

TEST_CASE("split_commands: one command is the statement as written")
{
  CHECK(split("SELECT 1") == Commands{"SELECT 1"});
  CHECK(split("SELECT 1;") == Commands{"SELECT 1;"});
  CHECK(split("  SELECT 1 ;\n  -- done\n") == Commands{"  SELECT 1 ;"});
  CHECK(split("").empty());
  CHECK(split(" ; ;; -- nothing\n /* at all */").empty());
}

TEST_CASE("split_commands: at each semicolon that ends a command")
{
  CHECK(split("INSERT INTO t VALUES (1); COMMIT; INSERT INTO t VALUES (2)") ==
        Commands{"INSERT INTO t VALUES (1);", " COMMIT;", " INSERT INTO t VALUES (2)"});
  CHECK(split("a;b") == Commands{"a;", "b"});
}

TEST_CASE("split_commands: not inside strings, identifiers, comments or parentheses")
{
  CHECK(split("SELECT 'a;b', 'it''s;'; SELECT 2").size() == 2);
  CHECK(split("SELECT \"x;y\"\"z;\" FROM t; SELECT 2").size() == 2);
  CHECK(split("SELECT 1 -- ; COMMIT\n; SELECT 2").size() == 2);
  CHECK(split("SELECT /* ; /* nested ; */ ; */ 1; SELECT 2").size() == 2);
  CHECK(split("CREATE RULE r AS ON INSERT TO t DO ALSO (NOTIFY a; NOTIFY b); SELECT 2").size() ==
        2);
  SUBCASE("dollar quotes, but not parameters or identifiers with a $")
  {
    CHECK(split("DO $$ BEGIN PERFORM 1; COMMIT; END $$; SELECT 2").size() == 2);
    CHECK(split("SELECT $fn$ ; $$ ; $fn$; SELECT 2").size() == 2);
    CHECK(split("SELECT $1; SELECT $2").size() == 2);
    CHECK(split("SELECT a$b; SELECT 2").size() == 2);
  }
  SUBCASE("backslashes: in E'...' always, in '...' only without standard strings")
  {
    CHECK(split("SELECT E'\\'; COMMIT; --'; SELECT 2").size() == 2);
    CHECK(split("SELECT e'\\\\'; SELECT 2").size() == 2);
    CHECK(split("SELECT '\\'; SELECT 2") == Commands{"SELECT '\\';", " SELECT 2"});
    CHECK(split("SELECT '\\'; COMMIT; --'; SELECT 2", StandardStrings::off).size() == 2);
  }
  SUBCASE("an unterminated quote or comment runs to the end")
  {
    CHECK(split("SELECT 'a; COMMIT").size() == 1);
    CHECK(split("SELECT 1 /* ; COMMIT").size() == 1);
    CHECK(split("SELECT $q$ ; COMMIT").size() == 1);
  }
}

TEST_CASE("split_commands: BEGIN ... END of a function body, as psql counts it")
{
  CHECK(split("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; "
              "END; SELECT 3")
            .size() == 2);
  CHECK(split("create or replace procedure p() begin atomic select case when true then 1 end; "
              "end; commit")
            .size() == 2);
  CHECK(split("CREATE TABLE begin_end (x int); BEGIN; END").size() == 3);
  CHECK(split("SELECT 1 AS begin; SELECT 2").size() == 2);
}

TEST_CASE("split_commands: the highest $n of each command, as the server counts parameters")
{
  const auto commands =
      split_commands("SELECT $2, $1; SELECT '$3', $$ $4 $$, \"$5\" -- $6\n; SELECT 1; SELECT $12");
  REQUIRE(commands.size() == 4);
  CHECK(commands[0].params == 2);
  CHECK(commands[1].params == 0);
  CHECK(commands[2].params == 0);
  CHECK(commands[3].params == 12);
  CHECK(split_commands("CREATE FUNCTION f(int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT $1; "
                       "END")[0]
            .params == 0);
}

TEST_CASE("transaction_control: statements that end, start or prepare a transaction")
{
  CHECK(transaction_control("COMMIT") == "COMMIT");
  CHECK(transaction_control(" COMMIT;") == "COMMIT");
  CHECK(transaction_control("/* done */ commit\n  work ;") == "commit work");
  CHECK(transaction_control("COMMIT AND CHAIN") == "COMMIT AND CHAIN");
  CHECK(transaction_control("END TRANSACTION") == "END TRANSACTION");
  CHECK(transaction_control("ABORT") == "ABORT");
  CHECK(transaction_control("ROLLBACK") == "ROLLBACK");
  CHECK(transaction_control("ROLLBACK AND NO CHAIN") == "ROLLBACK AND NO CHAIN");
  CHECK(transaction_control("ROLLBACK PREPARED 'x'") == "ROLLBACK PREPARED 'x'");
  CHECK(transaction_control("COMMIT PREPARED 'x'") == "COMMIT PREPARED 'x'");
  CHECK(transaction_control("PREPARE TRANSACTION 'x'") == "PREPARE TRANSACTION 'x'");
  CHECK(transaction_control("BEGIN ISOLATION LEVEL SERIALIZABLE") ==
        "BEGIN ISOLATION LEVEL SERIALIZABLE");
  CHECK(transaction_control("start transaction read only") == "start transaction read only");
  CHECK(transaction_control("-- why\nCOMMIT") == "COMMIT");
  CHECK(transaction_control("COMMIT " + std::string(100, 'x')).size() == 64 + 3);
}

TEST_CASE("transaction_control: not what stays inside the transaction")
{
  CHECK(transaction_control("SAVEPOINT s").empty());
  CHECK(transaction_control("RELEASE SAVEPOINT s").empty());
  CHECK(transaction_control("ROLLBACK TO SAVEPOINT s").empty());
  CHECK(transaction_control("rollback work to s").empty());
  CHECK(transaction_control("ROLLBACK TRANSACTION TO SAVEPOINT s").empty());
  CHECK(transaction_control("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE").empty());
  CHECK(transaction_control("PREPARE transaction AS SELECT 1").empty());
  CHECK(transaction_control("PREPARE transaction (int) AS SELECT $1").empty());
  CHECK(transaction_control("PREPARE p AS SELECT 1").empty());
  CHECK(transaction_control("SELECT 'COMMIT'").empty());
  CHECK(transaction_control("-- COMMIT\nSELECT 1").empty());
  CHECK(transaction_control("CALL commit_all()").empty());
  CHECK(transaction_control("committed").empty());
  CHECK(transaction_control("").empty());
}

TEST_CASE("find_transaction_control: the first one among the commands")
{
  CHECK(find_transaction_control("INSERT INTO t VALUES ('a'); COMMIT; INSERT INTO t VALUES "
                                 "('b'); ROLLBACK") == "COMMIT");
  CHECK(find_transaction_control("SELECT 'a; COMMIT'; SAVEPOINT s; RELEASE s").empty());
}
