// SPDX-License-Identifier: MIT
// Cluster mode at the composition root: the claim store a run opens, the
// cluster's view in `status`, and `periodic_tasks cluster init [--print]`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "postgres/cluster.hpp"
#include "postgres/secrets.hpp"
#include "run/cluster_claims.hpp"

namespace pt {

// Returns the claims of a run of `tasks` (the store opened on first need with
// the password from `secrets`, which must outlive them), or null when the
// config has no [cluster] or none of `tasks` is exclusive cluster-wide.
std::unique_ptr<ClusterClaims> cluster_claims_for(const Config& config,
                                                  const std::vector<const Task*>& tasks,
                                                  const SecretSource& secrets);

// Returns the cluster's view of every task for `status`, or why it could not
// be read; nullopt without [cluster].
std::optional<ClusterResult<std::vector<TaskClusterStatus>>>
read_cluster_status(const Config& config, const SecretSource& secrets);

// `cluster init --print`: the SQL a DBA runs (no database needed).
std::string cluster_init_script();

// `cluster init`: creates or updates the schema in the cluster database;
// returns the line to print, or throws Fatal (78 without [cluster], 69 when
// the database cannot be reached or refuses).
std::string cluster_init(const Config& config, const SecretSource& secrets);

} // namespace pt
