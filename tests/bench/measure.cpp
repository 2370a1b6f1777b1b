// SPDX-License-Identifier: MIT
// measure [--out FILE] [--in FILE] -- COMMAND [ARG...]: runs COMMAND once and
// prints one JSON line on stdout: wall time, CPU time and peak RSS.
//
//   wall_us     CLOCK_MONOTONIC from just before posix_spawn to wait4's return
//   user_us, sys_us  CPU time of COMMAND and every descendant it waited for
//                    (wait4's rusage: a runner's tasks are included)
//   maxrss_kib  ru_maxrss from wait4: the largest peak RSS among COMMAND and
//               its waited-for descendants (what `/usr/bin/time -v` prints)
//   status      exit status, or 128 + signal
//
// COMMAND gets /dev/null (or --in FILE) as stdin and /dev/null (or --out
// FILE) as stdout and stderr. This program is small, so the RSS a child
// inherits before exec() (the kernel records the old mm's peak at exec) is
// about 1 MiB, as with /usr/bin/time.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <string_view>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

long long micros(const timeval& tv)
{
  return static_cast<long long>(tv.tv_sec) * 1'000'000 + tv.tv_usec;
}

long long now_ns()
{
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

int usage()
{
  std::fputs("usage: measure [--out FILE] [--in FILE] -- COMMAND [ARG...]\n", stderr);
  return 64;
}

} // namespace

int main(int argc, char** argv)
{
  const char* out = "/dev/null";
  const char* in = "/dev/null";
  int i = 1;
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if ((arg == "--out" || arg == "--in") && i + 1 < argc) {
      (arg == "--out" ? out : in) = argv[++i];
      continue;
    }
    return usage();
  }
  if (i >= argc) {
    return usage();
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);

  const long long start = now_ns();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[i], &actions, nullptr, argv + i, environ);
  if (rc != 0) {
    std::fprintf(stderr, "measure: %s: %s\n", argv[i], std::strerror(rc));
    return 71;
  }
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0) {
    if (errno != EINTR) {
      std::perror("measure: wait4");
      return 71;
    }
  }
  const long long wall_ns = now_ns() - start;
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::printf("{\"wall_us\": %.1f, \"user_us\": %lld, \"sys_us\": %lld, \"maxrss_kib\": %ld, "
              "\"status\": %d}\n",
              static_cast<double>(wall_ns) / 1000.0, micros(usage.ru_utime), micros(usage.ru_stime),
              usage.ru_maxrss, code);
  return 0;
}
