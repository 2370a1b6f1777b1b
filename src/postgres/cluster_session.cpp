// SPDX-License-Identifier: MIT
// The cluster claim store's own session (cluster mode,
// docs/cluster.md): connected with the edge's non-blocking connect, checked to
// be a direct session, its schema migrated, and a way to run statements in
// one round trip under a timeout.
//
// A direct session, because the claim protocol rests on session state: the
// task's advisory lock lives as long as the session that took it, and a
// takeover needs that lock free. A transaction-mode pooler (pgbouncer) would
// hand our lock to whichever client gets the server connection next, and
// release nothing when we die. It cannot be configured away, so it is
// detected: libpq's PQbackendPID() is the pid from the startup's
// BackendKeyData, which a pooler makes up itself, while pg_backend_pid() is
// the server process that runs our query; they differ behind a pooler.
//
// Migrations run in one transaction under a transaction advisory lock, so two
// hosts starting at once serialise and the second finds the work done. The
// version is read first without the lock or any DDL: a role that may not
// create schemas still runs against a schema a DBA created (CREATE SCHEMA IF
// NOT EXISTS checks the right to create before it looks for the schema).
#include <algorithm>
#include <ctime>
#include <iterator>
#include <poll.h>

#include <fmt/format.h>

#include "postgres/cluster_schema.hpp"
#include "postgres/internal.hpp"
#include "postgres/text.hpp"
#include "process/signals.hpp"

namespace pt::pg {
namespace {

// No stop request ends a cluster operation: each is bounded by its timeout.
class NeverStop final : public StopSource
{
public:
  int stop_signal() const override { return 0; }
};

const NeverStop k_never_stop;

constexpr const char* k_sqlstate_insufficient_privilege = "42501";

std::int64_t realtime_us()
{
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
}

std::string error_field(const PGresult* error, int field)
{
  const char* value = pq().PQresultErrorField(error, field);
  return value != nullptr ? one_line(value) : "";
}

} // namespace

std::string text_at(const PGresult* result, int row, int column)
{
  if (pq().PQgetisnull(result, row, column) != 0) {
    return {};
  }
  return pq().PQgetvalue(result, row, column);
}

std::optional<std::int64_t> int_at(const PGresult* result, int row, int column)
{
  if (pq().PQgetisnull(result, row, column) != 0) {
    return std::nullopt;
  }
  return std::stoll(pq().PQgetvalue(result, row, column));
}

std::string ClusterSession::where() const
{
  const auto& server = m_connector.server();
  return server.empty() ? fmt::format("the cluster database \"{}\"", m_database.name)
                        : fmt::format("the cluster database ({})", server);
}

ClusterResult<void> ClusterSession::connect()
{
  m_conn.reset();
  Waiter waiter(k_never_stop, -1, deadline_after(Clock::now(), m_timeout));
  auto connected = m_connector.connect(waiter, m_secrets);
  if (!connected) {
    const auto kind =
        connected.error().permanent ? ClusterErrorKind::refused : ClusterErrorKind::unreachable;
    return tl::unexpected(
        ClusterError{kind, redact_all(connected.error().message, m_connector.secrets()), {}});
  }
  m_conn = std::move(*connected);
  if (auto direct = check_direct_session(); !direct) {
    m_conn.reset();
    return direct;
  }
  if (m_idle_timeout.count() > 0) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(m_idle_timeout);
    // PostgreSQL 14 and later; an older server keeps the session until TCP
    // keepalives end it (docs/cluster.md).
    if (auto set = run({{"SELECT set_config('idle_session_timeout', $1, false) "
                         "WHERE current_setting('server_version_num')::int >= 140000",
                         {std::to_string(std::max<long long>(ms.count(), 1))}}});
        !set) {
      m_conn.reset();
      return tl::unexpected(set.error());
    }
  }
  if (auto migrated = migrate(); !migrated) {
    m_conn.reset();
    return migrated;
  }
  return {};
}

ClusterResult<void> ClusterSession::check_direct_session()
{
  auto results = run({{"SELECT pg_backend_pid()", {}}});
  if (!results) {
    return tl::unexpected(results.error());
  }
  const auto server_pid = int_at(results->front().get(), 0, 0).value_or(0);
  const auto client_pid = pq().PQbackendPID(m_conn.get());
  if (server_pid == client_pid) {
    return {};
  }
  return tl::unexpected(ClusterError{
      ClusterErrorKind::refused,
      fmt::format("the cluster database connection goes through a connection pooler "
                  "(PQbackendPID {}, server pid {}): session advisory locks and leases need a "
                  "direct session connection; connect to PostgreSQL itself",
                  client_pid, server_pid),
      {}});
}

ClusterResult<Duration> ClusterSession::clock_skew()
{
  const auto before = realtime_us();
  auto results = run({{"SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint", {}}});
  const auto after = realtime_us();
  if (!results) {
    return tl::unexpected(results.error());
  }
  const auto database = int_at(results->front().get(), 0, 0).value_or(0);
  return Duration(database - (before + (after - before) / 2));
}

ClusterResult<void> ClusterSession::migrate()
{
  auto version = read_version(false);
  if (!version) {
    auto error = version.error();
    if (error.sqlstate == k_sqlstate_insufficient_privilege) {
      // The schema is there (a DBA ran the init SQL) but not granted to us.
      error.kind = ClusterErrorKind::refused;
      error.message = fmt::format(
          "cannot read the schema \"periodic_tasks\" in {}: {}; grant this role USAGE on the "
          "schema and SELECT, INSERT, UPDATE, DELETE on its tables",
          where(), m_server_message);
    }
    return tl::unexpected(error);
  }
  if (*version == cluster_schema_version()) {
    return {};
  }
  if (*version > cluster_schema_version()) {
    return tl::unexpected(newer_schema(*version));
  }
  auto applied = apply_migrations();
  if (applied) {
    return {};
  }
  if (m_conn) {
    Waiter waiter(k_never_stop, -1, std::nullopt);
    roll_back(m_conn.get(), waiter);
  }
  auto error = applied.error();
  if (error.sqlstate == k_sqlstate_insufficient_privilege) {
    error.kind = ClusterErrorKind::refused;
    error.message = fmt::format(
        "cannot create the schema \"periodic_tasks\" in {}: {}; have a role that may create "
        "schemas run the SQL that `periodic_tasks cluster init --print` prints, and grant this "
        "role USAGE on the schema and SELECT, INSERT, UPDATE, DELETE on its tables",
        where(), m_server_message);
  }
  return tl::unexpected(error);
}

ClusterError ClusterSession::newer_schema(int version) const
{
  return {ClusterErrorKind::refused,
          fmt::format("the schema \"periodic_tasks\" in {} is at version {}, newer than this "
                      "periodic_tasks knows ({}): a newer periodic_tasks on another host has "
                      "migrated it; install the same periodic_tasks version on every host",
                      where(), version, cluster_schema_version()),
          {}};
}

// Returns the schema's version: 0 when there is no version table yet.
ClusterResult<int> ClusterSession::read_version(bool known_to_exist)
{
  if (!known_to_exist) {
    auto exists = run({{"SELECT to_regclass('periodic_tasks.schema_version') IS NOT NULL", {}}});
    if (!exists) {
      return tl::unexpected(exists.error());
    }
    if (text_at(exists->front().get(), 0, 0) != "t") {
      return 0;
    }
  }
  auto max = run({{"SELECT coalesce(max(version), 0) FROM periodic_tasks.schema_version", {}}});
  if (!max) {
    return tl::unexpected(max.error());
  }
  return static_cast<int>(int_at(max->front().get(), 0, 0).value_or(0));
}

// Creates the schema if absent and applies each missing version, in one
// transaction under the migration lock (left open when it fails); refuses a
// version newer than ours found under the lock (another host's newer program
// got there first).
ClusterResult<void> ClusterSession::apply_migrations()
{
  auto begun = run_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({}, {}); {}",
                                      k_cluster_lock_namespace, k_cluster_migration_lock_key,
                                      cluster_bootstrap_sql()));
  if (!begun) {
    return tl::unexpected(begun.error());
  }
  auto version = read_version(true);
  if (!version) {
    return tl::unexpected(version.error());
  }
  if (*version > cluster_schema_version()) {
    return tl::unexpected(newer_schema(*version));
  }
  std::string blocks;
  for (const auto& migration : cluster_migrations()) {
    blocks += cluster_migration_block(migration) + "\n";
  }
  if (auto applied = run_script(blocks + "COMMIT;"); !applied) {
    return tl::unexpected(applied.error());
  }
  return {};
}

ClusterResult<Results> ClusterSession::run(std::span<const Query> queries)
{
  if (!m_conn) {
    return tl::unexpected(ClusterError{
        ClusterErrorKind::unreachable, fmt::format("not connected to {}", where()), {}});
  }
  Waiter waiter(k_never_stop, -1, deadline_after(Clock::now(), m_timeout));
  auto* conn = m_conn.get();
  const bool pipeline = queries.size() > 1;
  if (pipeline && pq().PQenterPipelineMode(conn) != 1) {
    return tl::unexpected(lost(Wake::broken));
  }
  for (const auto& query : queries) {
    std::vector<const char*> values;
    for (const auto& param : query.params) {
      values.push_back(param.c_str());
    }
    const std::string sql(query.sql);
    if (pq().PQsendQueryParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0) != 1) {
      return tl::unexpected(lost(Wake::broken));
    }
  }
  if (pipeline && pq().PQpipelineSync(conn) != 1) {
    return tl::unexpected(lost(Wake::broken));
  }
  return finish(waiter);
}

ClusterResult<Results> ClusterSession::run_script(const std::string& sql)
{
  if (!m_conn) {
    return tl::unexpected(ClusterError{
        ClusterErrorKind::unreachable, fmt::format("not connected to {}", where()), {}});
  }
  Waiter waiter(k_never_stop, -1, deadline_after(Clock::now(), m_timeout));
  if (pq().PQsendQuery(m_conn.get(), sql.c_str()) != 1) {
    return tl::unexpected(lost(Wake::broken));
  }
  return finish(waiter);
}

// Collects what was sent; an SQL error is `failed` with its SQLSTATE.
ClusterResult<Results> ClusterSession::finish(Waiter& waiter)
{
  Results results;
  const auto wake = collect(m_conn.get(), waiter, results);
  if (wake != Wake::ready) {
    return tl::unexpected(lost(wake));
  }
  if (const auto* error = first_error(results); error != nullptr) {
    m_server_message = error_field(error, PG_DIAG_MESSAGE_PRIMARY);
    const auto state = error_field(error, PG_DIAG_SQLSTATE);
    return tl::unexpected(ClusterError{
        ClusterErrorKind::failed,
        fmt::format("{} refused a statement: {} (SQLSTATE {})", where(), m_server_message, state),
        state});
  }
  return results;
}

// Closes the connection after a wait that did not end well.
ClusterError ClusterSession::lost(Wake wake)
{
  std::string why;
  switch (wake) {
  case Wake::deadline:
    why = fmt::format("no answer within {}", format_timespan(m_timeout));
    break;
  case Wake::ready:
  case Wake::stop:
  case Wake::broken:
  case Wake::copy:
    why = fmt::format("connection lost: {}", one_line(pq().PQerrorMessage(m_conn.get())));
    break;
  }
  auto message = fmt::format("{}: {}", where(), why);
  m_conn.reset();
  return {ClusterErrorKind::unreachable, std::move(message), {}};
}

} // namespace pt::pg
