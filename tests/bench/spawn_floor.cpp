// SPDX-License-Identifier: MIT
// spawn_floor N PATH [ARG...]: the physical floor of a task runner. Starts
// PATH N times, one after another, with posix_spawn and waits for each; no
// pipes, no logging, no config. Exits 1 if any run did not exit 0.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

int main(int argc, char** argv)
{
  if (argc < 3) {
    std::fputs("usage: spawn_floor N PATH [ARG...]\n", stderr);
    return 64;
  }
  const long n = std::strtol(argv[1], nullptr, 10);
  int failures = 0;
  for (long i = 0; i < n; ++i) {
    pid_t pid = 0;
    if (const int rc = posix_spawn(&pid, argv[2], nullptr, nullptr, argv + 2, environ); rc != 0) {
      std::fprintf(stderr, "spawn_floor: %s: %s\n", argv[2], std::strerror(rc));
      return 71;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) {
        std::perror("spawn_floor: waitpid");
        return 71;
      }
    }
    failures += (WIFEXITED(status) && WEXITSTATUS(status) == 0) ? 0 : 1;
  }
  return failures == 0 ? 0 : 1;
}
