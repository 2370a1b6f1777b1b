// SPDX-License-Identifier: MIT
// These tests run real children and check what the runner promises about them:
// outcome, output, and that nothing of the task (process, zombie, fd) is left.
#include <cerrno>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <signal.h>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <doctest/doctest.h>

#include "fakes.hpp"
#include "process/line_splitter.hpp"
#include "process/posix.hpp"

using namespace pt;
using namespace std::chrono_literals;
using pt::test::FakeStop;

namespace {

// Records a task's output: every piece unless told to count only (for floods).
class RecordingSink final : public OutputSink
{
public:
  struct Counts
  {
    std::uint64_t bytes = 0;
    std::uint64_t pieces = 0;
    std::uint64_t continued = 0;
    std::size_t longest_piece = 0;
  };

  explicit RecordingSink(bool keep_text = true) : m_keep_text(keep_text) {}

  void on_line(Stream stream, std::string_view text, LineEnd end) override
  {
    auto& counts = stream == Stream::out ? out : err;
    counts.bytes += text.size();
    ++counts.pieces;
    counts.continued += end == LineEnd::continues ? 1 : 0;
    counts.longest_piece = std::max(counts.longest_piece, text.size());
    if (m_keep_text) {
      (stream == Stream::out ? out_lines : err_lines).emplace_back(text);
    }
    if (on_each_line) {
      on_each_line(text);
    }
  }

  Counts out;
  Counts err;
  std::vector<std::string> out_lines;
  std::vector<std::string> err_lines;
  std::function<void(std::string_view)> on_each_line;

private:
  bool m_keep_text;
};

using Lines = std::vector<std::string>;

ProcessSpec make_spec(std::vector<std::string> argv)
{
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.working_directory = "/";
  spec.timeout = k_infinite;
  spec.kill_timeout = 1s;
  return spec;
}

ProcessSpec shell(const std::string& script)
{
  return make_spec({"/bin/sh", "-c", script});
}

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

struct ProcInfo
{
  pid_t pid;
  pid_t ppid;
};

std::vector<ProcInfo> all_processes()
{
  std::vector<ProcInfo> result;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    pid_t pid = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (error != std::errc() || end != name.data() + name.size()) {
      continue;
    }
    const auto stat = read_file(entry.path() / "stat");
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 4 >= stat.size()) {
      continue;
    }
    pid_t ppid = 0;
    std::from_chars(stat.data() + paren + 4, stat.data() + stat.size(), ppid);
    result.push_back({pid, ppid});
  }
  return result;
}

// Counts every descendant of this process, zombies included.
int descendant_count()
{
  std::set<pid_t> tree{::getpid()};
  const auto processes = all_processes();
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& process : processes) {
      if (tree.count(process.ppid) != 0 && tree.insert(process.pid).second) {
        grew = true;
      }
    }
  }
  return static_cast<int>(tree.size()) - 1;
}

// Counts processes, anywhere, whose command line contains `marker`.
int processes_with(const std::string& marker)
{
  int count = 0;
  for (const auto& process : all_processes()) {
    const auto cmdline = read_file("/proc/" + std::to_string(process.pid) + "/cmdline");
    count += cmdline.find(marker) != std::string::npos ? 1 : 0;
  }
  return count;
}

int open_fd_count()
{
  const auto entries = std::filesystem::directory_iterator("/proc/self/fd");
  return static_cast<int>(std::distance(begin(entries), end(entries)));
}

// A sleep duration no other process uses, to find our grandchildren by.
std::string unique_sleep_seconds()
{
  static int counter = 0;
  return std::to_string(100000 + ++counter) + "." + std::to_string(::getpid());
}

std::uint64_t peak_rss_kib()
{
  std::istringstream status(read_file("/proc/self/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stoull(line.substr(6));
    }
  }
  return 0;
}

// Runs `spec` as the runner does, and checks that nothing of it is left afterwards.
ProcessResult run(const ProcessSpec& spec, OutputSink& sink, const StopSource& stop,
                  int stop_fd = -1)
{
  PosixProcessRunner::become_subreaper();
  const int fds_before = open_fd_count();
  ProcessResult result;
  {
    // The runner keeps a few fds from task to task (/dev/null, /proc/self/task).
    PosixProcessRunner runner(stop, stop_fd);
    result = runner.run(spec, sink);
    CHECK(descendant_count() == 0);
  }
  CHECK(open_fd_count() == fds_before);
  return result;
}

ProcessResult run(const ProcessSpec& spec, OutputSink& sink)
{
  const FakeStop no_stop;
  return run(spec, sink, no_stop);
}

} // namespace

TEST_CASE("PosixProcessRunner: reports the exit status")
{
  RecordingSink sink;
  SUBCASE("success")
  {
    const auto result = run(make_spec({"/bin/true"}), sink);
    CHECK(result.kind == ExitKind::exited);
    CHECK(result.exit_status == 0);
    CHECK(result.signal == 0);
    CHECK(result.leftover_processes == 0);
    CHECK(result.duration > Duration::zero());
    CHECK(result.duration < 1s);
  }
  SUBCASE("failure")
  {
    CHECK(run(make_spec({"/bin/false"}), sink).exit_status == 1);
    const auto result = run(shell("exit 42"), sink);
    CHECK(result.kind == ExitKind::exited);
    CHECK(result.exit_status == 42);
  }
}

TEST_CASE("PosixProcessRunner: reports death by a signal")
{
  RecordingSink sink;
  const auto result = run(shell("ulimit -c 0; kill -SEGV $$"), sink);
  CHECK(result.kind == ExitKind::signaled);
  CHECK(result.signal == SIGSEGV);
  CHECK_FALSE(result.core_dumped);
  CHECK_FALSE(result.escalated_to_kill);
}

TEST_CASE("PosixProcessRunner: reports a command that cannot start")
{
  RecordingSink sink;
  SUBCASE("missing executable")
  {
    const auto result = run(make_spec({"/no/such/program", "arg"}), sink);
    CHECK(result.kind == ExitKind::start_failed);
    CHECK(result.error_number == ENOENT);
    CHECK(result.error == "cannot execute /no/such/program: No such file or directory");
  }
  SUBCASE("not executable")
  {
    const auto result = run(make_spec({"/etc/passwd"}), sink);
    CHECK(result.kind == ExitKind::start_failed);
    CHECK(result.error_number == EACCES);
    CHECK(result.error == "cannot execute /etc/passwd: Permission denied");
  }
  SUBCASE("bad working directory")
  {
    auto spec = make_spec({"/bin/true"});
    spec.working_directory = "/no/such/dir";
    const auto result = run(spec, sink);
    CHECK(result.kind == ExitKind::start_failed);
    CHECK(result.error_number == ENOENT);
    CHECK(result.error ==
          "cannot change to working directory /no/such/dir: No such file or directory");
  }
  SUBCASE("working directory is a file")
  {
    auto spec = make_spec({"/bin/true"});
    spec.working_directory = "/etc/passwd";
    const auto result = run(spec, sink);
    CHECK(result.kind == ExitKind::start_failed);
    CHECK(result.error == "cannot change to working directory /etc/passwd: Not a directory");
  }
  CHECK(sink.out_lines.empty());
}

TEST_CASE("PosixProcessRunner: keeps stdout and stderr apart")
{
  RecordingSink sink;
  const auto result = run(shell("echo out1; echo err1 >&2; echo out2; printf 'tail' >&2"), sink);
  CHECK(result.exit_status == 0);
  CHECK(sink.out_lines == Lines{"out1", "out2"});
  CHECK(sink.err_lines == Lines{"err1", "tail"});
}

TEST_CASE("PosixProcessRunner: passes argv, environment and working directory exactly")
{
  RecordingSink sink;
  SUBCASE("environment")
  {
    auto spec = make_spec({"/usr/bin/env"});
    spec.env = {"A=1", "B=two words", "EMPTY="};
    run(spec, sink);
    CHECK(sink.out_lines == Lines{"A=1", "B=two words", "EMPTY="});
  }
  SUBCASE("argv, no shell")
  {
    run(make_spec({"/bin/echo", "$HOME", "a  b", "*"}), sink);
    CHECK(sink.out_lines == Lines{"$HOME a  b *"});
  }
  SUBCASE("working directory")
  {
    auto spec = make_spec({"/bin/pwd"});
    spec.working_directory = "/usr/share";
    run(spec, sink);
    CHECK(sink.out_lines == Lines{"/usr/share"});
  }
}

TEST_CASE("PosixProcessRunner: each task's output reaches its own sink when the fd numbers change")
{
  // One runner keeps the last file actions while the fds and directory stay the same.
  PosixProcessRunner::become_subreaper();
  const FakeStop no_stop;
  PosixProcessRunner runner(no_stop, -1);
  RecordingSink first;
  runner.run(shell("echo one; echo uno >&2"), first);
  const int fds_after_first = open_fd_count();
  const int shift = ::open("/dev/null", O_RDONLY | O_CLOEXEC); // the next pipes get other numbers
  REQUIRE(shift >= 0);
  RecordingSink second;
  auto in_dir = shell("pwd; echo dos >&2");
  in_dir.working_directory = "/usr/share";
  runner.run(in_dir, second);
  ::close(shift);
  RecordingSink third;
  runner.run(shell("echo three; echo tres >&2"), third);
  CHECK(first.out_lines == Lines{"one"});
  CHECK(first.err_lines == Lines{"uno"});
  CHECK(second.out_lines == Lines{"/usr/share"});
  CHECK(second.err_lines == Lines{"dos"});
  CHECK(third.out_lines == Lines{"three"});
  CHECK(third.err_lines == Lines{"tres"});
  CHECK(open_fd_count() == fds_after_first); // what it keeps does not grow from task to task
  CHECK(descendant_count() == 0);
}

TEST_CASE("PosixProcessRunner: gives the task /dev/null as stdin and no other fds")
{
  RecordingSink sink;
  SUBCASE("stdin")
  {
    run(shell("readlink /proc/self/fd/0; cat; echo done"), sink);
    CHECK(sink.out_lines == Lines{"/dev/null", "done"});
  }
  SUBCASE("no inherited fds")
  {
    const int leaked = ::open("/dev/null", O_RDONLY); // deliberately without O_CLOEXEC
    REQUIRE(leaked >= 3);
    run(shell("ls /proc/$$/fd"), sink);
    ::close(leaked);
    CHECK(sink.out_lines == Lines{"0", "1", "2"});
  }
}

TEST_CASE("PosixProcessRunner: starts the task in its own session with default signals")
{
  // The runner ignores SIGPIPE and may block signals; its task must not inherit that.
  struct sigaction ignore = {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous = {};
  ::sigaction(SIGPIPE, &ignore, &previous);
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGUSR1);
  sigset_t old_mask;
  ::pthread_sigmask(SIG_BLOCK, &blocked, &old_mask);

  RecordingSink sink;
  run(shell("grep -E '^Sig(Blk|Ign)' /proc/self/status; cut -d' ' -f1,5,6 /proc/$$/stat"), sink);
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &previous, nullptr);

  REQUIRE(sink.out_lines.size() == 3);
  CHECK(sink.out_lines[0] == "SigBlk:\t0000000000000000");
  // glibc's posix_spawn leaves its two internal signals (32 and 33) ignored in
  // the child; no program can use them through SIGRTMIN anyway. Nothing else.
  const auto ignored = std::stoull(sink.out_lines[1].substr(8), nullptr, 16);
  CHECK((ignored & ~0x180000000ULL) == 0);
  std::istringstream ids(sink.out_lines[2]);
  std::string pid, group, session;
  ids >> pid >> group >> session;
  CHECK(group == pid);
  CHECK(session == pid);
}

TEST_CASE("PosixProcessRunner: stops a task at its timeout")
{
  RecordingSink sink;
  const auto marker = unique_sleep_seconds();
  auto spec = shell("echo started; sleep " + marker);
  spec.timeout = 300ms;
  spec.kill_timeout = 200ms;
  const auto result = run(spec, sink);
  CHECK(result.kind == ExitKind::timed_out);
  CHECK(result.signal == SIGTERM);
  CHECK_FALSE(result.escalated_to_kill);
  CHECK(result.duration >= 300ms);
  CHECK(result.duration < 1s);
  CHECK(sink.out_lines == Lines{"started"});
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: kills a task that ignores SIGTERM after the grace")
{
  RecordingSink sink;
  const auto marker = unique_sleep_seconds();
  auto spec = shell("trap '' TERM; sleep " + marker + "; echo not reached");
  spec.timeout = 300ms;
  spec.kill_timeout = 200ms;
  const auto result = run(spec, sink);
  CHECK(result.kind == ExitKind::timed_out);
  CHECK(result.signal == SIGKILL);
  CHECK(result.escalated_to_kill);
  CHECK(result.duration >= 500ms);
  CHECK(result.duration < 1500ms);
  CHECK(sink.out_lines.empty());
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: keeps reading output while the task handles SIGTERM")
{
  // The handler writes far more than a pipe holds; unread, it would block until SIGKILL.
  RecordingSink sink(false);
  auto spec = shell("trap 'head -c 1000000 /dev/zero; exit 7' TERM; sleep 1000 & wait");
  spec.timeout = 200ms;
  spec.kill_timeout = 2s;
  const auto result = run(spec, sink);
  CHECK(result.kind == ExitKind::timed_out);
  CHECK(result.exit_status == 7);
  CHECK_FALSE(result.escalated_to_kill);
  CHECK(sink.out.bytes == 1000000);
  CHECK(result.duration < 1s);
}

TEST_CASE("PosixProcessRunner: kills a grandchild that left the process group with setsid")
{
  RecordingSink sink;
  const auto marker = unique_sleep_seconds();
  SUBCASE("at the timeout, while its parent still runs")
  {
    auto spec = shell("setsid sleep " + marker + " & sleep 1000");
    spec.timeout = 300ms;
    spec.kill_timeout = 200ms;
    const auto result = run(spec, sink);
    CHECK(result.kind == ExitKind::timed_out);
    CHECK_FALSE(result.escalated_to_kill);
    CHECK(result.duration < 1s);
  }
  SUBCASE("after the main process exited")
  {
    const auto result = run(shell("setsid sleep " + marker + " > /dev/null 2>&1 & echo bye"), sink);
    CHECK(result.kind == ExitKind::exited);
    CHECK(result.exit_status == 0);
    CHECK(result.leftover_processes == 1);
    CHECK(result.duration < 1s);
    CHECK(sink.out_lines == Lines{"bye"});
  }
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: returns fast when a background child holds stdout")
{
  RecordingSink sink;
  const auto marker = unique_sleep_seconds();
  const auto result = run(shell("sleep " + marker + " & echo hi"), sink);
  CHECK(result.kind == ExitKind::exited);
  CHECK(result.exit_status == 0);
  CHECK(result.leftover_processes == 1);
  CHECK_FALSE(result.escalated_to_kill);
  CHECK(result.duration < 1s);
  CHECK(sink.out_lines == Lines{"hi"});
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: escalates to SIGKILL for a leftover that ignores SIGTERM")
{
  RecordingSink sink;
  const auto marker = unique_sleep_seconds();
  auto spec = shell("(trap '' TERM; sleep " + marker + ") & echo hi");
  spec.kill_timeout = 200ms;
  const auto result = run(spec, sink);
  CHECK(result.kind == ExitKind::exited);
  CHECK(result.leftover_processes >= 1);
  CHECK(result.escalated_to_kill);
  CHECK(result.duration < 1500ms);
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: passes a flood of output through in bounded memory")
{
  RecordingSink sink(false);
  const std::uint64_t size = 200'000'000;
  const auto peak_before = peak_rss_kib();
  const auto started = std::chrono::steady_clock::now();
  SUBCASE("one huge line")
  {
    const auto result = run(shell("head -c 200000000 /dev/zero | tr '\\0' x"), sink);
    CHECK(result.exit_status == 0);
    CHECK(sink.out.bytes == size);
    CHECK(sink.out.pieces == (size + k_max_line_bytes - 1) / k_max_line_bytes);
    CHECK(sink.out.continued == sink.out.pieces - 1);
    CHECK(sink.out.longest_piece == k_max_line_bytes);
  }
  SUBCASE("many short lines")
  {
    const auto result = run(shell("yes | head -c 200000000"), sink);
    CHECK(result.exit_status == 0);
    CHECK(sink.out.bytes == size / 2);
    CHECK(sink.out.pieces == size / 2);
    CHECK(sink.out.continued == 0);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  MESSAGE("200 MB in " << std::chrono::duration<double>(elapsed).count() << " s; peak RSS grew "
                       << peak_rss_kib() - peak_before << " KiB");
  // Throughput is the benchmark's business (tests/bench); here only completion and memory.
  CHECK(peak_rss_kib() - peak_before < 64 * 1024);
}

TEST_CASE("PosixProcessRunner: delivers a 1 MB line in pieces and bytes as they are")
{
  RecordingSink sink;
  SUBCASE("1 MB line")
  {
    run(shell("head -c 1048576 /dev/zero | tr '\\0' a; echo; echo next"), sink);
    const auto pieces = 1048576 / k_max_line_bytes;
    REQUIRE(sink.out_lines.size() == pieces + 1);
    CHECK(sink.out.continued == pieces - 1);
    CHECK(sink.out_lines[0] == std::string(k_max_line_bytes, 'a'));
    CHECK(sink.out_lines[pieces] == "next");
  }
  SUBCASE("NUL bytes and invalid UTF-8")
  {
    run(shell("printf 'a\\000b\\n\\377\\376\\r\\n'"), sink);
    CHECK(sink.out_lines == Lines{std::string("a\0b", 3), "\xff\xfe\r"});
  }
}

TEST_CASE("PosixProcessRunner: stops the whole tree on a stop request")
{
  std::array<int, 2> wake{};
  REQUIRE(::pipe2(wake.data(), O_CLOEXEC) == 0);
  FakeStop stop;
  RecordingSink sink;
  sink.on_each_line = [&](std::string_view line) {
    if (line == "ready") {
      stop.signal = SIGTERM;
      CHECK(::write(wake[1], "x", 1) == 1);
    }
  };
  const auto marker = unique_sleep_seconds();
  auto spec = shell("setsid sleep " + marker + " & echo ready; sleep 1000");
  spec.kill_timeout = 200ms;
  const auto result = run(spec, sink, stop, wake[0]);
  ::close(wake[0]);
  ::close(wake[1]);
  CHECK(result.kind == ExitKind::interrupted);
  CHECK(result.signal == SIGTERM);
  CHECK_FALSE(result.escalated_to_kill);
  CHECK(result.duration < 1s);
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: stops the tree when the runner itself gets SIGINT")
{
  const SignalStop stop;
  const auto marker = unique_sleep_seconds();
  RecordingSink sink;
  sink.on_each_line = [&](std::string_view line) {
    // dash -c catches SIGINT and may lose it just before exec; raise it once sleep runs.
    for (int tries = 0; line == "ready" && processes_with(marker) == 0 && tries < 2000; ++tries) {
      ::usleep(1000);
    }
    CHECK(std::raise(SIGINT) == 0);
  };
  auto spec = shell("echo ready; exec sleep " + marker);
  spec.kill_timeout = 200ms;
  const auto result = run(spec, sink, stop, stop.wake_fd());
  CHECK(result.kind == ExitKind::interrupted);
  CHECK(result.signal == SIGINT);
  CHECK_FALSE(result.escalated_to_kill);
  CHECK(result.duration < 1s);
  CHECK(processes_with(marker) == 0);
}

TEST_CASE("PosixProcessRunner: does not start a task once a stop was requested")
{
  FakeStop stop;
  stop.signal = SIGINT;
  RecordingSink sink;
  const auto result = run(shell("echo should not run"), sink, stop);
  CHECK(result.kind == ExitKind::interrupted);
  CHECK(result.signal == SIGINT);
  CHECK(result.duration == Duration::zero());
  CHECK(sink.out_lines.empty());
}
