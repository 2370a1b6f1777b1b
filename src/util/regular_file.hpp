// SPDX-License-Identifier: MIT
// Small files the runner reads only as regular files: configs, password
// files, zone files, the metrics textfile. Opening one never hangs and never
// reads a stream without end: a FIFO, a device or a socket put in a file's
// place is refused, and O_NONBLOCK keeps the open of a FIFO from blocking (it
// changes nothing for a regular file).
#pragma once

#include <cstddef>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <sys/stat.h>

#include <tl/expected.hpp>

#include "util/fd.hpp"

namespace pt {

// A file open for reading and what fstat() said of it.
struct RegularFile
{
  UniqueFd fd;
  struct stat st
  {
  };
};

// Why a file could not be opened as a regular file: `error` is the errno of
// open() or fstat() (EISDIR for a directory), or 0 when it is another kind of
// file (a FIFO, a device, a socket, whose open() fails with ENXIO); `mode`
// holds the type of any file that is there but not regular, a directory too.
struct NotRegular
{
  int error = 0;
  mode_t mode = 0;
};

// Opens `path`, relative to `dir_fd` (AT_FDCWD: as open() would), read-only,
// close-on-exec, never as a controlling terminal and without blocking, with
// `flags` added (O_NOFOLLOW, say); retries EINTR.
tl::expected<RegularFile, NotRegular> open_regular_file(int dir_fd, const char* path,
                                                        int flags = 0);

// What `mode` (stat's st_mode) says a file is, with its article, for a
// message: "a FIFO", "a directory", "a socket", ...
std::string_view file_type_name(mode_t mode);

// Reads `fd` to its end, or until at least `limit` bytes were read, retrying
// EINTR; or the errno of the read that failed.
tl::expected<std::string, int> read_up_to(int fd, std::size_t limit);

} // namespace pt
