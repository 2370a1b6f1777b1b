// SPDX-License-Identifier: MIT
// PgExecutor without a server: the paths that never reach one. The rest runs
// against a real cluster in tests/integration/test_pg_probe_*.sh.
#include <arpa/inet.h>
#include <chrono>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "fakes.hpp"
#include "postgres/executor.hpp"

using namespace pt;
using namespace std::chrono_literals;

namespace {

class FixedSecrets final : public SecretSource
{
public:
  tl::expected<std::optional<std::string>, std::string>
  password(const Database& /*database*/) const override
  {
    if (!error.empty()) {
      return tl::unexpected(error);
    }
    return value;
  }
  std::optional<std::string> value;
  std::string error;
};

Database database(std::string conninfo, Duration connect_timeout = 2s)
{
  Database db;
  db.name = "main";
  db.conninfo = std::move(conninfo);
  db.connect_timeout = connect_timeout;
  return db;
}

SqlRequest request(std::string sql)
{
  SqlRequest r;
  r.database = "main";
  r.statements = {std::move(sql)};
  r.timeout = 10s;
  return r;
}

// A TCP listener on 127.0.0.1 that never accepts: the kernel completes the
// handshake, then nothing ever answers.
struct Blackhole
{
  Blackhole()
  {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), size) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port = ntohs(address.sin_port);
  }
  ~Blackhole() { ::close(fd); }
  Blackhole(const Blackhole&) = delete;
  Blackhole& operator=(const Blackhole&) = delete;
  int fd = -1;
  int port = 0;
};

} // namespace

TEST_CASE("PgExecutor: an unknown database is a connection failure")
{
  test::FakeStop stop;
  FixedSecrets secrets;
  PgExecutor executor({database("dbname=app")}, secrets, stop, -1);
  auto r = request("SELECT 1");
  r.database = "other";
  const auto result = executor.run(r);
  CHECK(result.outcome == SqlOutcome::connection_failed);
  CHECK(result.message == "no database \"other\" is configured");
  CHECK(result.permanent);
  CHECK_FALSE(is_retryable(result));
}

TEST_CASE("PgExecutor: a stop request before the start runs nothing")
{
  test::FakeStop stop;
  stop.signal = 15;
  FixedSecrets secrets;
  PgExecutor executor({database("host=/nonexistent dbname=app")}, secrets, stop, -1);
  const auto result = executor.run(request("SELECT 1"));
  CHECK(result.outcome == SqlOutcome::interrupted);
  CHECK(result.signal == 15);
}

TEST_CASE("PgExecutor: a conninfo libpq cannot parse is never echoed")
{
  test::FakeStop stop;
  FixedSecrets secrets;
  for (const char* conninfo :
       {"host=/x password=hunter2secret port", "postgresql://app:hunter2secret@[::1/x",
        "host=/x password='hunter2secret"}) {
    CAPTURE(conninfo);
    PgExecutor executor({database(conninfo)}, secrets, stop, -1);
    const auto result = executor.run(request("SELECT 1"));
    CHECK(result.outcome == SqlOutcome::connection_failed);
    CHECK(result.message == "cannot connect to database \"main\": the conninfo of database "
                            "\"main\" is not a valid libpq connection string or URI");
    CHECK(result.server.find("hunter2") == std::string::npos);
    CHECK(result.permanent);
    CHECK_FALSE(is_retryable(result));
  }
}

TEST_CASE("PgExecutor: no server at the socket is a clear connection failure")
{
  test::FakeStop stop;
  FixedSecrets secrets;
  PgExecutor executor({database("host=/nonexistent port=5433 dbname=app user=app")}, secrets, stop,
                      -1);
  const auto result = executor.run(request("SELECT 1"));
  CHECK(result.outcome == SqlOutcome::connection_failed);
  CHECK(result.server == "host=/nonexistent port=5433 dbname=app user=app");
  CHECK(result.message ==
        "cannot connect to host=/nonexistent port=5433 dbname=app user=app: No such file or "
        "directory. Is the server running locally and accepting connections on that socket?");
  CHECK_FALSE(result.permanent);
  CHECK(is_retryable(result));
}

TEST_CASE("PgExecutor: a password that cannot be loaded fails the connection, redacted")
{
  test::FakeStop stop;
  FixedSecrets secrets;
  secrets.error = "cannot read the password file /etc/pt/pw: Permission denied";
  PgExecutor executor({database("host=/nonexistent port=5433 dbname=app user=app")}, secrets, stop,
                      -1);
  const auto result = executor.run(request("SELECT 1"));
  CHECK(result.outcome == SqlOutcome::connection_failed);
  CHECK(result.message == "cannot connect to host=/nonexistent port=5433 dbname=app user=app: "
                          "cannot read the password file /etc/pt/pw: Permission denied");
  CHECK(result.permanent);
  CHECK_FALSE(is_retryable(result));
}

TEST_CASE("PgExecutor: the password never shows, even where libpq would echo it")
{
  test::FakeStop stop;
  FixedSecrets secrets;
  secrets.value = "Sup3rSecret";
  // An option value libpq quotes in its error, holding the password.
  PgExecutor executor({database("host=/nonexistent sslmode=Sup3rSecret dbname=app")}, secrets, stop,
                      -1);
  const auto result = executor.run(request("SELECT 1"));
  CHECK(result.outcome == SqlOutcome::connection_failed);
  CHECK(result.message.find("Sup3rSecret") == std::string::npos);
  CHECK(result.message.find("********") != std::string::npos);
}

TEST_CASE("PgExecutor: a server that never answers fails at connect_timeout")
{
  test::FakeStop stop;
  FixedSecrets secrets;
  const Blackhole blackhole;
  const auto conninfo = fmt::format("host=127.0.0.1 port={} dbname=app user=app", blackhole.port);
  PgExecutor executor({database(conninfo, 300ms)}, secrets, stop, -1);
  const auto started = std::chrono::steady_clock::now();
  const auto result = executor.run(request("SELECT 1"));
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK(result.outcome == SqlOutcome::connection_failed);
  CHECK(result.message == fmt::format("cannot connect to host=127.0.0.1 port={} dbname=app "
                                      "user=app: no answer within 300ms (connect_timeout)",
                                      blackhole.port));
  CHECK_FALSE(result.permanent);
  CHECK(took >= 300ms);
  CHECK(took < 1s);

  SUBCASE("the task's own timeout, when shorter, is a timeout")
  {
    auto r = request("SELECT 1");
    r.timeout = 100ms;
    const auto timed_out = executor.run(r);
    CHECK(timed_out.outcome == SqlOutcome::timeout);
    CHECK(timed_out.duration < 300ms);
  }
}
