// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "config_text.hpp"

using namespace pt;
using namespace pt::test;
using namespace std::chrono_literals;

TEST_CASE("[cluster]: absent, single-host mode; present, defaults and exclusive = cluster")
{
  const Config single = parsed(R"(
[[task]]
name = "a"
command = ["/bin/true"]
)");
  CHECK_FALSE(single.cluster);
  CHECK(single.tasks[0].exclusive == Exclusive::host);

  const Config config = parsed(R"(
[databases.main]
conninfo = "dbname=app"

[cluster]
database = "main"

[[task]]
name = "a"
command = ["/bin/true"]

[[task]]
name = "b"
exclusive = "none"
command = ["/bin/true"]
)");
  REQUIRE(config.cluster);
  CHECK(config.cluster->database == "main");
  CHECK(config.cluster->lease == 2min);
  CHECK(config.cluster->retention == 24h * 35);
  CHECK(config.cluster->max_clock_skew == 30s);
  CHECK(config.tasks[0].exclusive == Exclusive::cluster);
  CHECK(config.tasks[1].exclusive == Exclusive::none);
}

TEST_CASE("[cluster]: its keys")
{
  const Config config = parsed(R"(
[databases.main]
conninfo = "dbname=app"

[cluster]
database = "main"
lease = "30s"
retention = "60d"
max_clock_skew = "5s"
)");
  CHECK(config.cluster->lease == 30s);
  CHECK(config.cluster->retention == 24h * 60);
  CHECK(config.cluster->max_clock_skew == 5s);
}

TEST_CASE("[cluster]: errors name the place and the fix")
{
  CHECK(error_of(R"(
[cluster]
lease = "1min"
)") == "cfg.toml:1:1: [cluster] has no \"database\"; add a [databases.main] table with "
       "conninfo = \"...\" and database = \"main\" in [cluster]");
  CHECK(error_of(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "mian"
)") == "cfg.toml:4:12: [cluster] names database \"mian\", which is not defined; "
       "defined: main");
  CHECK(error_of(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
lease = "1s"
)")
            .starts_with("cfg.toml:5:9: \"lease\" in [cluster] must be at least 3s, not 1s"));
  CHECK(error_of(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
lease = "infinity"
)")
            .starts_with("cfg.toml:5:9: "));
  CHECK(error_of(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
leese = "1min"
)")
            .find("unknown key \"leese\" in [cluster]") != std::string::npos);
}

TEST_CASE("exclusive: its words, and cluster only with a [cluster]")
{
  CHECK(error_of(R"(
[[task]]
name = "a"
exclusive = "cluster"
command = ["/bin/true"]
)") == "cfg.toml:3:13: task \"a\" is exclusive = \"cluster\", and the config has no [cluster]; "
       "add [cluster] with database = \"...\" to the main config file, or write "
       "exclusive = \"host\"");
  CHECK(error_of(R"(
[[task]]
name = "a"
exclusive = "global"
command = ["/bin/true"]
)")
            .starts_with("cfg.toml:3:13: \"exclusive\" in task \"a\" must be \"cluster\", "
                         "\"host\" or \"none\", not \"global\""));
}

TEST_CASE("cluster mode: a task that could outlive its claim, or catch up past the retention")
{
  CHECK(error_of(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
lease = "10s"
[[task]]
name = "a"
kill_timeout = "5s"
command = ["/bin/true"]
)")
            .starts_with("cfg.toml:8:16: task \"a\" could outlive its claim: kill_timeout (5s) "
                         "must be below half the cluster lease (10s)"));
  // The settings' default kill_timeout counts too, reported at the task.
  CHECK(error_of(R"(
[settings]
kill_timeout = "1min"
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
[[task]]
name = "a"
command = ["/bin/true"]
)")
            .starts_with("cfg.toml:7:1: task \"a\" could outlive its claim"));
  CHECK(error_of(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
retention = "7d"
[[task]]
name = "a"
schedule = "daily"
command = ["/bin/true"]
)") == "cfg.toml:6:1: task \"a\" catches up on 1w of slots, and [cluster] keeps finished "
       "claims for 1w only; retention (at cfg.toml:5:13) must exceed every "
       "catch_up_window, or a host back from an outage could not tell a pruned slot from a "
       "missed one");
  // exclusive = "host" opts a task out of the cluster's rules.
  const Config config = parsed(R"(
[databases.main]
conninfo = "dbname=app"
[cluster]
database = "main"
retention = "7d"
[[task]]
name = "a"
exclusive = "host"
schedule = "daily"
kill_timeout = "5min"
command = ["/bin/true"]
)");
  CHECK(config.tasks[0].exclusive == Exclusive::host);
}
