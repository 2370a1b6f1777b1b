// SPDX-License-Identifier: MIT
// pg_probe: runs SQL requests through the real PgExecutor and prints each
// SqlResult as a JSON line, to test (and time) the PostgreSQL edge directly.
//
//   pg_probe --conninfo STR [--password-file PATH | --password-credential NAME]
//            [--connect-timeout SPAN] [--timeout SPAN] [--param VALUE]...
//            [--setting NAME=VALUE]... [--application-name NAME] [--rollback]
//            [--repeat N] STEP...
//   STEP: --sql STATEMENT (adds a statement to the current request),
//         --then (ends the current request), --sh COMMAND (ends it, runs
//         COMMAND with /bin/sh between requests).
//
// Options apply to every request. $CREDENTIALS_DIRECTORY is read as the runner
// reads it. SIGTERM/SIGINT interrupt the running request. Exit status: 0 when
// every request succeeded, 1 otherwise, 64 on usage errors, 128+N after signal N.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "postgres/executor.hpp"

namespace {

struct Step
{
  std::vector<std::string> statements; // a request, or
  std::string shell;                   // a shell command between requests
};

struct Options
{
  pt::Database database;
  pt::SqlRequest request;
  int repeat = 1;
  std::vector<Step> steps;
};

const char* outcome_name(pt::SqlOutcome outcome)
{
  switch (outcome) {
  case pt::SqlOutcome::success:
    return "success";
  case pt::SqlOutcome::sql_error:
    return "sql_error";
  case pt::SqlOutcome::timeout:
    return "timeout";
  case pt::SqlOutcome::connection_failed:
    return "connection_failed";
  case pt::SqlOutcome::interrupted:
    return "interrupted";
  case pt::SqlOutcome::refused:
    return "refused";
  }
  return "?";
}

nlohmann::json to_json(const pt::SqlResult& result, std::size_t index)
{
  return {
      {"request", index},
      {"outcome", outcome_name(result.outcome)},
      {"retryable", pt::is_retryable(result)},
      {"rows_affected", result.rows_affected},
      {"rows_returned", result.rows_returned},
      {"columns", result.columns},
      {"preview", result.preview},
      {"sqlstate", result.sqlstate},
      {"message", result.message},
      {"detail", result.detail},
      {"hint", result.hint},
      {"server", result.server},
      {"duration_us", result.duration.count()},
  };
}

[[noreturn]] void usage(const std::string& problem)
{
  std::cerr << "pg_probe: " << problem << "\n(see tests/helpers/pg_probe.cpp for the usage)\n";
  std::exit(64);
}

pt::Duration span(const std::string& text)
{
  const auto parsed = pt::parse_timespan(text);
  if (!parsed) {
    usage("bad duration \"" + text + "\": " + parsed.error());
  }
  return *parsed;
}

// Ends the request being built, if it has statements.
void close_request(Options& options, Step& current)
{
  if (!current.statements.empty()) {
    options.steps.push_back(std::move(current));
  }
  current = {};
}

Options parse(int argc, char** argv)
{
  Options options;
  options.database.name = "probe";
  options.request.database = "probe";
  options.request.timeout = std::chrono::seconds(30);
  Step current;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(std::string(flag) + " needs a value");
      }
      return argv[++i];
    };
    if (flag == "--conninfo") {
      options.database.conninfo = value();
    } else if (flag == "--password-file") {
      options.database.password_file = value();
    } else if (flag == "--password-credential") {
      options.database.password_credential = value();
    } else if (flag == "--connect-timeout") {
      options.database.connect_timeout = span(value());
    } else if (flag == "--timeout") {
      options.request.timeout = span(value());
    } else if (flag == "--param") {
      options.request.params.push_back(value());
    } else if (flag == "--setting") {
      const auto setting = value();
      const auto equals = setting.find('=');
      if (equals == std::string::npos) {
        usage("--setting needs NAME=VALUE");
      }
      options.request.settings.emplace_back(setting.substr(0, equals), setting.substr(equals + 1));
    } else if (flag == "--application-name") {
      options.request.application_name = value();
    } else if (flag == "--rollback") {
      options.request.rollback = true;
    } else if (flag == "--repeat") {
      options.repeat = std::atoi(value().c_str());
    } else if (flag == "--sql") {
      current.statements.push_back(value());
    } else if (flag == "--then") {
      close_request(options, current);
    } else if (flag == "--sh") {
      close_request(options, current);
      options.steps.push_back(Step{{}, value()});
    } else {
      usage("unknown option " + std::string(flag));
    }
  }
  close_request(options, current);
  if (options.steps.empty()) {
    usage("nothing to run: give --sql STATEMENT");
  }
  return options;
}

} // namespace

int main(int argc, char** argv)
{
  const auto options = parse(argc, argv);
  pt::SignalStop stop;
  const char* credentials = std::getenv("CREDENTIALS_DIRECTORY");
  const pt::FileSecretSource secrets(credentials != nullptr ? credentials : "");
  pt::PgExecutor executor({options.database}, secrets, stop, stop.wake_fd());
  bool all_succeeded = true;
  std::size_t index = 0;
  for (int round = 0; round < options.repeat; ++round) {
    for (const auto& step : options.steps) {
      if (!step.shell.empty()) {
        std::fflush(stdout);
        if (std::system(step.shell.c_str()) != 0) {
          std::cerr << "pg_probe: the command failed: " << step.shell << "\n";
          return 1;
        }
        continue;
      }
      auto request = options.request;
      request.statements = step.statements;
      const auto result = executor.run(request);
      std::cout
          << to_json(result, index++).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << std::endl;
      all_succeeded = all_succeeded && result.outcome == pt::SqlOutcome::success;
    }
  }
  if (const int signal = stop.stop_signal(); signal != 0) {
    return 128 + signal;
  }
  return all_succeeded ? 0 : 1;
}
