// SPDX-License-Identifier: MIT
// What "the task" is, and how to signal all of it without hitting a stranger.
//
// Process groups are not enough. A task starts in a session and process group
// of its own, so kill(-pgid) reaches everything that stayed in the group. But a
// task may call setsid() or setpgid() to leave the group, and a daemonizing
// child double-forks so that its parent dies; neither is reachable through the
// group. The runner therefore makes itself a child subreaper: every orphan of a
// task is reparented to the runner instead of init, so "the task" is the group
// plus every descendant of the runner, found by following the ppid chains in
// /proc. Tasks run one at a time, so no other descendants exist. Each process
// gets a signal once, from kill(-pgid) or, outside the group, directly.
//
// Pid reuse: a scan races with the processes it finds; a pid may exit and be
// reused before we signal it. Our own children cannot be reused until we reap
// them; for deeper descendants we open a pidfd and re-check the parent before
// signalling through the pidfd. kill(-pgid) is safe for the same reason: the
// group id is the main process's pid, which its caller reaps only at the very
// end, so the group id stays reserved while we signal.
//
// Reaping: orphans are reaped by pid, as the /proc scan or waitid(P_ALL,
// WNOWAIT) reveals them, never through waitpid(-1), which could steal the
// status of the main process.
//
// Cost: the /proc walk reads /proc/PID/stat of every process on the machine.
// After a task that left nothing behind (the usual case) the runner's list
// of children, /proc/self/task/TID/children, says so in a few system calls
// (docs/performance.md): ChildrenReader keeps /proc/self/task and the main
// thread's file open, so a check is an lseek, two getdents64 and a pread. The
// walk remains for the rest, and for kernels built without CONFIG_PROC_CHILDREN.
#include "process/tree.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <unordered_map>

#include "process/fd.hpp"

namespace pt {
namespace {

// Reads state, ppid and group from /proc/<pid>/stat; nullopt once the process is gone.
std::optional<ProcEntry> read_proc_entry(pid_t pid)
{
  const auto path = "/proc/" + std::to_string(pid) + "/stat";
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::array<char, 512> buffer{};
  const auto size = fd.get() < 0 ? -1 : ::read(fd.get(), buffer.data(), buffer.size());
  if (size <= 0) {
    return std::nullopt;
  }
  return parse_proc_stat(pid, std::string_view(buffer.data(), static_cast<std::size_t>(size)));
}

std::vector<ProcEntry> list_processes()
{
  std::vector<ProcEntry> entries;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) {
    return entries;
  }
  while (const dirent* item = ::readdir(dir)) {
    pid_t pid = 0;
    const std::string_view name(item->d_name);
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error == std::errc() && end == name.data() + name.size()) {
      if (auto entry = read_proc_entry(pid)) {
        entries.push_back(*entry);
      }
    }
  }
  ::closedir(dir);
  return entries;
}

// Sends `signal` to `process` unless its pid has been reused since the scan found it.
void signal_descendant(const ProcEntry& process, int signal)
{
  const pid_t self = ::getpid();
  if (process.ppid == self) {
    ::kill(process.pid, signal); // an unreaped child of ours: its pid cannot be reused
    return;
  }
  const UniqueFd pidfd(::pidfd_open(process.pid, 0));
  const auto now = read_proc_entry(process.pid);
  if (pidfd.get() < 0 || !now || (now->ppid != process.ppid && now->ppid != self)) {
    return;
  }
  ::pidfd_send_signal(pidfd.get(), signal, nullptr, 0);
}

} // namespace

std::optional<ProcEntry> parse_proc_stat(pid_t pid, std::string_view text)
{
  // "pid (comm) S ppid ...", where comm may itself contain ") ".
  const auto paren = text.rfind(')');
  if (paren == std::string_view::npos || paren + 4 >= text.size()) {
    return std::nullopt;
  }
  ProcEntry entry{pid, 0, 0, text[paren + 2]};
  const char* const end = text.data() + text.size();
  const auto ppid = std::from_chars(text.data() + paren + 4, end, entry.ppid);
  if (ppid.ptr < end) {
    std::from_chars(ppid.ptr + 1, end, entry.group);
  }
  return entry;
}

void make_subreaper()
{
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    throw std::system_error(errno, std::system_category(), "cannot become a child subreaper");
  }
}

namespace {

// How the child in `info` (from waitid) ended.
ExitInfo exit_info(const siginfo_t& info)
{
  ExitInfo exit;
  if (info.si_code == CLD_EXITED) {
    exit.exit_status = info.si_status;
  } else {
    exit.signal = info.si_status;
    exit.core_dumped = info.si_code == CLD_DUMPED;
  }
  return exit;
}

// Appends the pids in `text` ("12 34 ") to `children`.
void parse_children(std::string_view text, std::vector<pid_t>& children)
{
  const char* at = text.data();
  const char* end = at + text.size();
  while (at < end) {
    pid_t pid = 0;
    const auto [next, error] = std::from_chars(at, end, pid);
    if (error == std::errc()) {
      children.push_back(pid);
    }
    at = next == at ? at + 1 : next; // skip the space after each pid
  }
}

// Reads all of `fd` from offset 0 into `text`; false on an error.
bool pread_all(int fd, std::string& text)
{
  text.clear();
  std::array<char, 512> buffer{};
  ssize_t size = 0;
  while ((size = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(text.size()))) > 0) {
    text.append(buffer.data(), static_cast<std::size_t>(size));
  }
  return size == 0;
}

} // namespace

bool ChildrenReader::read_thread(const char* tid, bool main_thread)
{
  const auto path = std::string(tid) + "/children";
  if (!main_thread) {
    const UniqueFd fd(::openat(m_tasks.get(), path.c_str(), O_RDONLY | O_CLOEXEC));
    return fd.get() >= 0 && pread_all(fd.get(), m_text);
  }
  if (m_main_children.get() < 0) {
    m_main_children.reset(::openat(m_tasks.get(), path.c_str(), O_RDONLY | O_CLOEXEC));
  }
  return m_main_children.get() >= 0 && pread_all(m_main_children.get(), m_text);
}

std::optional<std::span<const pid_t>> ChildrenReader::read()
{
  m_children.clear();
  if (m_self == 0) { // first use
    m_self = ::getpid();
    m_main_children.reset();
    m_tasks.reset(::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    m_entries.resize(4096);
  } else if (m_tasks.get() >= 0 && ::lseek(m_tasks.get(), 0, SEEK_SET) != 0) {
    m_tasks.reset();
  }
  if (m_tasks.get() < 0) {
    m_self = 0;
    return std::nullopt;
  }
  ssize_t size = 0;
  while ((size = ::getdents64(m_tasks.get(), m_entries.data(), m_entries.size())) > 0) {
    for (ssize_t at = 0; at < size;) {
      const auto* entry = reinterpret_cast<const dirent64*>(m_entries.data() + at);
      at += entry->d_reclen;
      if (entry->d_name[0] == '.') {
        continue;
      }
      pid_t tid = 0;
      std::from_chars(entry->d_name, entry->d_name + std::strlen(entry->d_name), tid);
      // no such file (CONFIG_PROC_CHILDREN), or the thread just ended
      if (!read_thread(entry->d_name, tid == m_self)) {
        return std::nullopt;
      }
      parse_children(m_text, m_children);
    }
  }
  if (size < 0) {
    return std::nullopt;
  }
  return std::span<const pid_t>(m_children);
}

std::vector<ProcEntry> list_descendants()
{
  const auto all = list_processes();
  std::unordered_multimap<pid_t, const ProcEntry*> children;
  for (const auto& entry : all) {
    children.emplace(entry.ppid, &entry);
  }
  std::vector<ProcEntry> found;
  std::vector<pid_t> parents{::getpid()};
  while (!parents.empty()) {
    const pid_t parent = parents.back();
    parents.pop_back();
    const auto [begin, end] = children.equal_range(parent);
    for (auto it = begin; it != end; ++it) {
      found.push_back(*it->second);
      parents.push_back(it->second->pid);
    }
  }
  return found;
}

// Once only per process: some programs take a second SIGINT as "give up cleaning".
void signal_tree(pid_t main_pid, int signal)
{
  // Safe: the unreaped main process keeps its pid, the group id, reserved.
  ::kill(-main_pid, signal);
  for (const auto& process : list_descendants()) {
    if (process.state != 'Z' && process.group != main_pid) {
      signal_descendant(process, signal);
    }
  }
}

int reap_and_count_survivors(pid_t main_pid, CountZombies zombies, ChildrenReader& children_reader)
{
  // The common case, cheaply: an orphan is reparented to the runner, so any
  // descendant still there (alive or a zombie) has an ancestor, maybe itself,
  // that is the runner's child. When the unreaped main process is the only
  // child, nothing of the task is left, and the /proc walk (three system
  // calls per process on the machine) is not needed. Children are only ever
  // added at the end of the list the kernel reads out, so one full read sees
  // every child that existed when it began.
  if (const auto children = children_reader.read();
      children && children->size() == 1 && children->front() == main_pid) {
    return 0;
  }
  const pid_t self = ::getpid();
  int survivors = 0;
  for (const auto& process : list_descendants()) {
    if (process.pid == main_pid) {
      continue;
    }
    if (process.state == 'Z' && process.ppid == self) {
      ::waitpid(process.pid, nullptr, WNOHANG);
    } else if (process.state != 'Z' || zombies == CountZombies::yes) {
      ++survivors;
    }
  }
  return survivors;
}

// While the main process runs, waitid(P_ALL) can only report orphans.
void reap_orphans_while_main_runs(pid_t main_pid)
{
  for (;;) {
    siginfo_t info = {};
    const int flags = WEXITED | WNOHANG | WNOWAIT;
    if (::waitid(P_ALL, 0, &info, flags) != 0 || info.si_pid == 0 || info.si_pid == main_pid) {
      return;
    }
    ::waitpid(info.si_pid, nullptr, WNOHANG);
  }
}

std::optional<ExitInfo> peek_exit(pid_t pid)
{
  siginfo_t info = {};
  const int flags = WEXITED | WNOHANG | WNOWAIT;
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, flags) != 0 || info.si_pid != pid) {
    return std::nullopt;
  }
  return exit_info(info);
}

std::optional<ExitInfo> reap(pid_t pid)
{
  siginfo_t info = {};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) != 0) {
    if (errno != EINTR) {
      return std::nullopt;
    }
  }
  return exit_info(info);
}

void kill_tree(pid_t main_pid)
{
  signal_tree(main_pid, SIGKILL);
  reap(main_pid);
}

} // namespace pt
