// SPDX-License-Identifier: MIT
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "metrics/file.hpp"
#include "metrics/metrics.hpp"
#include "test_support.hpp"

using namespace pt;
namespace fs = std::filesystem;
using pt::test::TempDir;

namespace {

std::string read_text(const fs::path& path)
{
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_text(const fs::path& path, std::string_view text)
{
  std::ofstream(path) << text;
}

std::vector<std::string> names_in(const fs::path& dir)
{
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Sets the umask for the scope of one test, like the service's UMask=0027.
class ScopedUmask
{
public:
  explicit ScopedUmask(mode_t mask) : m_old(::umask(mask)) {}
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;
  ~ScopedUmask() { ::umask(m_old); }

private:
  mode_t m_old;
};

RunSummary one_success(bool dry_run = false)
{
  RunSummary summary;
  summary.context = RunContext{"0123456789abcdef0123456789abcdef", "2025-01-27", dry_run};
  TaskOutcome outcome;
  outcome.name = "a";
  outcome.result = TaskResult::success;
  outcome.started_at_usec = 1'700'000'000'000'000;
  outcome.exit_status = 0;
  summary.tasks.push_back(outcome);
  return summary;
}

Config config_with_a()
{
  Config config;
  Task task;
  task.name = "a";
  config.tasks.push_back(task);
  return config;
}

} // namespace

TEST_CASE("rewrite_file_locked: writes a new file, mode 0644, and leaves no temp file")
{
  TempDir dir{"metrics"};
  ScopedUmask umask(027);
  const fs::path file = dir.path() / "pt.prom";
  std::string seen = "unset";

  const auto written = rewrite_file_locked(file, [&](std::string_view old) {
    seen = old;
    return std::string("metric 1\n");
  });

  REQUIRE(written.has_value());
  CHECK(seen.empty()); // a missing file reads as empty
  CHECK(read_text(file) == "metric 1\n");
  struct stat st
  {
  };
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0644);
  CHECK(names_in(dir.path()) == std::vector<std::string>{"pt.prom"});
}

TEST_CASE("rewrite_file_locked: passes the old text and replaces the file atomically")
{
  TempDir dir{"metrics"};
  const fs::path file = dir.path() / "pt.prom";
  write_text(file, "old\n");
  struct stat before
  {
  };
  REQUIRE(::stat(file.c_str(), &before) == 0);
  // A reader that opened the old file keeps reading the old text.
  std::ifstream reader(file);

  const auto written =
      rewrite_file_locked(file, [](std::string_view old) { return std::string(old) + "new\n"; });

  REQUIRE(written.has_value());
  CHECK(read_text(file) == "old\nnew\n");
  struct stat after
  {
  };
  REQUIRE(::stat(file.c_str(), &after) == 0);
  CHECK(after.st_ino != before.st_ino); // renamed over, never rewritten in place
  CHECK(std::string(std::istreambuf_iterator<char>(reader), {}) == "old\n");
}

TEST_CASE("rewrite_file_locked: failures name the step and write nothing")
{
  TempDir dir{"metrics"};
  SUBCASE("missing directory")
  {
    const auto written = rewrite_file_locked(dir.path() / "missing" / "pt.prom",
                                             [](std::string_view) { return std::string("x"); });
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error() == "cannot open directory " + (dir.path() / "missing").string() +
                                 ": No such file or directory");
  }
  SUBCASE("the directory is a file")
  {
    write_text(dir.path() / "file", "");
    const auto written = rewrite_file_locked(dir.path() / "file" / "pt.prom",
                                             [](std::string_view) { return std::string("x"); });
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error() ==
          "cannot open directory " + (dir.path() / "file").string() + ": Not a directory");
  }
  SUBCASE("the textfile is a directory")
  {
    fs::create_directory(dir.path() / "pt.prom");
    bool called = false;
    const auto written = rewrite_file_locked(dir.path() / "pt.prom", [&](std::string_view) {
      called = true;
      return std::string("x");
    });
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error() == (dir.path() / "pt.prom").string() + " is not a regular file");
    CHECK_FALSE(called);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"pt.prom"});
  }
  SUBCASE("a FIFO in its place does not hang the run")
  {
    REQUIRE(::mkfifo((dir.path() / "pt.prom").c_str(), 0644) == 0);
    const auto written =
        rewrite_file_locked(dir.path() / "pt.prom", [](std::string_view) { return std::string(); });
    REQUIRE_FALSE(written.has_value());
    CHECK(written.error() == (dir.path() / "pt.prom").string() + " is not a regular file");
  }
}

TEST_CASE("rewrite_file_locked: waits for another writer's lock, then gives up")
{
  TempDir dir{"metrics"};
  const int held = ::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(held >= 0);
  REQUIRE(::flock(held, LOCK_EX) == 0);

  const auto written = rewrite_file_locked(
      dir.path() / "pt.prom", [](std::string_view) { return std::string("x"); },
      std::chrono::milliseconds(100));

  REQUIRE_FALSE(written.has_value());
  CHECK(written.error() ==
        "directory " + dir.path().string() + " is still locked by another writer after 100 ms");
  CHECK(names_in(dir.path()).empty());
  ::close(held);
  CHECK(rewrite_file_locked(dir.path() / "pt.prom", [](std::string_view) {
          return std::string("x");
        }).has_value());
}

TEST_CASE("rewrite_file_locked: concurrent writers lose no update")
{
  TempDir dir{"metrics"};
  const fs::path file = dir.path() / "count.prom";
  constexpr int k_threads = 6;
  constexpr int k_rounds = 20;
  std::vector<std::thread> threads;
  std::atomic<int> failures = 0;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < k_rounds; ++i) {
        const auto written = rewrite_file_locked(file, [](std::string_view old) {
          const int n = old.empty() ? 0 : std::stoi(std::string(old));
          std::this_thread::yield(); // widen the read-write window
          return std::to_string(n + 1);
        });
        failures += written.has_value() ? 0 : 1;
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  CHECK(failures == 0);
  CHECK(read_text(file) == std::to_string(k_threads * k_rounds));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"count.prom"});
}

TEST_CASE("rewrite_file_locked: removes temp files a killed writer left, and only those")
{
  TempDir dir{"metrics"};
  for (const char* name : {".pt.prom.a1B2c3", ".pt.prom.tmp", "other.prom", ".other.prom.a1B2c3"}) {
    write_text(dir.path() / name, "x");
  }
  REQUIRE(rewrite_file_locked(dir.path() / "pt.prom", [](std::string_view) {
            return std::string("y");
          }).has_value());
  CHECK(names_in(dir.path()) ==
        std::vector<std::string>{".other.prom.a1B2c3", ".pt.prom.tmp", "other.prom", "pt.prom"});
}

TEST_CASE("write_run_metrics: writes the merged text; a failure is a warning record")
{
  TempDir dir{"metrics"};
  test::RecordingLog log;
  const Config config = config_with_a();

  SUBCASE("success")
  {
    write_run_metrics(dir.path() / "pt.prom", one_success(), config, log);
    CHECK(log.records.empty());
    CHECK(read_text(dir.path() / "pt.prom") == updated_metrics_text("", one_success(), config));
  }
  SUBCASE("missing directory")
  {
    write_run_metrics(dir.path() / "missing" / "pt.prom", one_success(), config, log);
    REQUIRE(log.records.size() == 1);
    CHECK(log.records[0].message_id == message_id::metrics_failed);
    CHECK(log.records[0].priority == Priority::warning);
    CHECK(log.records[0].field("METRICS_FILE") == (dir.path() / "missing" / "pt.prom").string());
  }
  SUBCASE("a dry run touches nothing, not even a missing directory")
  {
    write_run_metrics(dir.path() / "pt.prom", one_success(true), config, log);
    write_run_metrics(dir.path() / "missing" / "pt.prom", one_success(true), config, log);
    CHECK(log.records.empty());
    CHECK(names_in(dir.path()).empty());
  }
}
