// SPDX-License-Identifier: MIT
// The seam between the runner and the cluster's claim store (cluster mode,
// docs/cluster.md): who holds a task's slot, and the
// operations that claim, renew, finish and prune. Free of libpq, so a fake can
// stand in for the PostgreSQL store (postgres/cluster_store.hpp) in unit tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <tl/expected.hpp>

#include "util/duration.hpp"

namespace pt {

// An instant in UTC in microseconds since 1970 (a slot, a lease's end): the
// precision of PostgreSQL's timestamptz, so a slot goes there and back exactly.
using ClusterTime = std::int64_t;

// Who holds (or held) a claim: enough to find the process and its run.
struct ClaimHolder
{
  std::string host;
  std::string boot_id;
  int pid = 0;
  std::string run_id;
  friend bool operator==(const ClaimHolder&, const ClaimHolder&) = default;
};

// One task's one slot: what a claim is for.
struct ClaimKey
{
  std::string task;
  ClusterTime slot = 0;
};

// The slot is ours: run it. attempt is 1 for a new claim, n+1 for a takeover.
struct Claimed
{
  int attempt = 0;
};

// The slot is finished (by any host): never run it again.
struct Done
{
  std::optional<ClaimHolder> holder; // nullopt when pruned
  std::string result;                // the finisher's result word; empty when pruned
  std::optional<ClusterTime> finished_at;
  bool pruned = false; // at or before the task's watermark: its claim was pruned
};

// Someone else holds the task: a live claim of this slot, or the task's lock
// (a run of another slot, or a manual run, which has no claim row).
struct HeldBy
{
  std::optional<ClaimHolder> holder; // nullopt when no running claim names one
  int attempt = 0;                   // 0 when unknown
  std::optional<ClusterTime> slot;   // the slot the holder runs
  std::optional<ClusterTime> lease_until;
  // When no claim names the holder (a run by hand): the database session
  // that holds the task's lock, as pg_stat_activity shows it, e.g.
  // "periodic_tasks pid 4242 on db-2 (backend 5151 from 10.0.0.2)"; empty
  // when the lock was given back in between.
  std::string session = {};
};

using ClaimOutcome = std::variant<Claimed, Done, HeldBy>;

enum class ClusterErrorKind {
  unreachable, // no connection, or it broke or timed out: the next wake may succeed
  refused,     // a person must act: a pooler, a schema too new, no right to create it
  failed,      // the server refused a statement of ours
};

struct ClusterError
{
  ClusterErrorKind kind = ClusterErrorKind::failed;
  std::string message;  // one line, no secrets, says what to do where it can
  std::string sqlstate; // the server's, when it refused a statement
};

template <typename T>
using ClusterResult = tl::expected<T, ClusterError>;

// A task's slot as the cluster last finished it.
struct FinishedSlot
{
  ClusterTime slot = 0;
  std::string host;
  std::string result;
  ClusterTime finished_at = 0;
};

// A claim being run right now.
struct RunningClaim
{
  ClusterTime slot = 0;
  ClaimHolder holder;
  int attempt = 0;
  ClusterTime lease_until = 0;
};

// The cluster's view of one task, for `status`.
struct TaskClusterStatus
{
  std::string task;
  std::optional<FinishedSlot> last_done;
  std::optional<RunningClaim> running;
  // With no running claim: the database session holding the task's lock (a
  // run without a slot, by hand or of the unscheduled tasks), as HeldBy's.
  std::string lock_session = {};
};

// The claim store. Claims are per task: while this store holds a claim of a
// task, no other store anywhere claims any slot of that task.
class ClusterStore
{
public:
  virtual ~ClusterStore() = default;
  // Claims `key` for `holder` with a lease of `lease` on the database clock.
  virtual ClusterResult<ClaimOutcome> claim(const ClaimKey& key, const ClaimHolder& holder,
                                            Duration lease) = 0;
  // Extends our claim of `key` with `attempt` to `lease` from now; false when
  // it is no longer ours (taken over or finished: the holder is fenced).
  virtual ClusterResult<bool> heartbeat(const ClaimKey& key, int attempt, Duration lease) = 0;
  // Marks our claim done with `result` and gives the task up; false when the
  // attempt no longer held it, and nothing changed.
  virtual ClusterResult<bool> finish(const ClaimKey& key, int attempt, std::string_view result) = 0;
  // Gives up our claim of `key` without finishing (its lease still runs out),
  // or the lock of `key.task` that lock() took.
  virtual ClusterResult<void> release(const ClaimKey& key) = 0;
  // Takes the task's cluster-wide lock without claiming a slot (a run by
  // hand): nullopt when it is ours now, else who holds the task.
  virtual ClusterResult<std::optional<HeldBy>> lock(const std::string& task,
                                                    const ClaimHolder& holder) = 0;
  // One round trip on the session that holds our locks: false when that
  // session is gone, and every lock it held with it.
  virtual ClusterResult<bool> keepalive() = 0;
  // Returns the database clock minus this host's, measured now.
  virtual ClusterResult<Duration> measure_clock_skew() = 0;
  // Deletes done claims finished more than `retention` ago, `batch` rows per
  // transaction, raising each task's watermark first; returns how many.
  virtual ClusterResult<std::int64_t> prune(Duration retention, int batch) = 0;
  // Returns every known task's last finished slot and running claim, by name.
  virtual ClusterResult<std::vector<TaskClusterStatus>> status() = 0;
};

} // namespace pt
