// SPDX-License-Identifier: MIT
// Opening a connection without blocking: PQconnectStartParams driven by
// PQconnectPoll, bounded by connect_timeout (which libpq enforces only when it
// blocks) and the task's deadline; the password passed as a keyword, the
// conninfo checked without echoing it. See the top of postgres/executor.cpp.
#include <array>
#include <poll.h>
#include <string_view>

#include <fmt/format.h>

#include "postgres/internal.hpp"
#include "postgres/text.hpp"
#include "util/text.hpp"

namespace pt::pg {
namespace {

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

// Refuses a conninfo libpq cannot parse, without echoing it (it may hold a
// password); remembers a password written into it, to redact, and the server
// it names, for messages until libpq knows better.
tl::expected<void, std::string> Connector::check_conninfo()
{
  if (!looks_like_conninfo(m_database.conninfo)) {
    m_server = describe_server({}, {}, m_database.conninfo, {}); // a plain database name
    return {};
  }
  char* error = nullptr;
  PQconninfoOption* options = pq().PQconninfoParse(m_database.conninfo.c_str(), &error);
  pq().PQfreemem(error);
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
  pq().PQconninfoFree(options);
  m_server = describe_server(named[0], named[1], named[2], named[3]);
  return {};
}

tl::expected<ConnPtr, SqlResult> Connector::connect(Waiter& waiter, const SecretSource& secrets)
{
  m_secrets.clear();
  m_server.clear();
  if (auto loaded = load_libpq(); !loaded) {
    auto result = connect_failure(loaded.error());
    result.permanent = true; // a missing library stays missing for this run
    return tl::unexpected(std::move(result));
  }
  if (auto checked = check_conninfo(); !checked) {
    auto result = connect_failure(checked.error());
    result.permanent = true;
    return tl::unexpected(std::move(result));
  }
  const auto password = secrets.password(m_database);
  if (!password) {
    auto result = connect_failure(password.error());
    result.permanent = true; // a missing or unreadable password file stays so
    return tl::unexpected(std::move(result));
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
  m_conn.reset(pq().PQconnectStartParams(keywords.data(), values.data(), 1));
  if (!m_conn) {
    return tl::unexpected(connect_failure("out of memory"));
  }
  if (const char* used = pq().PQpass(m_conn.get()); used != nullptr && *used != '\0') {
    m_secrets.emplace_back(used); // from ~/.pgpass or $PGPASSWORD
  }
  if (pq().PQstatus(m_conn.get()) != CONNECTION_BAD) {
    m_server = describe(); // libpq has filled in the defaults
  }
  if (auto polled = poll_connection(waiter); !polled) {
    return tl::unexpected(std::move(polled.error()));
  }
  return std::move(m_conn);
}

// Drives PQconnectPoll until the connection is up, bounded by connect_timeout
// and the task's own deadline, and watching for a stop request.
tl::expected<void, SqlResult> Connector::poll_connection(Waiter& waiter)
{
  const auto task_deadline = waiter.deadline();
  const auto connect_deadline = deadline_after(Clock::now(), m_database.connect_timeout);
  waiter.set_deadline(earliest(task_deadline, connect_deadline));
  auto status =
      pq().PQstatus(m_conn.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (status != PGRES_POLLING_OK && status != PGRES_POLLING_FAILED) {
    const auto events = static_cast<short>(status == PGRES_POLLING_READING ? POLLIN : POLLOUT);
    const auto wake = waiter.wait(pq().PQsocket(m_conn.get()), events);
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
    status = pq().PQconnectPoll(m_conn.get());
  }
  waiter.set_deadline(task_deadline);
  m_server = describe();
  if (status == PGRES_POLLING_FAILED) {
    const char* error = pq().PQerrorMessage(m_conn.get());
    auto result = connect_failure(connect_failure_reason(error));
    // The server's SQLSTATE (28P01, 28000) is not exposed for a failed
    // connection, so its message tells an authentication failure.
    result.permanent =
        pq().PQconnectionNeedsPassword(m_conn.get()) != 0 || is_authentication_failure(error);
    m_conn.reset();
    return tl::unexpected(std::move(result));
  }
  pq().PQsetnonblocking(m_conn.get(), 1);
  pq().PQsetNoticeProcessor(m_conn.get(), ignore_notice, nullptr);
  return {};
}

std::string Connector::describe() const
{
  if (!m_conn) {
    return {};
  }
  auto* conn = m_conn.get();
  return describe_server(text_or_empty(pq().PQhost(conn)), text_or_empty(pq().PQport(conn)),
                         text_or_empty(pq().PQdb(conn)), text_or_empty(pq().PQuser(conn)));
}

SqlResult Connector::connect_failure(std::string reason) const
{
  SqlResult result;
  result.outcome = SqlOutcome::connection_failed;
  result.server = m_server;
  const auto where =
      result.server.empty() ? fmt::format("database \"{}\"", m_database.name) : result.server;
  result.message = fmt::format("cannot connect to {}: {}", where, reason);
  return result;
}

} // namespace pt::pg
