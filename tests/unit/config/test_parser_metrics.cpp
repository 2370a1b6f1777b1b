// SPDX-License-Identifier: MIT
// The [metrics] table of the main config file.
#include <doctest/doctest.h>

#include "config/parser.hpp"
#include "config_text.hpp"

using pt::parse_dropin;
using pt::test::error_of;
using pt::test::parsed;

TEST_CASE("parse_config: [metrics] is optional and off by default")
{
  CHECK_FALSE(parsed("").metrics.textfile.has_value());
  CHECK_FALSE(parsed("[metrics]\n").metrics.textfile.has_value());
}

TEST_CASE("parse_config: [metrics] textfile")
{
  const auto config = parsed(R"(
[metrics]
textfile = "/var/lib/prometheus/node-exporter/periodic_tasks.prom"
)");
  REQUIRE(config.metrics.textfile.has_value());
  CHECK(*config.metrics.textfile == "/var/lib/prometheus/node-exporter/periodic_tasks.prom");
}

TEST_CASE("parse_config: [metrics] may stand anywhere in the main file")
{
  const auto config = parsed(R"(
[[task]]
name = "x"
command = ["/bin/true"]

[metrics]
textfile = "/tmp/x.prom"
)");
  CHECK(config.tasks.size() == 1);
  CHECK(config.metrics.textfile == std::filesystem::path("/tmp/x.prom"));
}

TEST_CASE("parse_config: [metrics] errors")
{
  SUBCASE("a relative path")
  {
    CHECK(error_of("[metrics]\ntextfile = \"periodic_tasks.prom\"\n") ==
          R"(cfg.toml:2:12: "textfile" in [metrics] must be an absolute path, not )"
          R"("periodic_tasks.prom"; write the full path, e.g. )"
          R"("/var/lib/prometheus/node-exporter/periodic_tasks.prom")");
  }
  SUBCASE("not a .prom file")
  {
    const std::string hint =
        R"(; node_exporter's textfile collector reads only *.prom files; e.g. )"
        R"("/var/lib/prometheus/node-exporter/periodic_tasks.prom")";
    CHECK(error_of("[metrics]\ntextfile = \"/var/lib/node-exporter/pt.txt\"\n") ==
          R"(cfg.toml:2:12: "textfile" in [metrics] must name a file ending in ".prom", not )"
          R"("/var/lib/node-exporter/pt.txt")" +
              hint);
    CHECK(error_of("[metrics]\ntextfile = \"/var/lib/node-exporter/\"\n") ==
          R"(cfg.toml:2:12: "textfile" in [metrics] must name a file ending in ".prom", not )"
          R"("/var/lib/node-exporter/")" +
              hint);
    CHECK(error_of("[metrics]\ntextfile = \"/var/lib/node-exporter/.prom\"\n") ==
          R"(cfg.toml:2:12: "textfile" in [metrics] must name a file ending in ".prom", not )"
          R"("/var/lib/node-exporter/.prom")" +
              hint);
    CHECK(error_of("[metrics]\ntextfile = \"/var/lib/x.prom/pt\"\n") ==
          R"(cfg.toml:2:12: "textfile" in [metrics] must name a file ending in ".prom", not )"
          R"("/var/lib/x.prom/pt")" +
              hint);
  }
  SUBCASE("wrong types")
  {
    CHECK(error_of("[metrics]\ntextfile = true\n") ==
          R"(cfg.toml:2:12: "textfile" in [metrics] must be a string, not a boolean)");
    CHECK(error_of("metrics = \"/tmp/x.prom\"\n") ==
          R"(cfg.toml:1:11: "metrics" at top level must be a table, not a string)");
  }
  SUBCASE("unknown keys")
  {
    CHECK(error_of("[metrics]\ntext_file = \"/tmp/x.prom\"\n") ==
          R"(cfg.toml:2:1: unknown key "text_file" in [metrics]; did you mean "textfile"?)");
    CHECK(error_of("[metrics]\nport = 9100\n") ==
          R"(cfg.toml:2:1: unknown key "port" in [metrics]; valid keys: textfile)");
    CHECK(error_of("[metric]\ntextfile = \"/tmp/x.prom\"\n") ==
          R"(cfg.toml:1:2: unknown key "metric" at top level; did you mean "metrics"?)");
  }
}

TEST_CASE("parse_dropin: [metrics] belongs in the main config")
{
  const auto tasks = parse_dropin("[metrics]\ntextfile = \"/tmp/x.prom\"\n", "10-x.toml", {});
  REQUIRE_FALSE(tasks.has_value());
  CHECK(format_config_error(tasks.error()) ==
        "10-x.toml:1:2: [metrics] is not allowed in a drop-in file; metrics belong in the main "
        "config file");
}
