// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "app/cli.hpp"

using namespace pt;

namespace {

CliParse parse(std::vector<const char*> args)
{
  args.insert(args.begin(), "periodic_tasks");
  return parse_command_line(static_cast<int>(args.size()), args.data());
}

} // namespace

TEST_CASE("parse_command_line: no subcommand means run")
{
  const auto r = parse({});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::run);
  CHECK(r.options->tasks.empty());
  CHECK_FALSE(r.options->config_path);
}

TEST_CASE("parse_command_line: run options work with and without the word run")
{
  for (const auto& args :
       {std::vector<const char*>{"--dry-run", "--as-of", "2025-01-27", "--json"},
        std::vector<const char*>{"run", "--dry-run", "--as-of", "2025-01-27", "--json"}}) {
    const auto r = parse(args);
    REQUIRE(r.options);
    CHECK(r.options->command == Command::run);
    CHECK(r.options->dry_run);
    CHECK(r.options->json);
    CHECK(r.options->as_of == "2025-01-27");
  }
}

TEST_CASE("parse_command_line: run TASK... and --config before or after the subcommand")
{
  auto r = parse({"--config", "/tmp/c.toml", "run", "a", "b"});
  REQUIRE(r.options);
  CHECK(r.options->tasks == std::vector<std::string>{"a", "b"});
  CHECK(r.options->config_path == "/tmp/c.toml");
  r = parse({"check", "--config", "/tmp/c.toml"});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::check);
  CHECK(r.options->config_path == "/tmp/c.toml");
  r = parse({"list", "--json"});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::list);
  CHECK(r.options->json);
}

TEST_CASE("parse_command_line: --help and --version")
{
  auto r = parse({"--help"});
  CHECK_FALSE(r.options);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("Exit status:") != std::string::npos);
  r = parse({"run", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("--as-of") != std::string::npos);
  r = parse({"--version"});
  REQUIRE(r.options);
  CHECK(r.options->command == Command::version);
}

TEST_CASE("parse_command_line: usage errors are exit 64 with a pointer to --help")
{
  auto r = parse({"--bogus"});
  CHECK_FALSE(r.options);
  CHECK(r.exit_code == 64);
  CHECK(r.output ==
        "The following argument was not expected: --bogus; run 'periodic_tasks --help' for usage");
  r = parse({"check", "--dry-run"});
  CHECK(r.exit_code == 64);
  r = parse({"--as-of"});
  CHECK(r.exit_code == 64);
}

TEST_CASE("parse_command_line: status and history")
{
  const auto status = parse({"status", "a", "b", "--json", "-D", "/srv/journal"});
  REQUIRE(status.options);
  CHECK(status.options->command == Command::status);
  CHECK(status.options->tasks == std::vector<std::string>{"a", "b"});
  CHECK(status.options->json);
  CHECK(status.options->journal_directory == "/srv/journal");

  const auto history = parse({"history", "cleanup", "-n", "5", "--since", "2d", "--failed",
                              "--invocation", "abc", "--run", "def"});
  REQUIRE(history.options);
  CHECK(history.options->command == Command::history);
  CHECK(history.options->tasks == std::vector<std::string>{"cleanup"});
  CHECK(history.options->limit == 5);
  CHECK(history.options->since == "2d");
  CHECK(history.options->failed_only);
  CHECK(history.options->invocation == "abc");
  CHECK(history.options->run_id == "def");
  CHECK_FALSE(history.options->journal_directory);

  const auto defaults = parse({"history"});
  REQUIRE(defaults.options);
  CHECK(defaults.options->limit == 20);
  CHECK_FALSE(defaults.options->since);

  CHECK(parse({"history", "a", "b"}).exit_code == 64); // one task at most
  CHECK(parse({"history", "-n", "many"}).exit_code == 64);
}
