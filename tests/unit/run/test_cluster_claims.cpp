// SPDX-License-Identifier: MIT
#include <poll.h>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "run/cluster_claims.hpp"
#include "run/runner.hpp"
#include "run/scheduled.hpp"

using namespace pt;
using namespace pt::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* k_run_id = "0123456789abcdef0123456789abcdef";
// 2026-12-07T07:00:00Z
const SlotTime k_slot{std::chrono::microseconds(1796626800000000)};

ClusterSettings settings_with_lease(Duration lease)
{
  ClusterSettings settings;
  settings.database = "main";
  settings.lease = lease;
  return settings;
}

// ClusterClaims over a FakeClusterStore the test keeps a pointer to.
struct ClaimsFixture
{
  explicit ClaimsFixture(Duration lease = 2min)
      : claims(
            settings_with_lease(lease),
            [this]() -> ClusterResult<std::unique_ptr<ClusterStore>> {
              ++opens;
              if (open_error) {
                return tl::unexpected(*open_error);
              }
              auto owned = std::make_unique<FakeClusterStore>();
              store = owned.get();
              configure(*store);
              return std::unique_ptr<ClusterStore>(std::move(owned));
            },
            ClaimHolder{"db-1", "boot-1", 4711, {}})
  {
  }

  std::function<void(FakeClusterStore&)> configure = [](FakeClusterStore&) {};
  std::optional<ClusterError> open_error;
  FakeClusterStore* store = nullptr;
  int opens = 0;
  ClusterClaims claims;
};

Task cluster_task(const std::string& name)
{
  Task task;
  task.name = name;
  task.command = {"/bin/" + name};
  task.exclusive = Exclusive::cluster;
  task.timeout = 5s;
  task.kill_timeout = 1s;
  return task;
}

RunContext slot_run()
{
  RunContext context{k_run_id, "2026-12-07", false, "2026-12-07T07:00:00Z"};
  context.slot_time = k_slot;
  return context;
}

RunContext manual_run()
{
  return RunContext{k_run_id, "2026-12-07", false};
}

bool readable(int fd, int timeout_ms)
{
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

} // namespace

TEST_CASE("ClusterClaims: a won slot is held under the slot's key, for this host and run")
{
  ClaimsFixture f;
  const Task task = cluster_task("ledger");
  auto acquired = f.claims.acquire(task, slot_run());
  REQUIRE(std::holds_alternative<std::unique_ptr<ClaimHold>>(acquired));
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  CHECK(hold.scheduled());
  CHECK(hold.attempt() == 1);
  REQUIRE(f.store->claims.size() == 1);
  CHECK(f.store->claims[0].task == "ledger");
  CHECK(f.store->claims[0].slot == 1796626800000000);
  CHECK(f.store->claims[0].holder == ClaimHolder{"db-1", "boot-1", 4711, k_run_id});
  CHECK(f.store->claims[0].lease == 2min);

  TaskOutcome outcome;
  outcome.result = TaskResult::failed;
  f.claims.finish(hold, outcome, false, false);
  REQUIRE(f.store->finishes.size() == 1);
  CHECK(f.store->finishes[0].result == "failed");
  CHECK(f.store->finishes[0].attempt == 1);
  CHECK(outcome.claim == ClaimState::won);
  CHECK(outcome.claim_attempt == 1);
}

TEST_CASE("ClusterClaims: a slot another host holds is skipped, naming the owner")
{
  ClaimsFixture f;
  f.configure = [](FakeClusterStore& store) {
    store.claim_answer =
        HeldBy{ClaimHolder{"db-2", "boot-2", 99, "fedcba9876543210fedcba9876543210"}, 2,
               1796626800000000, std::nullopt};
  };
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(acquired));
  const auto& outcome = std::get<TaskOutcome>(acquired);
  CHECK(outcome.result == TaskResult::skipped);
  CHECK(outcome.skip_reason == SkipReason::claimed);
  CHECK(outcome.claim == ClaimState::held);
  REQUIRE(outcome.owner);
  CHECK(outcome.owner->host == "db-2");
  CHECK(outcome.owner->pid == 99);
  CHECK(outcome.detail ==
        "slot 2026-12-07T07:00:00Z claimed by host db-2 (pid 99, run fedcba98) (attempt 2)");
}

TEST_CASE("ClusterClaims: a slot another host finished is skipped and counts as done here")
{
  ClaimsFixture f;
  f.configure = [](FakeClusterStore& store) {
    store.claim_answer = Done{ClaimHolder{"db-2", "b", 7, "r"}, "success", 1796626900000000, false};
  };
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(acquired));
  const auto& outcome = std::get<TaskOutcome>(acquired);
  CHECK(outcome.skip_reason == SkipReason::claimed);
  CHECK(outcome.claim == ClaimState::done);
  RunSummary summary;
  summary.tasks.push_back(outcome);
  CHECK(completes_slot(summary));
  summary.tasks[0].claim = ClaimState::held;
  CHECK_FALSE(completes_slot(summary));
}

TEST_CASE("ClusterClaims: no store, no claim: the slot is not run and stays due")
{
  ClaimsFixture f;
  f.open_error = ClusterError{ClusterErrorKind::unreachable, "could not connect: refused", {}};
  const Task task = cluster_task("ledger");
  auto first = f.claims.acquire(task, slot_run());
  auto second = f.claims.acquire(task, slot_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(first));
  const auto& outcome = std::get<TaskOutcome>(first);
  CHECK(outcome.result == TaskResult::error);
  CHECK(outcome.claim == ClaimState::unavailable);
  CHECK(outcome.detail.find("could not connect: refused") != std::string::npos);
  CHECK(f.opens == 1); // one failed open per run, not one per slot
  RunSummary summary;
  summary.tasks.push_back(outcome);
  CHECK_FALSE(completes_slot(summary));
}

TEST_CASE("ClusterClaims: a host whose clock is off by more than max_clock_skew claims nothing")
{
  ClaimsFixture f;
  f.configure = [](FakeClusterStore& store) { store.skew = -5min; };
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(acquired));
  const auto& outcome = std::get<TaskOutcome>(acquired);
  CHECK(outcome.result == TaskResult::error);
  CHECK(outcome.claim == ClaimState::unavailable);
  CHECK(outcome.detail.find("5min ahead of the database's") != std::string::npos);
  CHECK(f.store->claims.empty());
}

TEST_CASE("ClusterClaims: a run by hand takes the task's lock, never a slot, and gives it back")
{
  ClaimsFixture f;
  auto acquired = f.claims.acquire(cluster_task("ledger"), manual_run());
  REQUIRE(std::holds_alternative<std::unique_ptr<ClaimHold>>(acquired));
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  CHECK_FALSE(hold.scheduled());
  CHECK(f.store->claims.empty());
  REQUIRE(f.store->locks.size() == 1);
  TaskOutcome outcome;
  outcome.result = TaskResult::success;
  f.claims.finish(hold, outcome, false, false);
  CHECK(f.store->finishes.empty());
  CHECK(f.store->releases == std::vector<std::string>{"ledger"});
}

TEST_CASE("ClusterClaims: a SQL task that committed its own done mark is not finished twice")
{
  ClaimsFixture f;
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  TaskOutcome outcome;
  outcome.result = TaskResult::success;
  f.claims.finish(hold, outcome, true, false);
  CHECK(f.store->finishes.empty());
  CHECK(f.store->releases == std::vector<std::string>{"ledger"});
}

TEST_CASE("ClusterClaims: a done mark refused as fenced (PTF01) is recorded killed")
{
  ClaimsFixture f;
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  TaskOutcome outcome;
  outcome.result = TaskResult::failed;
  outcome.sqlstate = "PTF01";
  outcome.db_error = "the claim of task \"ledger\" for slot 2026-12-07T07:00:00Z is no longer "
                     "attempt 1";
  f.claims.finish(hold, outcome, false, false);
  CHECK(outcome.result == TaskResult::killed);
  CHECK(outcome.detail.starts_with("fenced: the claim of task"));
  CHECK(f.store->finishes.empty());
}

TEST_CASE("ClaimHold: a renewal that says the claim is gone fences at once")
{
  FakeClusterStore store;
  store.heartbeat_holds = false;
  ClaimHold hold(store, ClaimKey{"ledger", 1796626800000000}, 1, true, 300ms);
  CHECK(readable(hold.fence_fd(), 2000));
  hold.stop();
  CHECK(hold.fence_reason().find("no longer attempt 1") != std::string::npos);
}

TEST_CASE("ClaimHold: renewals that fail fence after half the lease, not before")
{
  FakeClusterStore store;
  store.heartbeat_error = ClusterError{ClusterErrorKind::unreachable, "timeout", {}};
  const auto start = std::chrono::steady_clock::now();
  ClaimHold hold(store, ClaimKey{"ledger", 1796626800000000}, 1, true, 600ms);
  CHECK_FALSE(readable(hold.fence_fd(), 150)); // 150 ms < lease/2
  CHECK(readable(hold.fence_fd(), 3000));
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  hold.stop();
  CHECK(hold.fence_reason().find("timeout") != std::string::npos);
}

TEST_CASE("ClaimHold: renewals that hold keep the task running past the lease")
{
  // The shortest lease a config may set (k_min_lease): a renewal every
  // second, the fence at 1.5 s without one. A shorter lease here measures the
  // machine's scheduling rather than the hold: at 300 ms, a renewer thread
  // held off the CPU for 50 ms under a loaded sanitizer run fenced it.
  FakeClusterStore store;
  ClaimHold hold(store, ClaimKey{"ledger", 1796626800000000}, 1, true, k_min_lease);
  CHECK_FALSE(readable(hold.fence_fd(), 3500)); // past the lease's end
  hold.stop();
  CHECK(hold.fence_reason().empty());
  const std::lock_guard lock(store.mutex);
  CHECK(store.heartbeats >= 3);
}

TEST_CASE("run_tasks: a cluster task gets the fence fd, and a lost slot exits 0 for a timer")
{
  RunnerFixture f;
  ClaimsFixture c;
  f.deps.cluster = &c.claims;
  Task task = cluster_task("ledger");
  f.processes.scripts["/bin/ledger"] = {ProcessResult{}, {}, {}};
  RunRequest request{{&task}, slot_run(), Trigger::timer};
  RunSummary summary = run_tasks(f.settings, request, f.deps);
  REQUIRE(f.processes.specs.size() == 1);
  CHECK(f.processes.specs[0].fence_fd >= 0);
  CHECK(summary.tasks[0].claim_attempt == 1);

  c.store->claim_answer = HeldBy{ClaimHolder{"db-2", "b", 7, "r"}, 1, 1, std::nullopt};
  summary = run_tasks(f.settings, request, f.deps);
  CHECK(summary.tasks[0].skip_reason == SkipReason::claimed);
  CHECK(exit_code_for(summary) == k_exit_ok);
  CHECK(f.processes.specs.size() == 1);

  c.store->lock_answer = HeldBy{ClaimHolder{"db-2", "b", 7, "r"}, 0, std::nullopt, std::nullopt};
  RunRequest by_hand{{&task}, manual_run(), Trigger::manual};
  summary = run_tasks(f.settings, by_hand, f.deps);
  CHECK(summary.tasks[0].skip_reason == SkipReason::claimed);
  CHECK(exit_code_for(summary) == k_exit_busy);
}

TEST_CASE("run_tasks: a SQL task on the cluster database commits the done mark with its work")
{
  RunnerFixture f;
  ClaimsFixture c;
  f.deps.cluster = &c.claims;
  Task task = cluster_task("release");
  task.kind = TaskKind::sql;
  task.command.clear();
  task.database = "main";
  task.sql = {"UPDATE ledger SET released = true"};
  RunRequest request{{&task}, slot_run(), Trigger::timer};
  const RunSummary summary = run_tasks(f.settings, request, f.deps);
  REQUIRE(f.sql.requests.size() == 1);
  REQUIRE(f.sql.requests[0].final_statement);
  CHECK(f.sql.requests[0].final_statement->sql.find("mark_done") != std::string::npos);
  CHECK(f.sql.requests[0].final_statement->params ==
        std::vector<std::string>{"release", "2026-12-07T07:00:00Z", "1", "success"});
  CHECK(summary.tasks[0].result == TaskResult::success);
  CHECK(c.store->finishes.empty()); // the mark committed in the task's transaction
  CHECK(c.store->releases == std::vector<std::string>{"release"});

  task.database = "other"; // effects elsewhere: the store marks it, at least once
  f.sql.requests.clear();
  run_tasks(f.settings, request, f.deps);
  REQUIRE(f.sql.requests.size() == 1);
  CHECK_FALSE(f.sql.requests[0].final_statement);
  CHECK(c.store->finishes.size() == 1);
}

TEST_CASE("ClusterClaims: a fenced task leaves its slot due and its claim to be taken over")
{
  ClaimsFixture f(300ms);
  f.configure = [](FakeClusterStore& store) { store.heartbeat_holds = false; };
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  REQUIRE(readable(hold.fence_fd(), 2000));
  TaskOutcome outcome; // as outcome_from_process() makes it of a command the fence stopped
  outcome.result = TaskResult::killed;
  outcome.claim = ClaimState::fenced;
  outcome.detail = "fenced: stopped, this host no longer holds the task's cluster claim";
  f.claims.finish(hold, outcome, false, false);
  CHECK(outcome.claim == ClaimState::fenced);
  CHECK(outcome.detail ==
        "fenced: the claim of slot 2026-12-07T07:00:00Z is no longer attempt 1 (another host "
        "took it over); stopped, this host no longer holds the task's cluster claim");
  CHECK(f.store->finishes.empty()); // never marked done: a later wake takes it over
  CHECK(f.store->releases == std::vector<std::string>{"ledger"});
  RunSummary summary;
  summary.tasks.push_back(outcome);
  CHECK_FALSE(completes_slot(summary));
}

TEST_CASE("ClusterClaims: a SQL task the fence cancelled is killed, not timed out")
{
  ClaimsFixture f(300ms);
  f.configure = [](FakeClusterStore& store) { store.heartbeat_holds = false; };
  Task task = cluster_task("release");
  task.kind = TaskKind::sql;
  auto acquired = f.claims.acquire(task, slot_run());
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  REQUIRE(readable(hold.fence_fd(), 2000));
  TaskOutcome outcome;
  outcome.kind = TaskKind::sql;
  outcome.result = TaskResult::timeout;
  f.claims.finish(hold, outcome, false, false);
  CHECK(outcome.result == TaskResult::killed);
  CHECK(outcome.claim == ClaimState::fenced);
  CHECK(outcome.detail.ends_with("; cancelled and rolled back"));
}

TEST_CASE("ClusterClaims: a lock held before the winner's row is visible is asked again")
{
  ClaimsFixture f;
  f.configure = [](FakeClusterStore& store) {
    store.next_answers = {HeldBy{}, HeldBy{}};
    store.claim_answer = Done{ClaimHolder{"db-2", "b", 7, "r"}, "success", 1, false};
  };
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(acquired));
  const auto& outcome = std::get<TaskOutcome>(acquired);
  CHECK(outcome.claim == ClaimState::done);
  REQUIRE(outcome.owner);
  CHECK(outcome.owner->host == "db-2");
  CHECK(f.store->claims.size() == 3);
}

TEST_CASE("ClusterClaims: a holder without a claim row is named by its database session")
{
  const std::string session = "periodic_tasks pid 7 on db-2 (backend 4242 from 10.0.0.2)";
  ClaimsFixture f;
  f.configure = [&](FakeClusterStore& store) {
    store.claim_answer = HeldBy{std::nullopt, 0, std::nullopt, std::nullopt, session};
    store.lock_answer = HeldBy{std::nullopt, 0, std::nullopt, std::nullopt, session};
  };
  auto timer = f.claims.acquire(cluster_task("ledger"), slot_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(timer));
  const auto& waits = std::get<TaskOutcome>(timer);
  CHECK(waits.claim == ClaimState::held);
  CHECK_FALSE(waits.owner); // no claim row: no OWNER_* fields
  CHECK(waits.detail == "slot 2026-12-07T07:00:00Z waits: the task is running in the cluster (a "
                        "run without a slot, database session \"" +
                            session + "\")");

  auto by_hand = f.claims.acquire(cluster_task("ledger"), manual_run());
  REQUIRE(std::holds_alternative<TaskOutcome>(by_hand));
  CHECK(std::get<TaskOutcome>(by_hand).detail ==
        "already running in the cluster: a run without a slot, database session \"" + session +
            "\"");

  f.store->claim_answer = HeldBy{}; // the lock given back in between: nobody to name
  auto unnamed = f.claims.acquire(cluster_task("ledger"), slot_run());
  CHECK(std::get<TaskOutcome>(unnamed).detail ==
        "slot 2026-12-07T07:00:00Z waits: the task is running in the cluster (another run)");
}

TEST_CASE("ClusterClaims: a slot the cluster could not record done stays due")
{
  ClaimsFixture f;
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  f.store->finish_error = ClusterError{ClusterErrorKind::unreachable, "server closed", {}};
  TaskOutcome outcome;
  outcome.result = TaskResult::error;
  outcome.detail = "server closed the connection unexpectedly";
  f.claims.finish(hold, outcome, false, false);
  CHECK(outcome.claim == ClaimState::unrecorded);
  CHECK(outcome.detail.find("it stays due") != std::string::npos);
  RunSummary summary;
  summary.tasks.push_back(outcome);
  CHECK_FALSE(completes_slot(summary));
}

TEST_CASE("ClusterClaims: a task stopped with the runner leaves its slot's claim unfinished")
{
  ClaimsFixture f;
  auto acquired = f.claims.acquire(cluster_task("ledger"), slot_run());
  auto& hold = *std::get<std::unique_ptr<ClaimHold>>(acquired);
  TaskOutcome outcome;
  outcome.result = TaskResult::killed;
  outcome.detail = "stopped by SIGTERM to the runner";
  f.claims.finish(hold, outcome, false, true);
  CHECK(f.store->finishes.empty());
  CHECK(f.store->releases == std::vector<std::string>{"ledger"});
}
