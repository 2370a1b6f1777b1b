// SPDX-License-Identifier: MIT
#include "util/regular_file.hpp"

#include <array>
#include <cerrno>
#include <unistd.h>

namespace pt {

tl::expected<RegularFile, NotRegular> open_regular_file(int dir_fd, const char* path, int flags)
{
  RegularFile file;
  do {
    file.fd.reset(::openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | flags));
  } while (file.fd.get() < 0 && errno == EINTR);
  if (file.fd.get() < 0 && errno == ENXIO) { // a socket (or a device without a driver)
    const int error = errno;
    const int at_flags = (flags & O_NOFOLLOW) != 0 ? AT_SYMLINK_NOFOLLOW : 0;
    if (::fstatat(dir_fd, path, &file.st, at_flags) == 0 && !S_ISREG(file.st.st_mode)) {
      return tl::unexpected(NotRegular{0, file.st.st_mode & S_IFMT});
    }
    return tl::unexpected(NotRegular{error, 0});
  }
  if (file.fd.get() < 0 || ::fstat(file.fd.get(), &file.st) != 0) {
    return tl::unexpected(NotRegular{errno, 0});
  }
  if (S_ISDIR(file.st.st_mode)) {
    return tl::unexpected(NotRegular{EISDIR, file.st.st_mode & S_IFMT});
  }
  if (!S_ISREG(file.st.st_mode)) {
    return tl::unexpected(NotRegular{0, file.st.st_mode & S_IFMT});
  }
  return file;
}

std::string_view file_type_name(mode_t mode)
{
  switch (mode & S_IFMT) {
  case S_IFREG:
    return "a regular file";
  case S_IFDIR:
    return "a directory";
  case S_IFIFO:
    return "a FIFO";
  case S_IFSOCK:
    return "a socket";
  case S_IFCHR:
    return "a character device";
  case S_IFBLK:
    return "a block device";
  case S_IFLNK:
    return "a symbolic link";
  default:
    return "a special file";
  }
}

tl::expected<std::string, int> read_up_to(int fd, std::size_t limit)
{
  std::string text;
  std::array<char, 16384> chunk{};
  while (text.size() < limit) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return tl::unexpected(errno);
    }
    if (n == 0) {
      break;
    }
    text.append(chunk.data(), static_cast<std::size_t>(n));
  }
  return text;
}

} // namespace pt
