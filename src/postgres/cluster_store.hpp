// SPDX-License-Identifier: MIT
// The real ClusterStore (cluster mode, docs/cluster.md):
// claims in PostgreSQL, on one session of its own.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <variant>

#include "config/config.hpp"
#include "postgres/cluster.hpp"
#include "postgres/secrets.hpp"

namespace pt {

namespace pg {
class ClusterSession; // the libpq side, in postgres/internal.hpp
}

// Threading: every operation takes the store's mutex for its round trips, so
// a heartbeat thread and the thread that claimed may share one store; the
// session itself is used by one thread at a time.
class PgClusterStore final : public ClusterStore
{
public:
  // Connects to `database` with the password from `secrets` (which must
  // outlive the store), refuses a connection pooler, creates or migrates the
  // schema, and measures the clock skew. Each operation, connecting
  // included, is bounded by `timeout`. A positive `idle_timeout` becomes the
  // session's idle_session_timeout: the server ends a session (and frees
  // its locks) that has sent nothing for that long, as a partitioned
  // holder's, whose TCP connection may look alive for hours.
  static ClusterResult<std::unique_ptr<PgClusterStore>> open(const Database& database,
                                                             const SecretSource& secrets,
                                                             Duration timeout,
                                                             Duration idle_timeout = {});
  ~PgClusterStore() override;
  PgClusterStore(const PgClusterStore&) = delete;
  PgClusterStore& operator=(const PgClusterStore&) = delete;

  // Returns the database clock minus this host's CLOCK_REALTIME as measured
  // by open(), at the midpoint of the round trip; refuse to claim when its
  // magnitude exceeds max_clock_skew.
  Duration clock_skew() const { return m_clock_skew; }
  // Measures the clock skew again.
  ClusterResult<Duration> measure_clock_skew() override;

  // While this store holds a claim of a task, a second claim of that task
  // through it is HeldBy (the advisory lock, which a session may take twice,
  // is not asked). A broken session loses every claim it held: the locks go
  // with it, heartbeat() then fails rather than reconnect, and the next
  // claim(), finish(), prune() or status() connects anew.
  ClusterResult<ClaimOutcome> claim(const ClaimKey& key, const ClaimHolder& holder,
                                    Duration lease) override;
  ClusterResult<bool> heartbeat(const ClaimKey& key, int attempt, Duration lease) override;
  ClusterResult<bool> finish(const ClaimKey& key, int attempt, std::string_view result) override;
  ClusterResult<void> release(const ClaimKey& key) override;
  ClusterResult<std::optional<HeldBy>> lock(const std::string& task,
                                            const ClaimHolder& holder) override;
  ClusterResult<bool> keepalive() override;
  ClusterResult<std::int64_t> prune(Duration retention, int batch) override;
  ClusterResult<std::vector<TaskClusterStatus>> status() override;

private:
  explicit PgClusterStore(std::unique_ptr<pg::ClusterSession> session);
  ClusterResult<void> ensure_connected();
  ClusterResult<std::variant<int, HeldBy>> take_lock(const std::string& task,
                                                     const ClaimHolder& holder);
  ClusterResult<ClaimOutcome> claim_locked(const ClaimKey& key, const ClaimHolder& holder,
                                           Duration lease, int id);
  ClusterResult<void> unlock(int id);
  void forget_claims_if_lost();

  std::mutex m_mutex;
  std::unique_ptr<pg::ClusterSession> m_session;
  // A claim this session holds, with the task's lock.
  struct Held
  {
    int id = 0;     // the task's id, the second key of its lock
    HeldBy as_seen; // what a second claim of the task answers
  };

  std::set<std::string> m_known_tasks; // tasks whose row exists in periodic_tasks.tasks
  bool m_named = false;                // application_name names our runner on this session
  std::map<std::string, Held> m_held;  // by task name
  Duration m_clock_skew{};
};

} // namespace pt
