// SPDX-License-Identifier: MIT
// A task's process tree: finding, signalling and reaping every descendant of the runner.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "util/fd.hpp"

namespace pt {

// One line of /proc/<pid>/stat, as far as the tree needs it.
struct ProcEntry
{
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t group = 0;
  char state = '?'; // 'Z' for a zombie
};

// Parses `text`, the contents of /proc/<pid>/stat, into an entry for `pid`;
// nullopt if it is cut short or not in the "pid (comm) S ppid pgrp ..." form.
std::optional<ProcEntry> parse_proc_stat(pid_t pid, std::string_view text);

// Makes this process a child subreaper, so that orphaned descendants are
// reparented to it instead of init. Throws std::system_error if it cannot.
void make_subreaper();

// Reads this process's list of children, again and again, from
// /proc/self/task/TID/children of each thread, in few system calls:
// /proc/self/task stays open, and so does the main thread's children file
// (reread from its start); other threads' files are opened each time, since
// their thread ids can be reused. Use it in the process that made it (the
// files name that process).
class ChildrenReader
{
public:
  // Returns the pids of this process's children, zombies included; nullopt
  // when the kernel does not provide the file (CONFIG_PROC_CHILDREN) or it
  // cannot be read. The span stays valid until the next call.
  std::optional<std::span<const pid_t>> read();

private:
  bool read_thread(const char* tid, bool main_thread);

  pid_t m_self = 0; // the process that opened the files; 0 until the first read
  UniqueFd m_tasks;
  UniqueFd m_main_children;
  std::vector<pid_t> m_children;
  std::vector<char> m_entries; // getdents64 buffer
  std::string m_text;
};

// Returns every descendant of this process, zombies included, parents before children.
std::vector<ProcEntry> list_descendants();

// Sends `signal` to the process group `main_pid`, then once to every live
// descendant of the runner outside that group. `main_pid` must be unreaped.
void signal_tree(pid_t main_pid, int signal);

enum class CountZombies { no, yes };

// Reaps zombie children other than `main_pid` and returns how many other
// descendants remain: only the live ones unless `zombies` is CountZombies::yes.
// `children` lists the runner's children for the common case (see tree.cpp).
int reap_and_count_survivors(pid_t main_pid, CountZombies zombies, ChildrenReader& children);

// Reaps zombies reparented to the runner while `main_pid` still runs; stops
// at the first that is `main_pid` itself, which is left for its owner.
void reap_orphans_while_main_runs(pid_t main_pid);

// How a child ended: its exit status, or the signal that killed it.
struct ExitInfo
{
  int exit_status = 0;
  int signal = 0;
  bool core_dumped = false;
};

// Returns how the child `pid` ended, if it has, leaving it an unreaped zombie
// (so that its pid stays reserved); nullopt while it runs.
std::optional<ExitInfo> peek_exit(pid_t pid);

// Waits until the child `pid` exits, reaps it and returns how it ended,
// retrying on EINTR; nullopt if it is not a child of ours.
std::optional<ExitInfo> reap(pid_t pid);

// Sends SIGKILL to the whole tree of `main_pid` and reaps `main_pid`.
void kill_tree(pid_t main_pid);

} // namespace pt
