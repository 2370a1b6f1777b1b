// SPDX-License-Identifier: MIT
// cluster_probe: drives the real PgClusterStore from the command line and
// prints each outcome as one JSON line, so shell tests can race processes
// against one PostgreSQL (cluster mode, issue 13).
//
//   cluster_probe done-mark-sql | init-sql   (prints the SQL text)
//   cluster_probe CONNINFO [--timeout SECONDS] [--barrier FIFO --ready FILE] OP ARGS...
//   OP:  open
//        claim TASK SLOT HOST LEASE_SECONDS [--hold SECONDS] [--heartbeat SECONDS]
//              [--finish RESULT]
//        heartbeat TASK SLOT ATTEMPT LEASE_SECONDS
//        finish TASK SLOT ATTEMPT RESULT
//        prune RETENTION_SECONDS BATCH
//        status
//   SLOT: microseconds since 1970 (UTC). Seconds may be fractional.
//
// --barrier: after open() succeeded, create FILE (--ready) and open FIFO for
// reading, which blocks until the test opens it for writing: every probe
// waiting there is released at the same instant. claim --hold keeps a
// Claimed claim (printing first) for SECONDS, then finishes it with
// --finish's result or releases it; --heartbeat renews the lease every
// SECONDS meanwhile, from a thread of its own (printing each answer). Exit status: 0 for any
// outcome of the protocol, 1 for an error of the store, 64 on usage errors.
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "postgres/cluster_schema.hpp"
#include "postgres/cluster_store.hpp"

namespace {

using nlohmann::json;

[[noreturn]] void usage(const std::string& problem)
{
  std::cerr << "cluster_probe: " << problem
            << "\n(see tests/helpers/cluster_probe.cpp for the usage)\n";
  std::exit(64);
}

pt::Duration seconds(const std::string& text)
{
  return std::chrono::duration_cast<pt::Duration>(std::chrono::duration<double>(std::stod(text)));
}

void print(const json& line)
{
  std::cout << line.dump(-1, ' ', false, json::error_handler_t::replace) << std::endl;
}

const char* kind_name(pt::ClusterErrorKind kind)
{
  switch (kind) {
  case pt::ClusterErrorKind::unreachable:
    return "unreachable";
  case pt::ClusterErrorKind::refused:
    return "refused";
  case pt::ClusterErrorKind::failed:
    return "failed";
  }
  return "?";
}

int error(const std::string& op, const pt::ClusterError& failure)
{
  print({{"op", op},
         {"outcome", "error"},
         {"kind", kind_name(failure.kind)},
         {"sqlstate", failure.sqlstate},
         {"message", failure.message}});
  return 1;
}

json holder_json(const std::optional<pt::ClaimHolder>& holder)
{
  if (!holder) {
    return nullptr;
  }
  return {{"host", holder->host},
          {"boot_id", holder->boot_id},
          {"pid", holder->pid},
          {"run_id", holder->run_id}};
}

template <typename T>
json optional_json(const std::optional<T>& value)
{
  return value ? json(*value) : json(nullptr);
}

json outcome_json(const pt::ClaimOutcome& outcome)
{
  if (const auto* claimed = std::get_if<pt::Claimed>(&outcome)) {
    return {{"outcome", "claimed"}, {"attempt", claimed->attempt}};
  }
  if (const auto* done = std::get_if<pt::Done>(&outcome)) {
    return {{"outcome", "done"},
            {"pruned", done->pruned},
            {"holder", holder_json(done->holder)},
            {"result", done->result},
            {"finished_at", optional_json(done->finished_at)}};
  }
  const auto& held = std::get<pt::HeldBy>(outcome);
  return {{"outcome", "held"},
          {"holder", holder_json(held.holder)},
          {"attempt", held.attempt},
          {"slot", optional_json(held.slot)},
          {"lease_until", optional_json(held.lease_until)}};
}

std::string boot_id()
{
  std::ifstream file("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(file, id);
  return id;
}

struct Options
{
  pt::Database database;
  pt::Duration timeout = std::chrono::seconds(10);
  std::string barrier;
  std::string ready;
  std::vector<std::string> args; // OP and its arguments, options removed
  std::optional<double> hold;
  std::optional<double> heartbeat;
  std::optional<std::string> finish;
};

Options parse(int argc, char** argv)
{
  if (argc < 3) {
    usage("give CONNINFO and an operation");
  }
  Options options;
  options.database.name = "cluster";
  options.database.conninfo = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        usage(arg + " needs a value");
      }
      return argv[++i];
    };
    if (arg == "--timeout") {
      options.timeout = seconds(value());
    } else if (arg == "--barrier") {
      options.barrier = value();
    } else if (arg == "--ready") {
      options.ready = value();
    } else if (arg == "--hold") {
      options.hold = std::stod(value());
    } else if (arg == "--heartbeat") {
      options.heartbeat = std::stod(value());
    } else if (arg == "--finish") {
      options.finish = value();
    } else {
      options.args.push_back(arg);
    }
  }
  return options;
}

// Blocks until the test opens the FIFO for writing (all probes at once).
void wait_at_barrier(const Options& options)
{
  if (options.barrier.empty()) {
    return;
  }
  std::ofstream(options.ready).put('\n');
  const int fd =
      ::open(options.barrier.c_str(), O_RDONLY); // NOLINT(cppcoreguidelines-pro-type-vararg)
  if (fd < 0) {
    usage("cannot open the barrier " + options.barrier);
  }
  ::close(fd);
}

pt::ClaimKey key_at(const std::vector<std::string>& args)
{
  return {args.at(1), std::stoll(args.at(2))};
}

// Sleeps for --hold, renewing the lease every --heartbeat from another thread.
void hold_claim(pt::PgClusterStore& store, const pt::ClaimKey& key, int attempt, pt::Duration lease,
                const Options& options)
{
  const auto hold = std::chrono::duration<double>(options.hold.value_or(0));
  if (!options.heartbeat) {
    std::this_thread::sleep_for(hold);
    return;
  }
  std::mutex mutex;
  std::condition_variable wake;
  bool stop = false;
  std::thread beat([&] {
    std::unique_lock lock(mutex);
    const auto every = std::chrono::duration<double>(*options.heartbeat);
    while (!wake.wait_for(lock, every, [&] { return stop; })) {
      const auto held = store.heartbeat(key, attempt, lease);
      print(held ? json{{"op", "heartbeat"}, {"held", *held}}
                 : json{{"op", "heartbeat"}, {"error", held.error().message}});
    }
  });
  std::this_thread::sleep_for(hold);
  {
    const std::lock_guard lock(mutex);
    stop = true;
  }
  wake.notify_one();
  beat.join();
}

int claim(pt::PgClusterStore& store, const Options& options)
{
  const auto& args = options.args;
  if (args.size() != 5) {
    usage("claim TASK SLOT HOST LEASE_SECONDS");
  }
  const auto key = key_at(args);
  const pt::ClaimHolder holder{args[3], boot_id(), static_cast<int>(::getpid()),
                               "probe-" + std::to_string(::getpid())};
  wait_at_barrier(options);
  const auto started = std::chrono::steady_clock::now();
  const auto outcome = store.claim(key, holder, seconds(args[4]));
  const auto took = std::chrono::steady_clock::now() - started;
  if (!outcome) {
    return error("claim", outcome.error());
  }
  auto line = outcome_json(*outcome);
  line["op"] = "claim";
  line["pid"] = ::getpid();
  line["us"] = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  print(line);
  const auto* claimed = std::get_if<pt::Claimed>(&*outcome);
  if (claimed == nullptr || (!options.hold && !options.finish)) {
    return 0;
  }
  hold_claim(store, key, claimed->attempt, seconds(args[4]), options);
  if (options.finish) {
    const auto counted = store.finish(key, claimed->attempt, *options.finish);
    if (!counted) {
      return error("finish", counted.error());
    }
    print({{"op", "finish"}, {"counted", *counted}});
  } else if (auto released = store.release(key); !released) {
    return error("release", released.error());
  }
  return 0;
}

int run(pt::PgClusterStore& store, const Options& options)
{
  const auto& args = options.args;
  const auto& op = args[0];
  if (op == "open") {
    print({{"op", "open"},
           {"schema_version", pt::cluster_schema_version()},
           {"clock_skew_us", store.clock_skew().count()}});
    return 0;
  }
  if (op == "claim") {
    return claim(store, options);
  }
  if (op == "heartbeat" && args.size() == 5) {
    const auto held = store.heartbeat(key_at(args), std::stoi(args[3]), seconds(args[4]));
    if (!held) {
      return error(op, held.error());
    }
    print({{"op", op}, {"held", *held}});
    return 0;
  }
  if (op == "finish" && args.size() == 5) {
    const auto counted = store.finish(key_at(args), std::stoi(args[3]), args[4]);
    if (!counted) {
      return error(op, counted.error());
    }
    print({{"op", op}, {"counted", *counted}});
    return 0;
  }
  if (op == "prune" && args.size() == 3) {
    const auto pruned = store.prune(seconds(args[1]), std::stoi(args[2]));
    if (!pruned) {
      return error(op, pruned.error());
    }
    print({{"op", op}, {"pruned", *pruned}});
    return 0;
  }
  if (op == "status") {
    const auto tasks = store.status();
    if (!tasks) {
      return error(op, tasks.error());
    }
    for (const auto& task : *tasks) {
      json line{{"op", op}, {"task", task.task}, {"last_done", nullptr}, {"running", nullptr}};
      if (task.last_done) {
        line["last_done"] = {{"slot", task.last_done->slot},
                             {"host", task.last_done->host},
                             {"result", task.last_done->result},
                             {"finished_at", task.last_done->finished_at}};
      }
      if (task.running) {
        line["running"] = {{"slot", task.running->slot},
                           {"holder", holder_json(task.running->holder)},
                           {"attempt", task.running->attempt},
                           {"lease_until", task.running->lease_until}};
      }
      print(line);
    }
    return 0;
  }
  usage("unknown operation or wrong arguments: " + op);
}

} // namespace

int main(int argc, char** argv)
{
  if (argc == 2 && std::string_view(argv[1]) == "done-mark-sql") {
    std::cout << pt::cluster_done_mark_sql() << "\n";
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "init-sql") {
    std::cout << pt::cluster_init_sql();
    return 0;
  }
  const auto options = parse(argc, argv);
  if (options.args.empty()) {
    usage("give an operation");
  }
  const pt::FileSecretSource secrets("");
  auto store = pt::PgClusterStore::open(options.database, secrets, options.timeout);
  if (!store) {
    return error("open", store.error());
  }
  return run(**store, options);
}
