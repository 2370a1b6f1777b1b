// SPDX-License-Identifier: MIT
// The real SqlExecutor: libpq, one connection per database per run, deadlines
// and stop requests enforced on both ends of the wire.
#pragma once

#include <memory>
#include <vector>

#include "config/config.hpp"
#include "postgres/secrets.hpp"
#include "postgres/sql.hpp"
#include "process/signals.hpp"

namespace pt {

class PgExecutor final : public SqlExecutor
{
public:
  // Connects to `databases` (by name) when a request first needs one, with
  // passwords from `secrets`. `stop` cancels a running request; `stop_fd`
  // wakes the wait for the server (-1: none). `secrets` and `stop` must
  // outlive the executor.
  PgExecutor(std::vector<Database> databases, const SecretSource& secrets, const StopSource& stop,
             int stop_fd);
  // Closes every connection (the server rolls back nothing: no transaction is open).
  ~PgExecutor() override;
  PgExecutor(const PgExecutor&) = delete;
  PgExecutor& operator=(const PgExecutor&) = delete;

  SqlResult run(const SqlRequest& request) override;

private:
  class Session; // one database and its connection, defined next to libpq

  std::vector<std::unique_ptr<Session>> m_sessions; // one per database, in config order
  const SecretSource& m_secrets;
  const StopSource& m_stop;
  int m_stop_fd;
};

} // namespace pt
