// SPDX-License-Identifier: MIT
// maxrss COMMAND...: runs COMMAND, prints its peak RSS in KiB on stderr as
// "maxrss_kib=N", and exits with its exit status.
#include <cstdio>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv)
{
  if (argc < 2) {
    std::fputs("usage: maxrss COMMAND [ARG...]\n", stderr);
    return 64;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    return 71;
  }
  if (pid == 0) {
    execv(argv[1], argv + 1);
    std::perror(argv[1]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) < 0) {
    std::perror("wait4");
    return 71;
  }
  std::fprintf(stderr, "maxrss_kib=%ld\n", usage.ru_maxrss);
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return 128 + WTERMSIG(status);
}
