// SPDX-License-Identifier: MIT
#include "app/print.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include "util/diagnostic.hpp"

namespace pt {

void print(std::FILE* stream, std::string_view text)
{
  // The count is deliberately not checked: a short write sets the stream's
  // error flag, which finish_stdout() reads once for the whole run.
  static_cast<void>(std::fwrite(text.data(), 1, text.size(), stream));
}

int finish_stdout(int code)
{
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int error = errno;
  if (flushed && std::ferror(stdout) == 0) {
    return code;
  }
  if (error == EPIPE) {
    return code;
  }
  const std::string message = std::string("periodic_tasks: error: writing to standard output: ") +
                              (error != 0 ? std::strerror(error) : "write error") + "\n";
  print(stderr, message);
  return code == k_exit_ok ? k_exit_os_error : code;
}

} // namespace pt
