// SPDX-License-Identifier: MIT
// The /proc parsing is pure and tested on text; the descendant walk runs on
// real processes this test forks and reaps itself.
#include <algorithm>
#include <chrono>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "process/tree.hpp"

using namespace pt;
using namespace std::chrono_literals;

TEST_CASE("parse_proc_stat: reads a process's state, ppid and group")
{
  const auto entry = parse_proc_stat(42, "42 (sleep) S 7 42 42 0 -1 4194304 96 0 0 0");
  REQUIRE(entry);
  CHECK(entry->pid == 42);
  CHECK(entry->state == 'S');
  CHECK(entry->ppid == 7);
  CHECK(entry->group == 42);
}

TEST_CASE("parse_proc_stat: finds the end of a process name that contains \") \"")
{
  const auto entry = parse_proc_stat(9, "9 (a) Z 1 2 (b)) Z 3 4 5 0 -1");
  REQUIRE(entry);
  CHECK(entry->state == 'Z');
  CHECK(entry->ppid == 3);
  CHECK(entry->group == 4);
}

TEST_CASE("parse_proc_stat: rejects a process entry that is cut short")
{
  CHECK_FALSE(parse_proc_stat(1, ""));
  CHECK_FALSE(parse_proc_stat(1, "1 sleep S 7 1"));
  CHECK_FALSE(parse_proc_stat(1, "1 (sleep) S"));
  CHECK_FALSE(parse_proc_stat(1, "1 (sleep) S "));
}

TEST_CASE("list_descendants: finds child processes and grandchildren, zombies included")
{
  // The child forks a grandchild that exits at once, and never reaps it.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::fork() == 0) {
      ::_exit(0);
    }
    ::pause();
    ::_exit(0);
  }
  std::vector<ProcEntry> found;
  for (int attempt = 0; attempt < 500; ++attempt) {
    found = list_descendants();
    if (found.size() == 2 && found[1].state == 'Z') {
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  if (found.size() == 2) {
    ::waitpid(found[1].pid, nullptr, 0); // reparented to us only if we are a subreaper
  }

  REQUIRE(found.size() == 2);
  CHECK(found[0].pid == child);
  CHECK(found[0].ppid == ::getpid());
  CHECK(found[0].state != 'Z');
  CHECK(found[1].ppid == child);
  CHECK(found[1].state == 'Z');
}

TEST_CASE("ChildrenReader: lists this process's children, zombies included, until reaped")
{
  ChildrenReader reader; // one reader, read again and again, as the runner does
  if (!reader.read()) {
    MESSAGE("this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): the "
            "runner falls back to the /proc walk");
    return;
  }
  const auto listed = [&reader](pid_t pid) {
    const auto children = reader.read();
    REQUIRE(children);
    return std::count(children->begin(), children->end(), pid);
  };
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  CHECK(listed(child) == 1);
  ::kill(child, SIGKILL);
  siginfo_t info{};
  ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT); // a zombie now
  CHECK(listed(child) == 1);
  ::waitpid(child, nullptr, 0);
  CHECK(listed(child) == 0);
}
