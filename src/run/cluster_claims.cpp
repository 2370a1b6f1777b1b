// SPDX-License-Identifier: MIT
// Why two threads per held claim: a renewal is a round trip that can block
// for its whole timeout when the network is gone, and the fence must not wait
// for it. The renewer only talks to the store; the watcher only watches the
// time since the last renewal that held and fences at lease/2. With
// kill_timeout below lease/2 (config check), the task is gone before the
// lease ends, which is the earliest another host may take the slot over.
#include "run/cluster_claims.hpp"

#include <fstream>
#include <sys/eventfd.h>
#include <unistd.h>

#include <fmt/format.h>

#include "postgres/cluster_schema.hpp"
#include "schedule/timestamp.hpp"
#include "util/text.hpp"

namespace pt {

namespace {

using Steady = std::chrono::steady_clock;

std::int64_t micros_of(TimePoint time)
{
  return std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
}

std::string slot_text(ClusterTime slot)
{
  return format_utc_timestamp(TimePoint(std::chrono::microseconds(slot)));
}

ClaimOwner owner_of(const ClaimHolder& holder)
{
  return {holder.host, holder.boot_id, holder.pid, holder.run_id};
}

// "host db-2 (pid 4711, run 0123abcd)", or "another run" when nobody is named.
std::string describe(const std::optional<ClaimHolder>& holder)
{
  if (!holder) {
    return "another run";
  }
  return fmt::format("host {} (pid {}, run {})", holder->host, holder->pid,
                     holder->run_id.substr(0, 8));
}

// Who holds the task: the claim's holder, or else the database session that
// holds the task's lock (a run by hand, or of the unscheduled tasks, has no
// claim row).
std::string describe(const HeldBy& held)
{
  if (!held.holder && !held.session.empty()) {
    return fmt::format("a run without a slot, database session \"{}\"", held.session);
  }
  return describe(held.holder);
}

TaskOutcome not_run(const Task& task, TaskResult result, SkipReason reason, ClaimState claim,
                    std::string detail)
{
  TaskOutcome outcome;
  outcome.name = task.name;
  outcome.kind = task.kind;
  outcome.result = result;
  outcome.skip_reason = reason;
  outcome.claim = claim;
  outcome.detail = std::move(detail);
  if (task.kind == TaskKind::sql) {
    outcome.database = task.database;
  }
  return outcome;
}

// The outcome of a task the cluster could not be asked about: a slot stays
// due, and a run by hand is refused (never run without the cluster's lock).
TaskOutcome unavailable(const Task& task, const RunContext& context, const std::string& why)
{
  return not_run(
      task, TaskResult::error, SkipReason::none, ClaimState::unavailable,
      context.slot_time
          ? fmt::format("not run: the cluster could not be asked for the slot's "
                        "claim, so the slot stays due and the next wake tries again: {}",
                        why)
          : fmt::format("not run: the task's cluster-wide lock could not be taken: {}", why));
}

constexpr int k_unnamed_holder_retries = 5;
constexpr auto k_unnamed_holder_pause = std::chrono::milliseconds(20);

// True when another run holds the task's lock and no claim row names it.
bool unnamed_holder(const ClaimOutcome& outcome)
{
  const auto* held = std::get_if<HeldBy>(&outcome);
  return held != nullptr && !held->holder;
}

std::string first_line_of(const char* path)
{
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

} // namespace

// --- ClaimHold ---------------------------------------------------------------

ClaimHold::ClaimHold(ClusterStore& store, ClaimKey key, int attempt, bool scheduled, Duration lease)
    : m_store(store), m_key(std::move(key)), m_attempt(attempt), m_scheduled(scheduled),
      m_lease(lease), m_fence(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), m_renewed(Steady::now())
{
  m_renewer = std::thread([this] { renew_loop(); });
  m_watcher = std::thread([this] { watch_loop(); });
}

ClaimHold::~ClaimHold()
{
  stop();
}

void ClaimHold::stop()
{
  {
    const std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  m_changed.notify_all();
  if (m_renewer.joinable()) {
    m_renewer.join();
  }
  if (m_watcher.joinable()) {
    m_watcher.join();
  }
}

std::string ClaimHold::fence_reason() const
{
  const std::lock_guard lock(m_mutex);
  return m_fence_reason;
}

void ClaimHold::renew_loop()
{
  const Duration period = m_lease / 3;
  const Duration retry = std::min<Duration>(period, std::chrono::seconds(1));
  std::unique_lock lock(m_mutex);
  auto next = Steady::now() + period;
  while (!m_stopping && m_lost.empty()) {
    if (m_changed.wait_until(lock, next, [&] { return m_stopping; })) {
      break;
    }
    lock.unlock();
    const auto sent = Steady::now();
    const auto renewed =
        m_scheduled ? m_store.heartbeat(m_key, m_attempt, m_lease) : m_store.keepalive();
    lock.lock();
    if (renewed && *renewed) {
      m_renewed = sent;
      m_last_error.clear();
      next = sent + period;
    } else if (renewed) {
      m_lost = m_scheduled ? fmt::format("the claim of slot {} is no longer attempt {} (another "
                                         "host took it over)",
                                         slot_text(m_key.slot), m_attempt)
                           : std::string("the session that held the task's cluster lock is gone");
    } else {
      m_last_error = renewed.error().message;
      next = Steady::now() + retry;
    }
    m_changed.notify_all();
  }
}

void ClaimHold::watch_loop()
{
  const Duration fence_after = m_lease / 2;
  std::unique_lock lock(m_mutex);
  while (!m_stopping) {
    if (!m_lost.empty()) {
      const std::string reason = m_lost;
      lock.unlock();
      fence(reason);
      return;
    }
    const auto deadline = m_renewed + fence_after;
    if (Steady::now() >= deadline) {
      const std::string reason =
          fmt::format("no renewal of the cluster claim held for {} (half the lease of {}){}",
                      format_timespan(fence_after), format_timespan(m_lease),
                      m_last_error.empty() ? std::string() : fmt::format(": {}", m_last_error));
      lock.unlock();
      fence(reason);
      return;
    }
    m_changed.wait_until(lock, deadline);
  }
}

void ClaimHold::fence(std::string reason)
{
  {
    const std::lock_guard lock(m_mutex);
    m_fence_reason = std::move(reason);
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(m_fence.get(), &one, sizeof one);
}

// --- ClusterClaims -----------------------------------------------------------

ClusterClaims::ClusterClaims(const ClusterSettings& settings, ClusterStoreOpener open,
                             ClaimHolder self)
    : m_settings(settings), m_open(std::move(open)), m_self(std::move(self))
{
}

ClusterResult<ClusterStore*> ClusterClaims::store()
{
  if (m_store) {
    return m_store.get();
  }
  if (m_open_error) {
    return tl::unexpected(*m_open_error);
  }
  auto opened = m_open();
  if (!opened) {
    m_open_error = opened.error();
    return tl::unexpected(opened.error());
  }
  m_store = std::move(*opened);
  return m_store.get();
}

ClusterResult<Duration> ClusterClaims::clock_skew()
{
  if (m_skew) {
    return *m_skew;
  }
  auto opened = store();
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  auto skew = (*opened)->measure_clock_skew();
  if (skew) {
    m_skew = *skew;
  }
  return skew;
}

ClusterAcquired ClusterClaims::acquire(const Task& task, const RunContext& context)
{
  auto opened = store();
  if (!opened) {
    return unavailable(task, context, opened.error().message);
  }
  ClaimHolder holder = m_self;
  holder.run_id = context.run_id;
  return context.slot_time ? claim_slot(**opened, task, context, holder)
                           : lock_task(**opened, task, context, holder);
}

// By hand: the task's cluster-wide lock, and no slot.
ClusterAcquired ClusterClaims::lock_task(ClusterStore& claims, const Task& task,
                                         const RunContext& context, const ClaimHolder& holder)
{
  auto locked = claims.lock(task.name, holder);
  if (!locked) {
    return unavailable(task, context, locked.error().message);
  }
  if (*locked) {
    const HeldBy& held = **locked;
    TaskOutcome outcome =
        not_run(task, TaskResult::skipped, SkipReason::claimed, ClaimState::held,
                fmt::format("already running in the cluster: {}{}", describe(held),
                            held.slot ? fmt::format(" runs slot {}", slot_text(*held.slot))
                                      : std::string()));
    if (held.holder) {
      outcome.owner = owner_of(*held.holder);
    }
    return outcome;
  }
  return std::make_unique<ClaimHold>(claims, ClaimKey{task.name, 0}, 0, false, m_settings.lease);
}

// A scheduled slot: never claimed by a host whose clock is off.
ClusterAcquired ClusterClaims::claim_slot(ClusterStore& claims, const Task& task,
                                          const RunContext& context, const ClaimHolder& holder)
{
  auto skew = clock_skew();
  if (!skew) {
    return unavailable(task, context, skew.error().message);
  }
  const auto magnitude = skew->count() < 0 ? -*skew : *skew;
  if (magnitude > m_settings.max_clock_skew) {
    return unavailable(
        task, context,
        fmt::format("this host's clock is {} {} the database's, more than max_clock_skew "
                    "({}); no slot is claimed until it is fixed (is NTP running? "
                    "timedatectl timesync-status)",
                    format_timespan(magnitude), skew->count() < 0 ? "ahead of" : "behind",
                    format_timespan(m_settings.max_clock_skew)));
  }

  const ClaimKey key{task.name, micros_of(*context.slot_time)};
  // A loser that finds the task's lock taken before the winner's claim row
  // committed (a round trip apart) asks again, a few times, to name the
  // owner or find the slot done; a run by hand holds the lock with no row.
  auto claimed = claims.claim(key, holder, m_settings.lease);
  for (int retry = 0; retry < k_unnamed_holder_retries && claimed && unnamed_holder(*claimed);
       ++retry) {
    std::this_thread::sleep_for(k_unnamed_holder_pause);
    claimed = claims.claim(key, holder, m_settings.lease);
  }
  if (!claimed) {
    return unavailable(task, context, claimed.error().message);
  }
  if (const auto* won = std::get_if<Claimed>(&*claimed)) {
    return std::make_unique<ClaimHold>(claims, key, won->attempt, true, m_settings.lease);
  }
  if (const auto* done = std::get_if<Done>(&*claimed)) {
    TaskOutcome outcome = not_run(
        task, TaskResult::skipped, SkipReason::claimed, ClaimState::done,
        done->pruned ? fmt::format("slot {} already ran in the cluster (its claim has been pruned)",
                                   context.slot)
                     : fmt::format("slot {} already ran in the cluster: {}, {}", context.slot,
                                   describe(done->holder), done->result));
    if (done->holder) {
      outcome.owner = owner_of(*done->holder);
    }
    return outcome;
  }
  const auto& held = std::get<HeldBy>(*claimed);
  TaskOutcome outcome =
      not_run(task, TaskResult::skipped, SkipReason::claimed, ClaimState::held,
              held.slot && *held.slot == key.slot
                  ? fmt::format("slot {} claimed by {}{}", context.slot, describe(held),
                                held.attempt > 1 ? fmt::format(" (attempt {})", held.attempt)
                                                 : std::string())
                  : fmt::format("slot {} waits: the task is running in the cluster ({}{})",
                                context.slot, describe(held),
                                held.slot ? fmt::format(", slot {}", slot_text(*held.slot))
                                          : std::string()));
  if (held.holder) {
    outcome.owner = owner_of(*held.holder);
  }
  return outcome;
}

void ClusterClaims::finish(ClaimHold& hold, TaskOutcome& outcome, bool marked_in_sql,
                           bool interrupted)
{
  hold.stop();
  const bool command_fenced = outcome.claim == ClaimState::fenced; // outcome_from_process()
  outcome.claim = ClaimState::won;
  outcome.claim_attempt = hold.attempt();
  const std::string fenced = hold.fence_reason();
  if (command_fenced) { // a command the fence stopped: its detail "fenced: stopped, ..."
    constexpr std::string_view k_prefix = "fenced: ";
    const std::string_view how = std::string_view(outcome.detail).starts_with(k_prefix)
                                     ? std::string_view(outcome.detail).substr(k_prefix.size())
                                     : std::string_view(outcome.detail);
    outcome.claim = ClaimState::fenced;
    outcome.detail =
        fmt::format("fenced: {}; {}", fenced.empty() ? "the claim was lost" : fenced, how);
  } else if (!fenced.empty() && outcome.kind == TaskKind::sql &&
             outcome.result == TaskResult::timeout) { // the fence ended its wait as a deadline
    outcome.claim = ClaimState::fenced;
    outcome.result = TaskResult::killed;
    outcome.retryable = false;
    outcome.detail = fmt::format("fenced: {}; cancelled and rolled back", fenced);
  } else if (outcome.sqlstate == k_fenced_sqlstate) { // the done mark refused: nothing committed
    outcome.claim = ClaimState::fenced;
    outcome.result = TaskResult::killed;
    outcome.retryable = false;
    outcome.detail =
        fmt::format("fenced: {}; the task's transaction was rolled back", outcome.db_error);
  }
  // A slot whose done mark committed with the task, a run by hand's lock, or
  // a fenced slot (left running: its lease runs out and the next wake, here
  // or elsewhere, takes it over): give the lock back; a broken session
  // already did.
  const bool unfinished =
      outcome.claim == ClaimState::fenced || (interrupted && outcome.result != TaskResult::success);
  if (!hold.scheduled() || marked_in_sql || unfinished) {
    if (auto released = m_store->release(hold.key()); !released && !unfinished) {
      outcome.detail += fmt::format("; the cluster lock was not given back ({}): it ends with "
                                    "this process's session",
                                    released.error().message);
    }
    return;
  }
  auto finished = m_store->finish(hold.key(), hold.attempt(), to_string(outcome.result));
  if (!finished) {
    outcome.claim = ClaimState::unrecorded;
    outcome.detail += fmt::format("; the slot could not be marked done in the cluster ({}), so "
                                  "it stays due: after the lease, the next wake here or on "
                                  "another host runs it again",
                                  finished.error().message);
  } else if (!*finished) {
    outcome.detail += fmt::format("; attempt {} no longer held the slot's claim when it "
                                  "finished (another host took it over): nothing was marked",
                                  hold.attempt());
  }
}

std::string ClusterClaims::prune()
{
  if (!m_store) {
    return {};
  }
  auto pruned = m_store->prune(m_settings.retention, 1000);
  if (!pruned) {
    return fmt::format("finished cluster claims older than {} were not pruned: {}",
                       format_timespan(m_settings.retention), pruned.error().message);
  }
  return {};
}

ClaimHolder this_host()
{
  ClaimHolder self;
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) == 0) {
    self.host = name;
  }
  self.boot_id = first_line_of("/proc/sys/kernel/random/boot_id");
  self.pid = static_cast<int>(::getpid());
  return self;
}

} // namespace pt
