// SPDX-License-Identifier: MIT
#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "test_support.hpp"
#include "util/fd.hpp"
#include "util/regular_file.hpp"

using pt::file_type_name;
using pt::open_regular_file;
using pt::read_up_to;
using pt::test::TempDir;

namespace fs = std::filesystem;

TEST_CASE("open_regular_file: a regular file opens, with what fstat said")
{
  TempDir dir{"regular"};
  const auto path = dir.write("a.toml", "hello");
  auto file = open_regular_file(AT_FDCWD, path.c_str());
  REQUIRE(file);
  CHECK(S_ISREG(file->st.st_mode));
  CHECK(file->st.st_size == 5);
  CHECK((::fcntl(file->fd.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK(read_up_to(file->fd.get(), 1024).value() == "hello");
}

TEST_CASE("open_regular_file: relative to a directory fd, and O_NOFOLLOW added")
{
  TempDir dir{"regular"};
  dir.write("target", "x");
  fs::create_symlink(dir.path() / "target", dir.path() / "link");
  const pt::UniqueFd at(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  REQUIRE(at.get() >= 0);
  CHECK(open_regular_file(at.get(), "target"));
  CHECK(open_regular_file(at.get(), "link"));
  const auto nofollow = open_regular_file(at.get(), "link", O_NOFOLLOW);
  REQUIRE_FALSE(nofollow);
  CHECK(nofollow.error().error == ELOOP);
  CHECK(nofollow.error().mode == 0);
}

TEST_CASE("open_regular_file: what is there but not a regular file is named by its type")
{
  TempDir dir{"regular"};
  SUBCASE("a missing file: the errno, no type")
  {
    const auto missing = open_regular_file(AT_FDCWD, (dir.path() / "none").c_str());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().error == ENOENT);
    CHECK(missing.error().mode == 0);
  }
  SUBCASE("a directory: EISDIR")
  {
    const auto directory = open_regular_file(AT_FDCWD, dir.path().c_str());
    REQUIRE_FALSE(directory);
    CHECK(directory.error().error == EISDIR);
    CHECK(directory.error().mode == S_IFDIR);
  }
  SUBCASE("a FIFO nobody writes: refused at once, the open does not wait for a writer")
  {
    const auto fifo = dir.path() / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const auto opened = open_regular_file(AT_FDCWD, fifo.c_str());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().error == 0);
    CHECK(opened.error().mode == S_IFIFO);
  }
  SUBCASE("a socket, whose open() fails with ENXIO")
  {
    const auto path = dir.path() / "socket";
    const pt::test::BoundSocket socket(path);
    const auto opened = open_regular_file(AT_FDCWD, path.c_str());
    REQUIRE_FALSE(opened);
    CHECK(opened.error().error == 0);
    CHECK(opened.error().mode == S_IFSOCK);
  }
  SUBCASE("a character device")
  {
    const auto opened = open_regular_file(AT_FDCWD, "/dev/null");
    REQUIRE_FALSE(opened);
    CHECK(opened.error().error == 0);
    CHECK(opened.error().mode == S_IFCHR);
  }
}

TEST_CASE("read_up_to: stops at the limit on a stream without end, reads a file to its end")
{
  const pt::UniqueFd zero(::open("/dev/zero", O_RDONLY | O_CLOEXEC));
  REQUIRE(zero.get() >= 0);
  const auto bounded = read_up_to(zero.get(), 100000);
  REQUIRE(bounded);
  CHECK(bounded->size() >= 100000);
  CHECK(bounded->size() < 100000 + 16384 + 1); // a chunk more at most

  TempDir dir{"regular"};
  const std::string text(40000, 'x');
  const auto path = dir.write("big", text);
  const pt::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  CHECK(read_up_to(fd.get(), std::string::npos).value() == text);

  const pt::UniqueFd directory(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  const auto failed = read_up_to(directory.get(), 10);
  REQUIRE_FALSE(failed);
  CHECK(failed.error() == EISDIR);
}

TEST_CASE("file_type_name: each type with its article, for a message")
{
  CHECK(file_type_name(S_IFREG | 0644) == "a regular file");
  CHECK(file_type_name(S_IFDIR | 0755) == "a directory");
  CHECK(file_type_name(S_IFIFO) == "a FIFO");
  CHECK(file_type_name(S_IFSOCK) == "a socket");
  CHECK(file_type_name(S_IFCHR) == "a character device");
  CHECK(file_type_name(S_IFBLK) == "a block device");
  CHECK(file_type_name(S_IFLNK) == "a symbolic link");
  CHECK(file_type_name(0) == "a special file");
}
