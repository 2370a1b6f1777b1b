// SPDX-License-Identifier: MIT
// The claim protocol (cluster mode, docs/cluster.md): a
// task's slot runs once across hosts that share one PostgreSQL.
//
// Claiming takes two round trips. First the task's SESSION advisory lock
// (k_cluster_lock_namespace, the task's id): it is per task, so two runs of a
// task never overlap anywhere, whatever their slots (manual runs take it
// too), and it lives exactly as long as the holder's session, so a dead
// host's lock frees itself. Not getting it answers HeldBy, with the task's
// running claim if there is one. Then, holding the lock, one statement
// decides under a fresh snapshot (READ COMMITTED: taken after the lock, so a
// previous holder's committed finish is seen): a slot at or before the task's
// watermark is Done (pruned); no row: insert attempt 1, Claimed; a done row:
// Done; a running row whose lease has expired on the database clock: take it
// over as attempt n+1, Claimed; a running row with a live lease: HeldBy. A
// takeover thus needs both the lock free (the holder's session is gone) and
// the lease expired (the holder had time to notice it cannot renew and stop).
// Whatever is not Claimed gives the lock back.
//
// Fencing: heartbeat and finish change the row only WHERE attempt is the
// caller's and the state is running, so a holder that was taken over changes
// nothing and learns it (0 rows). finish's done mark commits before another
// session can take the task's lock: a session lock is released at once, not
// at commit, so the same transaction first takes the lock at transaction level
// too, which ends with it. The task's row, which keys its lock, is made in the
// lock's round trip.
//
// Slots go to the server as RFC 3339 text and come back as microseconds
// since 1970 (extract(epoch ...) is numeric, so exact), never as a float.
#include "postgres/cluster_store.hpp"

#include <fmt/format.h>

#include "postgres/cluster_schema.hpp"
#include "postgres/internal.hpp"
#include "schedule/timestamp.hpp"

namespace pt {
namespace {

using pg::int_at;
using pg::Query;
using pg::text_at;

// Gives back the task's lock (its id).
// The task's lock at transaction level, for finish().
Query xact_lock_query(int id)
{
  return {"SELECT pg_advisory_xact_lock($1::int, $2::int)",
          {std::to_string(k_cluster_lock_namespace), std::to_string(id)}};
}

Query unlock_query(int id)
{
  return {"SELECT pg_advisory_unlock($1::int, $2::int)",
          {std::to_string(k_cluster_lock_namespace), std::to_string(id)}};
}

// The task's row, which gives it the id its lock is keyed by ($1 task).
constexpr std::string_view k_task_sql =
    "INSERT INTO periodic_tasks.tasks (task) VALUES ($1) ON CONFLICT (task) DO NOTHING";

// "LEFT JOIN LATERAL (...) AS s": s.session, the database session that holds
// the lock of the task whose id is {id} ($1 namespace) as pg_stat_activity
// shows it, "periodic_tasks pid 7 on db-2 (backend 4242 from 10.0.0.2)"; read
// only when {when} holds (a one-time filter: pg_locks is not read otherwise).
constexpr std::string_view k_lock_session_sql = R"sql(LEFT JOIN LATERAL (
    SELECT coalesce(nullif(a.application_name, ''), 'a session') || ' (backend ' || k.pid ||
           coalesce(' from ' || host(a.client_addr), '') || ')' AS session
    FROM pg_locks AS k LEFT JOIN pg_stat_activity AS a ON a.pid = k.pid
    WHERE {when} AND k.locktype = 'advisory' AND k.granted
      AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND k.classid = $1::int::oid AND k.objid = {id}::oid AND k.objsubid = 2
    LIMIT 1
) AS s ON true)sql";

std::string lock_session_sql(std::string_view id, std::string_view when)
{
  return fmt::format(fmt::runtime(k_lock_session_sql), fmt::arg("id", id), fmt::arg("when", when));
}

// The task's lock ($1 namespace, $2 task), who runs the task when we cannot
// have it (its claim, or else the session holding the lock), and the task's id.
const std::string& lock_sql()
{
  static const std::string sql = R"sql(
SELECT l.got, c.host, c.boot_id, c.pid, c.run_id, c.attempt,
       (extract(epoch FROM c.slot) * 1000000)::bigint,
       (extract(epoch FROM c.lease_until) * 1000000)::bigint,
       l.id, s.session
FROM (SELECT t.id, pg_try_advisory_lock($1::int, t.id) AS got
      FROM periodic_tasks.tasks AS t WHERE t.task = $2) AS l
LEFT JOIN LATERAL (
    SELECT * FROM periodic_tasks.claims
    WHERE NOT l.got AND task = $2 AND state = 'running'
    ORDER BY claimed_at DESC LIMIT 1
) AS c ON true
)sql" + lock_session_sql("l.id", "NOT l.got AND c.task IS NULL");
  return sql;
}

// Names this session after its runner, for the lock query above on other
// hosts: application_name (63 bytes at most; the server cuts the rest).
constexpr std::string_view k_name_sql = "SELECT set_config('application_name', $1, false)";

// The decision, under the task's lock: $1 task, $2 slot, $3 host, $4 boot id,
// $5 pid, $6 run id, $7 lease in microseconds.
constexpr std::string_view k_claim_sql = R"sql(
WITH mark AS (
    SELECT FROM periodic_tasks.watermarks WHERE task = $1 AND pruned_through >= $2::timestamptz
), old AS (
    SELECT * FROM periodic_tasks.claims
    WHERE task = $1 AND slot = $2::timestamptz AND NOT EXISTS (SELECT FROM mark)
    FOR UPDATE
), fresh AS (
    INSERT INTO periodic_tasks.claims
        (task, slot, attempt, state, host, boot_id, pid, run_id, lease_until)
    SELECT $1, $2::timestamptz, 1, 'running', $3, $4, $5::int, $6,
           now() + $7::bigint * interval '1 microsecond'
    WHERE NOT EXISTS (SELECT FROM mark) AND NOT EXISTS (SELECT FROM old)
    ON CONFLICT (task, slot) DO NOTHING
    RETURNING attempt
), taken AS (
    UPDATE periodic_tasks.claims AS c
    SET attempt = old.attempt + 1, host = $3, boot_id = $4, pid = $5::int, run_id = $6,
        claimed_at = now(), lease_until = now() + $7::bigint * interval '1 microsecond'
    FROM old
    WHERE c.task = old.task AND c.slot = old.slot
      AND old.state = 'running' AND old.lease_until < now()
    RETURNING c.attempt
)
SELECT CASE WHEN EXISTS (SELECT FROM mark) THEN 'pruned'
            WHEN EXISTS (SELECT FROM fresh) OR EXISTS (SELECT FROM taken) THEN 'claimed'
            WHEN old.state = 'done' THEN 'done'
            ELSE 'held' END,
       coalesce((SELECT attempt FROM fresh), (SELECT attempt FROM taken), old.attempt),
       old.host, old.boot_id, old.pid, old.run_id, old.result,
       (extract(epoch FROM old.finished_at) * 1000000)::bigint,
       (extract(epoch FROM old.lease_until) * 1000000)::bigint
FROM (SELECT) AS one LEFT JOIN old ON true)sql";

constexpr std::string_view k_heartbeat_sql =
    "UPDATE periodic_tasks.claims SET lease_until = now() + $4::bigint * interval '1 microsecond' "
    "WHERE task = $1 AND slot = $2::timestamptz AND attempt = $3::int AND state = 'running'";

// One batch: the watermarks raised to the newest slot pruned, in the same
// statement (so the same transaction) as the delete.
constexpr std::string_view k_prune_sql = R"sql(
WITH victims AS (
    SELECT ctid, task, slot FROM periodic_tasks.claims
    WHERE state = 'done' AND finished_at < now() - $1::bigint * interval '1 microsecond'
    LIMIT $2::int
    FOR UPDATE SKIP LOCKED
), marks AS (
    INSERT INTO periodic_tasks.watermarks AS w (task, pruned_through)
    SELECT task, max(slot) FROM victims GROUP BY task
    ON CONFLICT (task) DO UPDATE SET pruned_through = greatest(w.pruned_through, excluded.pruned_through)
)
DELETE FROM periodic_tasks.claims WHERE ctid = ANY (ARRAY(SELECT ctid FROM victims)))sql";

const std::string& status_sql()
{
  static const std::string sql = R"sql(
SELECT t.task, d.slot, d.host, d.result, d.finished_at,
       r.slot, r.host, r.boot_id, r.pid, r.run_id, r.attempt, r.lease_until, s.session
FROM periodic_tasks.tasks AS t
LEFT JOIN LATERAL (
    SELECT (extract(epoch FROM slot) * 1000000)::bigint AS slot, host, result,
           (extract(epoch FROM finished_at) * 1000000)::bigint AS finished_at
    FROM periodic_tasks.claims WHERE task = t.task AND state = 'done'
    ORDER BY slot DESC LIMIT 1
) AS d ON true
LEFT JOIN LATERAL (
    SELECT (extract(epoch FROM slot) * 1000000)::bigint AS slot, host, boot_id, pid, run_id,
           attempt, (extract(epoch FROM lease_until) * 1000000)::bigint AS lease_until
    FROM periodic_tasks.claims WHERE task = t.task AND state = 'running'
    ORDER BY claimed_at DESC LIMIT 1
) AS r ON true
)sql" + lock_session_sql("t.id", "r.slot IS NULL") +
                                 "\nORDER BY t.task";
  return sql;
}

std::string slot_text(ClusterTime slot)
{
  return format_utc_timestamp(TimePoint(std::chrono::microseconds(slot)));
}

std::string micros(Duration duration)
{
  return std::to_string(duration.count());
}

int to_int(std::optional<std::int64_t> value)
{
  return static_cast<int>(value.value_or(0));
}

// The holder named in columns first..first+3 (host, boot id, pid, run id), if any.
std::optional<ClaimHolder> holder_at(const PGresult* row, int first)
{
  if (pg::pq().PQgetisnull(row, 0, first) != 0) {
    return std::nullopt;
  }
  return ClaimHolder{text_at(row, 0, first), text_at(row, 0, first + 1),
                     to_int(int_at(row, 0, first + 2)), text_at(row, 0, first + 3)};
}

} // namespace

PgClusterStore::PgClusterStore(std::unique_ptr<pg::ClusterSession> session)
    : m_session(std::move(session))
{
}

PgClusterStore::~PgClusterStore() = default;

ClusterResult<std::unique_ptr<PgClusterStore>> PgClusterStore::open(const Database& database,
                                                                    const SecretSource& secrets,
                                                                    Duration timeout,
                                                                    Duration idle_timeout)
{
  if (auto loaded = pg::load_libpq(); !loaded) {
    return tl::unexpected(ClusterError{ClusterErrorKind::refused, loaded.error(), {}});
  }
  auto session = std::make_unique<pg::ClusterSession>(database, secrets, timeout, idle_timeout);
  if (auto connected = session->connect(); !connected) {
    return tl::unexpected(connected.error());
  }
  std::unique_ptr<PgClusterStore> store(new PgClusterStore(std::move(session)));
  auto skew = store->measure_clock_skew();
  if (!skew) {
    return tl::unexpected(skew.error());
  }
  return store;
}

ClusterResult<Duration> PgClusterStore::measure_clock_skew()
{
  const std::lock_guard lock(m_mutex);
  auto skew = m_session->clock_skew();
  forget_claims_if_lost();
  if (skew) {
    m_clock_skew = *skew;
  }
  return skew;
}

ClusterResult<void> PgClusterStore::ensure_connected()
{
  if (m_session->connected()) {
    return {};
  }
  m_named = false; // a new session has the name libpq gave it
  return m_session->connect();
}

// A broken session took every lock it held with it.
void PgClusterStore::forget_claims_if_lost()
{
  if (!m_session->connected()) {
    m_held.clear();
  }
}

// Returns the task's id, giving the task one on first sight. The two
// statements share a pipeline but not a snapshot: the SELECT sees a row that
// a concurrent first sight committed while the INSERT waited for it.
ClusterResult<ClaimOutcome> PgClusterStore::claim(const ClaimKey& key, const ClaimHolder& holder,
                                                  Duration lease)
{
  const std::lock_guard lock(m_mutex);
  if (const auto held = m_held.find(key.task); held != m_held.end()) {
    return held->second.as_seen;
  }
  auto outcome = [&]() -> ClusterResult<ClaimOutcome> {
    auto locked = take_lock(key.task, holder);
    if (!locked) {
      return tl::unexpected(locked.error());
    }
    if (const auto* held = std::get_if<HeldBy>(&*locked)) {
      return *held;
    }
    return claim_locked(key, holder, lease, std::get<int>(*locked));
  }();
  forget_claims_if_lost();
  return outcome;
}

// Connects if need be and takes the task's lock: its id when the lock is
// ours now, else who runs the task.
ClusterResult<std::variant<int, HeldBy>> PgClusterStore::take_lock(const std::string& task,
                                                                   const ClaimHolder& holder)
{
  if (auto connected = ensure_connected(); !connected) {
    return tl::unexpected(connected.error());
  }
  // The session's name the first time it takes a lock, the task's row the
  // first time it meets the task, then the lock: one round trip.
  std::vector<pg::Query> queries;
  if (!m_named) {
    queries.push_back(
        {k_name_sql, {fmt::format("periodic_tasks pid {} on {}", holder.pid, holder.host)}});
  }
  if (m_known_tasks.count(task) == 0) {
    queries.push_back({k_task_sql, {task}});
  }
  const auto space = std::to_string(k_cluster_lock_namespace);
  queries.push_back({lock_sql(), {space, task}});
  auto locked = m_session->run(queries);
  if (!locked) {
    return tl::unexpected(locked.error());
  }
  m_named = true;
  const auto* row = locked->back().get();
  if (pg::pq().PQntuples(row) != 1) {
    return tl::unexpected(
        ClusterError{ClusterErrorKind::failed,
                     fmt::format("{} has no row for task \"{}\" in periodic_tasks.tasks",
                                 m_session->where(), task),
                     {}});
  }
  m_known_tasks.insert(task);
  const auto id = to_int(int_at(row, 0, 8));
  if (text_at(row, 0, 0) != "t") {
    return HeldBy{holder_at(row, 1), to_int(int_at(row, 0, 5)), int_at(row, 0, 6),
                  int_at(row, 0, 7), text_at(row, 0, 9)};
  }
  return id;
}

// Decides with the task's lock held; keeps the lock only when Claimed.
ClusterResult<ClaimOutcome>
PgClusterStore::claim_locked(const ClaimKey& key, const ClaimHolder& holder, Duration lease, int id)
{
  auto decided = m_session->run({{k_claim_sql,
                                  {key.task, slot_text(key.slot), holder.host, holder.boot_id,
                                   std::to_string(holder.pid), holder.run_id, micros(lease)}}});
  if (!decided) {
    if (auto unlocked = unlock(id); !unlocked) {
      return tl::unexpected(unlocked.error());
    }
    return tl::unexpected(decided.error());
  }
  const auto* row = decided->front().get();
  const auto state = text_at(row, 0, 0);
  const auto attempt = to_int(int_at(row, 0, 1));
  if (state == "claimed") {
    m_held[key.task] = Held{id, HeldBy{holder, attempt, key.slot, std::nullopt}};
    return Claimed{attempt};
  }
  ClaimOutcome outcome;
  if (state == "pruned") {
    outcome = Done{std::nullopt, {}, std::nullopt, true};
  } else if (state == "done") {
    outcome = Done{holder_at(row, 2), text_at(row, 0, 6), int_at(row, 0, 7), false};
  } else {
    outcome = HeldBy{holder_at(row, 2), attempt, key.slot, int_at(row, 0, 8)};
  }
  if (auto unlocked = unlock(id); !unlocked) {
    return tl::unexpected(unlocked.error());
  }
  return outcome;
}

ClusterResult<void> PgClusterStore::unlock(int id)
{
  auto unlocked = m_session->run({unlock_query(id)});
  if (!unlocked) {
    return tl::unexpected(unlocked.error());
  }
  return {};
}

ClusterResult<bool> PgClusterStore::heartbeat(const ClaimKey& key, int attempt, Duration lease)
{
  const std::lock_guard lock(m_mutex);
  auto renewed = m_session->run(
      {{k_heartbeat_sql, {key.task, slot_text(key.slot), std::to_string(attempt), micros(lease)}}});
  forget_claims_if_lost();
  if (!renewed) {
    return tl::unexpected(renewed.error());
  }
  return std::string_view(pg::pq().PQcmdTuples(renewed->front().get())) == "1";
}

ClusterResult<bool> PgClusterStore::finish(const ClaimKey& key, int attempt,
                                           std::string_view result)
{
  const std::lock_guard lock(m_mutex);
  auto finished = [&]() -> ClusterResult<bool> {
    if (auto connected = ensure_connected(); !connected) {
      return tl::unexpected(connected.error());
    }
    // The done mark must commit before the next claimer gets the task's
    // lock, but a session lock is released at once, not at commit. So, in
    // one transaction and one write: the same lock at transaction level too
    // (ours at once: we hold it), then the session lock given back, then the
    // mark. The transaction's lock keeps the task until the mark commits or
    // rolls back; either way the task is free after it, and the unlock runs
    // even if the mark fails, which it follows.
    const auto held = m_held.find(key.task);
    Query mark{cluster_finish_sql(),
               {key.task, slot_text(key.slot), std::to_string(attempt), std::string(result)}};
    auto marked = held == m_held.end()
                      ? m_session->run({std::move(mark)})
                      : m_session->run({xact_lock_query(held->second.id),
                                        unlock_query(held->second.id), std::move(mark)});
    if (held != m_held.end()) {
      m_held.erase(held); // unlocked, unless the connection is gone (which unlocks too)
    }
    if (!marked) {
      return tl::unexpected(marked.error());
    }
    return std::string_view(pg::pq().PQcmdTuples(marked->back().get())) == "1";
  }();
  forget_claims_if_lost();
  return finished;
}

ClusterResult<void> PgClusterStore::release(const ClaimKey& key)
{
  const std::lock_guard lock(m_mutex);
  const auto held = m_held.find(key.task);
  if (held == m_held.end()) {
    return {};
  }
  const auto id = held->second.id;
  m_held.erase(held);
  auto unlocked = unlock(id);
  forget_claims_if_lost();
  return unlocked;
}

ClusterResult<std::optional<HeldBy>> PgClusterStore::lock(const std::string& task,
                                                          const ClaimHolder& holder)
{
  const std::lock_guard lock(m_mutex);
  if (const auto held = m_held.find(task); held != m_held.end()) {
    return held->second.as_seen;
  }
  auto outcome = [&]() -> ClusterResult<std::optional<HeldBy>> {
    auto locked = take_lock(task, holder);
    if (!locked) {
      return tl::unexpected(locked.error());
    }
    if (const auto* held = std::get_if<HeldBy>(&*locked)) {
      return *held;
    }
    m_held[task] = Held{std::get<int>(*locked), HeldBy{holder, 0, std::nullopt, std::nullopt}};
    return std::nullopt;
  }();
  forget_claims_if_lost();
  return outcome;
}

ClusterResult<bool> PgClusterStore::keepalive()
{
  const std::lock_guard lock(m_mutex);
  if (!m_session->connected()) {
    return false;
  }
  auto pinged = m_session->run({{"SELECT 1", {}}});
  forget_claims_if_lost();
  if (!pinged) {
    return tl::unexpected(pinged.error());
  }
  return true;
}

ClusterResult<std::int64_t> PgClusterStore::prune(Duration retention, int batch)
{
  const std::lock_guard lock(m_mutex);
  if (retention == k_infinite || batch <= 0) {
    return 0;
  }
  auto pruned = [&]() -> ClusterResult<std::int64_t> {
    if (auto connected = ensure_connected(); !connected) {
      return tl::unexpected(connected.error());
    }
    std::int64_t total = 0;
    for (;;) {
      auto deleted = m_session->run({{k_prune_sql, {micros(retention), std::to_string(batch)}}});
      if (!deleted) {
        return tl::unexpected(deleted.error());
      }
      const auto count = std::stoll(pg::pq().PQcmdTuples(deleted->front().get()));
      total += count;
      if (count < batch) {
        return total;
      }
    }
  }();
  forget_claims_if_lost();
  return pruned;
}

ClusterResult<std::vector<TaskClusterStatus>> PgClusterStore::status()
{
  const std::lock_guard lock(m_mutex);
  auto read = [&]() -> ClusterResult<pg::Results> {
    if (auto connected = ensure_connected(); !connected) {
      return tl::unexpected(connected.error());
    }
    return m_session->run({{status_sql(), {std::to_string(k_cluster_lock_namespace)}}});
  }();
  forget_claims_if_lost();
  if (!read) {
    return tl::unexpected(read.error());
  }
  const auto* rows = read->front().get();
  std::vector<TaskClusterStatus> tasks;
  for (int row = 0; row < pg::pq().PQntuples(rows); ++row) {
    TaskClusterStatus task{text_at(rows, row, 0), std::nullopt, std::nullopt};
    if (const auto slot = int_at(rows, row, 1)) {
      task.last_done = FinishedSlot{*slot, text_at(rows, row, 2), text_at(rows, row, 3),
                                    int_at(rows, row, 4).value_or(0)};
    }
    if (const auto slot = int_at(rows, row, 5)) {
      task.running = RunningClaim{*slot,
                                  ClaimHolder{text_at(rows, row, 6), text_at(rows, row, 7),
                                              to_int(int_at(rows, row, 8)), text_at(rows, row, 9)},
                                  to_int(int_at(rows, row, 10)), int_at(rows, row, 11).value_or(0)};
    }
    task.lock_session = text_at(rows, row, 12);
    tasks.push_back(std::move(task));
  }
  return tasks;
}

} // namespace pt
