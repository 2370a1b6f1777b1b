// SPDX-License-Identifier: MIT
// Runs the selected tasks in turn; every outcome becomes a TaskOutcome.
#pragma once

#include "config/config.hpp"
#include "journal/event_log.hpp"
#include "postgres/sql.hpp"
#include "process/process.hpp"
#include "process/signals.hpp"
#include "run/clock.hpp"
#include "run/cluster_claims.hpp"
#include "run/environment.hpp"
#include "run/result.hpp"
#include "run/task_lock.hpp"

namespace pt {

// The collaborators a run needs; app/app.cpp builds the real ones, tests the fakes.
struct RunnerDeps
{
  ProcessRunner& processes;
  SqlExecutor& sql;
  EventLog& log;
  TaskLocks& locks;
  const Clock& clock;
  const StopSource& stop;
  Delay& delay;
  Identity identity;
  // Cluster mode: the claims of tasks with exclusive = "cluster"; null
  // without [cluster].
  ClusterClaims* cluster = nullptr;
};

// Runs `request` against `settings`; never throws for anything a task does.
RunSummary run_tasks(const Settings& settings, const RunRequest& request, RunnerDeps& deps);

} // namespace pt
