// SPDX-License-Identifier: MIT
// Cluster mode in a run (docs/cluster.md): before a task of exclusive =
// "cluster" runs, its slot is claimed (a scheduled run) or its cluster-wide
// lock taken (a run by hand); while it runs, the claim is renewed from a
// thread and the task fenced when it cannot be; afterwards the claim is
// finished or given back.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>

#include "config/config.hpp"
#include "postgres/cluster.hpp"
#include "run/result.hpp"
#include "util/fd.hpp"

namespace pt {

// Opens the claim store; called at most once per run, on first need.
using ClusterStoreOpener = std::function<ClusterResult<std::unique_ptr<ClusterStore>>()>;

// A task's claim (or lock) while the task runs: renewed every lease/3 by one
// thread, watched by another that fences the task when lease/2 passed
// without a renewal, by the monotonic clock, or as soon as a renewal says the
// claim is no longer ours. The fence is an fd that becomes readable
// (ProcessSpec::fence_fd); it is never reset.
class ClaimHold
{
public:
  // `scheduled`: a slot's claim (renewed by heartbeat()); else the task's lock
  // (kept by keepalive(): the lock lives as long as the session).
  ClaimHold(ClusterStore& store, ClaimKey key, int attempt, bool scheduled, Duration lease);
  ~ClaimHold();
  ClaimHold(const ClaimHold&) = delete;
  ClaimHold& operator=(const ClaimHold&) = delete;

  const ClaimKey& key() const { return m_key; }
  int attempt() const { return m_attempt; }
  bool scheduled() const { return m_scheduled; }
  int fence_fd() const { return m_fence.get(); }
  // Why the task was fenced; empty while it was not.
  std::string fence_reason() const;
  // Stops renewing (both threads joined); idempotent.
  void stop();

private:
  void renew_loop();
  void watch_loop();
  void fence(std::string reason);

  ClusterStore& m_store;
  ClaimKey m_key;
  int m_attempt;
  bool m_scheduled;
  Duration m_lease;
  UniqueFd m_fence;

  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  bool m_stopping = false;
  std::chrono::steady_clock::time_point m_renewed; // when the last renewal that held was sent
  std::string m_lost;                              // a renewal said the claim is gone
  std::string m_last_error;                        // of the last renewal that failed
  std::string m_fence_reason;
  std::thread m_renewer;
  std::thread m_watcher;
};

// What the runner asks of the cluster for one task: a hold to run under, or
// the outcome that stands instead of running (skipped: claimed; error).
using ClusterAcquired = std::variant<std::unique_ptr<ClaimHold>, TaskOutcome>;

// The cluster as one run sees it: one claim store, opened on first need.
class ClusterClaims
{
public:
  // `self`: this host (name, boot id, pid); the run id comes with each acquire().
  ClusterClaims(const ClusterSettings& settings, ClusterStoreOpener open, ClaimHolder self);

  // Opens the store if it is not open and measures the clock skew: the
  // database clock minus this host's, or why it cannot be known.
  ClusterResult<Duration> clock_skew();

  // For `task` in a run with `context`: claims the slot (a scheduled run,
  // context.slot_time set) or takes the task's lock (any other run).
  ClusterAcquired acquire(const Task& task, const RunContext& context);

  // After the run: stops renewing, then marks the slot done with the
  // outcome's result (unless `marked_in_sql`: the task's own transaction
  // committed the mark) or gives the lock back, and records a fence or a
  // failure to finish in `outcome`. A task that did not succeed in a run that
  // was `interrupted` (a stop signal to the runner) leaves its slot unfinished,
  // as in single-host mode: the lease runs out and a later wake takes it over.
  void finish(ClaimHold& hold, TaskOutcome& outcome, bool marked_in_sql, bool interrupted);

  // Deletes finished claims older than the retention (a warning text when it
  // could not; empty when it did or there was nothing to open).
  std::string prune();

  const ClusterSettings& settings() const { return m_settings; }
  // Whether the store is open (a slot was claimed, a lock taken or the skew measured).
  bool store_opened() const { return m_store != nullptr; }

private:
  ClusterResult<ClusterStore*> store();
  ClusterAcquired lock_task(ClusterStore& claims, const Task& task, const RunContext& context,
                            const ClaimHolder& holder);
  ClusterAcquired claim_slot(ClusterStore& claims, const Task& task, const RunContext& context,
                             const ClaimHolder& holder);

  ClusterSettings m_settings;
  ClusterStoreOpener m_open;
  ClaimHolder m_self;
  std::unique_ptr<ClusterStore> m_store;
  std::optional<ClusterError> m_open_error; // opening failed: every acquire() answers it
  std::optional<Duration> m_skew;
};

// Returns this host as a claim holder (its name, boot id and pid), run id empty.
ClaimHolder this_host();

} // namespace pt
