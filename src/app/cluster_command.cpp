// SPDX-License-Identifier: MIT
#include "app/cluster_command.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "postgres/cluster_schema.hpp"
#include "postgres/cluster_store.hpp"
#include "util/diagnostic.hpp"

namespace pt {

namespace {

// How long one round trip to the cluster database may take: a renewal must
// fit well inside lease/3, and the connect_timeout of the database bounds it.
Duration operation_timeout(const ClusterSettings& cluster, const Database& database)
{
  const Duration quarter = std::max<Duration>(cluster.lease / 4, std::chrono::seconds(1));
  return std::min(database.connect_timeout, quarter);
}

const Database& cluster_database(const Config& config)
{
  const Database* database = find_database(config, config.cluster->database);
  if (database == nullptr) { // the parser checked it
    throw Fatal(k_exit_config, fmt::format("[cluster] names database \"{}\", which is not defined",
                                           config.cluster->database));
  }
  return *database;
}

ClusterResult<std::unique_ptr<PgClusterStore>>
open_store(const Config& config, const SecretSource& secrets, bool idle_timeout)
{
  const Database& database = cluster_database(config);
  return PgClusterStore::open(database, secrets, operation_timeout(*config.cluster, database),
                              idle_timeout ? config.cluster->lease : Duration{});
}

} // namespace

std::unique_ptr<ClusterClaims> cluster_claims_for(const Config& config,
                                                  const std::vector<const Task*>& tasks,
                                                  const SecretSource& secrets)
{
  if (!config.cluster || std::none_of(tasks.begin(), tasks.end(), [](const Task* task) {
        return task->exclusive == Exclusive::cluster;
      })) {
    return nullptr;
  }
  // The server ends a session idle for a lease (idle_session_timeout): a
  // partitioned holder's locks then free themselves when its lease ends.
  ClusterStoreOpener open = [&config, &secrets]() -> ClusterResult<std::unique_ptr<ClusterStore>> {
    auto store = open_store(config, secrets, true);
    if (!store) {
      return tl::unexpected(store.error());
    }
    return std::unique_ptr<ClusterStore>(std::move(*store));
  };
  return std::make_unique<ClusterClaims>(*config.cluster, std::move(open), this_host());
}

std::optional<ClusterResult<std::vector<TaskClusterStatus>>>
read_cluster_status(const Config& config, const SecretSource& secrets)
{
  if (!config.cluster) {
    return std::nullopt;
  }
  auto store = open_store(config, secrets, false);
  if (!store) {
    return ClusterResult<std::vector<TaskClusterStatus>>(tl::unexpected(store.error()));
  }
  return (*store)->status();
}

std::string cluster_init_script()
{
  return cluster_init_sql();
}

std::string cluster_init(const Config& config, const SecretSource& secrets)
{
  if (!config.cluster) {
    throw Fatal(k_exit_config,
                fmt::format("{}: the config has no [cluster], so there is no cluster database to "
                            "initialize; hint: add [cluster] with database = \"...\", or print "
                            "the SQL with: periodic_tasks cluster init --print",
                            config.sources.front()));
  }
  auto store = open_store(config, secrets, false);
  if (!store) {
    const ClusterError& error = store.error();
    throw Fatal(error.kind == ClusterErrorKind::unreachable ? k_exit_unavailable
                                                            : k_exit_no_permission,
                fmt::format("cluster init: {}", error.message));
  }
  return fmt::format("the cluster schema {} in database \"{}\" is at version {}\n",
                     k_cluster_schema, config.cluster->database, cluster_schema_version());
}

} // namespace pt
