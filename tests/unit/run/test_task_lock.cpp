// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "run/task_lock.hpp"

using namespace pt;

namespace {

std::filesystem::path temp_dir()
{
  char pattern[] = "/tmp/pt-lock-test-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  return pattern;
}

} // namespace

TEST_CASE("FileTaskLocks: a held lock is refused with the holder's pid, then free again")
{
  const auto dir = temp_dir();
  FileTaskLocks locks(dir / "locks");
  {
    auto first = locks.acquire("cleanup");
    REQUIRE(first.has_value());
    auto second = locks.acquire("cleanup");
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().kind == LockFailure::Kind::held);
    CHECK(second.error().holder_pid == getpid());
    CHECK(locks.acquire("other").has_value());
  }
  CHECK(locks.acquire("cleanup").has_value());
  std::filesystem::remove_all(dir);
}

TEST_CASE("FileTaskLocks: the lock file holds exactly the holder's pid, whatever it held before")
{
  const auto dir = temp_dir();
  std::ofstream(dir / "t.lock") << "1234567890123\nleft by an earlier holder\n";
  FileTaskLocks locks(dir);
  auto lock = locks.acquire("t");
  REQUIRE(lock.has_value());
  std::ifstream in(dir / "t.lock");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text == std::to_string(getpid()) + "\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("FileTaskLocks: a lock directory removed during the run is created again")
{
  const auto dir = temp_dir();
  FileTaskLocks locks(dir / "locks");
  CHECK(locks.acquire("first").has_value());
  std::filesystem::remove_all(dir / "locks");
  auto lock = locks.acquire("second");
  REQUIRE(lock.has_value());
  CHECK(std::filesystem::is_directory(dir / "locks"));
  CHECK(std::filesystem::exists(dir / "locks" / "second.lock"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("FileTaskLocks: the lock fd is close-on-exec")
{
  const auto dir = temp_dir();
  FileTaskLocks locks(dir);
  auto lock = locks.acquire("t");
  REQUIRE(lock.has_value());
  int found = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec);
    if (!ec && target == dir / "t.lock") {
      const int fd = std::stoi(entry.path().filename().string());
      CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
      ++found;
    }
  }
  CHECK(found == 1);
  std::filesystem::remove_all(dir);
}

TEST_CASE("FileTaskLocks: an unusable directory is an error, not a skip")
{
  const auto dir = temp_dir();
  std::ofstream(dir / "file") << "x";
  FileTaskLocks locks(dir / "file");
  auto lock = locks.acquire("t");
  REQUIRE_FALSE(lock.has_value());
  CHECK(lock.error().kind == LockFailure::Kind::error);
  CHECK(lock.error().message ==
        "lock directory " + (dir / "file").string() + " is not a directory");
  std::filesystem::remove_all(dir);
}

namespace {

std::string contents(const std::filesystem::path& path)
{
  std::ifstream in(path);
  return {(std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("FileTaskLocks: never writes to a lock path that is not a file of its own")
{
  const auto dir = temp_dir();
  std::filesystem::create_directory(dir / "locks");
  FileTaskLocks locks(dir / "locks");
  const auto path = (dir / "locks" / "t.lock").string();
  std::ofstream(dir / "victim") << "precious bytes\n";
  auto refused = [&](const std::string& why, const std::string& fix) {
    auto lock = locks.acquire("t");
    REQUIRE_FALSE(lock.has_value());
    CHECK(lock.error().kind == LockFailure::Kind::error);
    CHECK(lock.error().message == "refusing lock file " + path + ": " + why + "; fix with: " + fix);
  };
  SUBCASE("a hard link to another file")
  {
    REQUIRE(::link((dir / "victim").c_str(), path.c_str()) == 0);
    refused("it has 2 hard links, so it is another file's name too", "rm " + path);
  }
  SUBCASE("a symbolic link")
  {
    std::filesystem::create_symlink(dir / "victim", path);
    refused("it is a symbolic link", "rm " + path);
  }
  SUBCASE("a FIFO (the open does not hang)")
  {
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    refused("it is a FIFO, not a regular file", "rm " + path);
  }
  SUBCASE("a directory")
  {
    std::filesystem::create_directory(path);
    refused("it is a directory, not a regular file", "rmdir " + path);
  }
  SUBCASE("a file owned by another user")
  {
    if (::geteuid() != 0) {
      return; // only root can give a file away
    }
    std::ofstream(path) << "1\n";
    REQUIRE(::chown(path.c_str(), 4321, 4321) == 0);
    refused("owned by uid 4321, not by uid 0 or the lock directory's owner", "rm " + path);
    CHECK(contents(path) == "1\n");
  }
  CHECK(contents(dir / "victim") == "precious bytes\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("FileTaskLocks: root locks the service user's lock file without writing to it")
{
  if (::geteuid() != 0) {
    return; // only root can give files away
  }
  const auto dir = temp_dir();
  std::filesystem::create_directory(dir / "locks");
  std::ofstream(dir / "locks" / "t.lock") << "4711\n";
  REQUIRE(::chown((dir / "locks").c_str(), 4321, 4321) == 0);
  REQUIRE(::chown((dir / "locks" / "t.lock").c_str(), 4321, 4321) == 0);
  FileTaskLocks locks(dir / "locks");
  auto lock = locks.acquire("t");
  REQUIRE(lock.has_value());
  CHECK(contents(dir / "locks" / "t.lock") == "4711\n");
  auto again = locks.acquire("t");
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().holder_pid == getpid()); // from /proc/locks, not the file's stale pid
  std::filesystem::remove_all(dir);
}

TEST_CASE("FileTaskLocks: refuses a lock directory others may write to, or a symbolic link")
{
  const auto dir = temp_dir();
  const auto locks_dir = dir / "locks";
  std::filesystem::create_directory(locks_dir);
  SUBCASE("world-writable, even with the sticky bit")
  {
    for (const mode_t mode : {01777, 0777, 0775}) {
      REQUIRE(::chmod(locks_dir.c_str(), mode) == 0);
      FileTaskLocks locks(locks_dir);
      auto lock = locks.acquire("t");
      REQUIRE_FALSE(lock.has_value());
      CHECK(lock.error().message ==
            fmt::format("refusing lock directory {}: mode {:04o} is writable by group/others, "
                        "who could hold any task's lock; fix with: chmod go-w {}",
                        locks_dir.string(), mode, locks_dir.string()));
      CHECK_FALSE(std::filesystem::exists(locks_dir / "t.lock"));
    }
  }
  SUBCASE("a symbolic link to a directory")
  {
    std::filesystem::create_directory_symlink(locks_dir, dir / "link");
    FileTaskLocks locks(dir / "link");
    auto lock = locks.acquire("t");
    REQUIRE_FALSE(lock.has_value());
    CHECK(lock.error().message == "refusing lock directory " + (dir / "link").string() +
                                      ": it is a symbolic link; give the directory it points to");
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("default_lock_directory: systemd's RuntimeDirectory first, then per-user places")
{
  CHECK(default_lock_directory("/run/periodic-tasks", nullptr, 0, -1) == "/run/periodic-tasks");
  CHECK(default_lock_directory("/run/a:/run/b", nullptr, 0, -1) == "/run/a");
  CHECK(default_lock_directory(nullptr, "/run/user/1000", 0, -1) == "/run/periodic-tasks");
  CHECK(default_lock_directory(nullptr, "/run/user/1000", 1000, -1) ==
        "/run/user/1000/periodic-tasks");
  CHECK(default_lock_directory(nullptr, nullptr, 1000, -1) == "/tmp/periodic-tasks-1000");
  SUBCASE("the service user's manual run shares the timer's lock directory")
  {
    CHECK(default_lock_directory(nullptr, "/run/user/998", 998, 998) == "/run/periodic-tasks");
    CHECK(default_lock_directory(nullptr, "/run/user/1000", 1000, 998) ==
          "/run/user/1000/periodic-tasks");
  }
}

TEST_CASE("flock_holder: finds an exclusive flock by device and inode in /proc/locks text")
{
  const std::string text = "1: POSIX  ADVISORY  WRITE 100 00:1a:77 0 EOF\n"
                           "2: FLOCK  ADVISORY  READ 200 00:1a:77 0 EOF\n"
                           "3: FLOCK  ADVISORY  WRITE 300 fd:01:77 0 EOF\n"
                           "3: -> FLOCK  ADVISORY  WRITE 400 00:1a:77 0 EOF\n"
                           "4: FLOCK  ADVISORY  WRITE 500 00:1a:77 0 EOF\n"
                           "garbage line\n";
  CHECK(flock_holder(text, 0x00, 0x1a, 77) == 500L);
  CHECK(flock_holder(text, 0xfd, 0x01, 77) == 300L);
  CHECK_FALSE(flock_holder(text, 0x00, 0x1a, 78));
  CHECK_FALSE(flock_holder("", 0, 0, 0));
}

TEST_CASE("FileLockProbe: sees a lock another open file holds, without taking it")
{
  const auto dir = temp_dir();
  FileTaskLocks locks(dir);
  const FileLockProbe probe({dir / "elsewhere", dir});
  CHECK_FALSE(probe.probe("cleanup").held); // no lock file yet
  {
    auto held = locks.acquire("cleanup");
    REQUIRE(held.has_value());
    const LockState state = probe.probe("cleanup");
    CHECK(state.held);
    CHECK(state.holder_pid == getpid());
    CHECK_FALSE(probe.probe("other").held);
  }
  CHECK_FALSE(probe.probe("cleanup").held);
  CHECK(locks.acquire("cleanup").has_value()); // probing never left a lock behind
  std::filesystem::remove_all(dir);
}
