// SPDX-License-Identifier: MIT
#include <cstdlib>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "config/loader.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using pt::LoadOptions;
using pt::test::TempDir;

namespace {

std::string task(std::string_view name)
{
  return "[[task]]\nname = \"" + std::string(name) + "\"\ncommand = [\"/bin/true\"]\n";
}

// Main file at DIR/etc/config.toml; drop-ins in DIR/etc/tasks.d, then DIR/vendor.
struct Layout
{
  TempDir dir{"config"};
  fs::path main = dir.write("etc/config.toml", task("main"));
  fs::path etc_dropins = dir.path() / "etc/tasks.d";
  fs::path vendor_dropins = dir.path() / "vendor";

  LoadOptions options() const { return {main, {etc_dropins, vendor_dropins}, std::nullopt}; }
};

pt::Config loaded(const LoadOptions& options)
{
  auto config = pt::load_config(options);
  if (!config) {
    FAIL(format_config_error(config.error()));
  }
  return *config;
}

std::string error_of(const LoadOptions& options)
{
  const auto config = pt::load_config(options);
  REQUIRE_FALSE(config.has_value());
  return format_config_error(config.error());
}

std::vector<std::string> task_names(const pt::Config& config)
{
  std::vector<std::string> names;
  for (const auto& t : config.tasks) {
    names.push_back(t.name);
  }
  return names;
}

using Names = std::vector<std::string>;

std::string user_or_uid(uid_t uid)
{
  const passwd* entry = ::getpwuid(uid);
  return entry != nullptr ? entry->pw_name : "uid " + std::to_string(uid);
}

} // namespace

TEST_CASE("load_config: reads the main file and records it in sources")
{
  Layout layout;
  const auto config = loaded(layout.options());
  CHECK(task_names(config) == Names{"main"});
  CHECK(config.sources == Names{layout.main.string()});
  CHECK(pt::format_location(config.tasks[0].origin) == layout.main.string() + ":1:1");
}

TEST_CASE("load_config: a main file that cannot be read")
{
  TempDir dir{"config"};
  const auto missing = dir.path() / "config.toml";
  CHECK(error_of({missing, {}, std::nullopt}) ==
        missing.string() +
            ": cannot read config file: No such file or directory; create it, or pass --config "
            "PATH / set PERIODIC_TASKS_CONFIG");
  CHECK(error_of({dir.path(), {}, std::nullopt}) ==
        dir.path().string() +
            ": cannot read config file: it is a directory, not a regular file; point --config "
            "or PERIODIC_TASKS_CONFIG at a regular file");
  const auto fifo = dir.path() / "fifo.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0); // read, it would wait for a writer
  CHECK(error_of({fifo, {}, std::nullopt}) ==
        fifo.string() + ": cannot read config file: it is a FIFO, not a regular file; point "
                        "--config or PERIODIC_TASKS_CONFIG at a regular file");
}

TEST_CASE("load_config: settings.timezone must name a TZif file under /usr/share/zoneinfo")
{
  TempDir dir{"config"};
  const auto with_zone = [&](std::string_view zone) {
    return LoadOptions{dir.write("config.toml", fmt::format("[settings]\ntimezone = \"{}\"\n{}",
                                                            zone, task("main"))),
                       {},
                       std::nullopt};
  };
  const auto refused = [&](std::string_view zone, std::string_view why) {
    return (dir.path() / "config.toml").string() + ":2:12: unknown timezone \"" +
           std::string(zone) + "\" in [settings]: " + std::string(why) +
           "; use an IANA zone name such as \"UTC\" or \"Europe/Berlin\" (a file under "
           "/usr/share/zoneinfo)";
  };
  CHECK(loaded(with_zone("UTC")).settings.timezone == "UTC");
  CHECK(loaded(with_zone("Etc/UTC")).settings.timezone == "Etc/UTC");
  CHECK(error_of(with_zone("Mars/Olympus")) ==
        refused("Mars/Olympus", "no /usr/share/zoneinfo/Mars/Olympus"));
  CHECK(error_of(with_zone("EST5EDT,M3.2.0,M11.1.0")) ==
        refused("EST5EDT,M3.2.0,M11.1.0", "no /usr/share/zoneinfo/EST5EDT,M3.2.0,M11.1.0"));
  CHECK(error_of(with_zone("<+03>-3")) == refused("<+03>-3", "no /usr/share/zoneinfo/<+03>-3"));
  if (fs::is_directory("/usr/share/zoneinfo/America")) {
    CHECK(error_of(with_zone("America")) ==
          refused("America", "/usr/share/zoneinfo/America is not a zone file (TZif)"));
  }
  if (fs::is_regular_file("/usr/share/zoneinfo/zone.tab")) {
    CHECK(error_of(with_zone("zone.tab")) ==
          refused("zone.tab", "/usr/share/zoneinfo/zone.tab is not a zone file (TZif)"));
  }
  if (fs::exists("/usr/share/zoneinfo/Europe/Berlin")) {
    CHECK(loaded(with_zone("Europe/Berlin")).settings.timezone == "Europe/Berlin");
  }
}

TEST_CASE("load_config: drop-ins run after the main file, by file name across directories")
{
  Layout layout;
  const auto b = layout.dir.write("etc/tasks.d/20-b.toml", task("b"));
  const auto a = layout.dir.write("vendor/10-a.toml", task("a"));
  const auto c = layout.dir.write("vendor/30-c.toml", task("c") + task("c2"));
  const auto config = loaded(layout.options());
  CHECK(task_names(config) == Names{"main", "a", "b", "c", "c2"});
  CHECK(config.sources == Names{layout.main.string(), a.string(), b.string(), c.string()});
  CHECK(pt::format_location(config.tasks[4].origin) == c.string() + ":4:1");
}

TEST_CASE("load_config: names sort bytewise")
{
  Layout layout;
  layout.dir.write("etc/tasks.d/b.toml", task("lower"));
  layout.dir.write("etc/tasks.d/B.toml", task("upper"));
  layout.dir.write("etc/tasks.d/10.toml", task("digit"));
  CHECK(task_names(loaded(layout.options())) == Names{"main", "digit", "upper", "lower"});
}

TEST_CASE("load_config: a drop-in in a higher-priority directory hides the same name")
{
  Layout layout;
  layout.dir.write("etc/tasks.d/10-x.toml", task("local"));
  layout.dir.write("vendor/10-x.toml", task("vendor"));
  const auto config = loaded(layout.options());
  CHECK(task_names(config) == Names{"main", "local"});
  CHECK(config.sources.size() == 2);
}

TEST_CASE("load_config: a symlink to /dev/null masks a drop-in name")
{
  Layout layout;
  layout.dir.write("vendor/10-x.toml", task("vendor-x"));
  layout.dir.write("vendor/20-y.toml", task("vendor-y"));
  layout.dir.write("vendor/30-z.toml", task("vendor-z"));
  layout.dir.make_dirs(layout.etc_dropins);
  fs::create_symlink("/dev/null", layout.etc_dropins / "10-x.toml");
  fs::create_symlink("/dev/null", layout.dir.path() / "null-link");
  fs::create_symlink(layout.dir.path() / "null-link", layout.etc_dropins / "20-y.toml");

  SUBCASE("directly or through a chain of links")
  {
    CHECK(task_names(loaded(layout.options())) == Names{"main", "vendor-z"});
  }
  SUBCASE("a mask is not refused as untrusted although /dev/null is writable by all")
  {
    auto options = layout.options();
    options.required_owner = ::getuid();
    CHECK(task_names(loaded(options)) == Names{"main", "vendor-z"});
  }
}

TEST_CASE("load_config: symlinked drop-ins are read from their target")
{
  Layout layout;
  const auto target = layout.dir.write("elsewhere/real.toml", task("linked"));
  layout.dir.make_dirs(layout.etc_dropins);
  fs::create_symlink(target, layout.etc_dropins / "10-linked.toml");
  CHECK(task_names(loaded(layout.options())) == Names{"main", "linked"});
}

TEST_CASE("load_config: only *.toml names are drop-ins, hidden ones not")
{
  Layout layout;
  layout.dir.write("etc/tasks.d/README", "not toml");
  layout.dir.write("etc/tasks.d/10-x.toml.bak", "not toml");
  layout.dir.write("etc/tasks.d/.10-x.toml", "not toml");
  layout.dir.write("etc/tasks.d/.hidden.toml/inner.toml", "not toml");
  layout.dir.write("etc/tasks.d/20-y.toml", task("y"));
  CHECK(task_names(loaded(layout.options())) == Names{"main", "y"});
}

TEST_CASE("load_config: a *.toml drop-in that is not a regular file is refused, not skipped")
{
  // Skipped, the tasks someone meant to put there would silently not run.
  Layout layout;
  layout.dir.make_dirs(layout.etc_dropins);
  const auto refused = [&](const fs::path& path, std::string_view type) {
    return path.string() + ": cannot read config file: it is " + std::string(type) +
           ", not a regular file; a drop-in is a regular file, or a symlink to one (or to "
           "/dev/null, to mask the name): move it out of the directory, or rename it without "
           ".toml";
  };
  SUBCASE("a directory")
  {
    layout.dir.write("etc/tasks.d/10-x.toml/inner.toml", task("inner"));
    CHECK(error_of(layout.options()) == refused(layout.etc_dropins / "10-x.toml", "a directory"));
  }
  SUBCASE("a FIFO: refused at once, not waited on")
  {
    const auto fifo = layout.etc_dropins / "10-x.toml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(error_of(layout.options()) == refused(fifo, "a FIFO"));
  }
  SUBCASE("a symlink to a character device other than /dev/null")
  {
    fs::create_symlink("/dev/zero", layout.etc_dropins / "10-x.toml");
    CHECK(error_of(layout.options()) ==
          refused(layout.etc_dropins / "10-x.toml", "a character device"));
  }
  SUBCASE("a socket")
  {
    const auto path = layout.etc_dropins / "10-x.toml";
    const pt::test::BoundSocket socket(path);
    CHECK(error_of(layout.options()) == refused(path, "a socket"));
  }
  SUBCASE("a masked name hides a directory of that name in a later directory")
  {
    fs::create_symlink("/dev/null", layout.etc_dropins / "10-x.toml");
    layout.dir.write("vendor/10-x.toml/inner.toml", task("inner"));
    CHECK(task_names(loaded(layout.options())) == Names{"main"});
  }
}

TEST_CASE("load_config: missing drop-in directories are fine")
{
  Layout layout;
  auto options = layout.options();
  options.dropin_dirs.push_back(layout.dir.path() / "no/such/dir");
  CHECK(task_names(loaded(options)) == Names{"main"});
}

TEST_CASE("load_config: errors in drop-ins")
{
  Layout layout;
  SUBCASE("a duplicate task name across files")
  {
    const auto second = layout.dir.write("vendor/10-x.toml", task("other") + task("main"));
    CHECK(error_of(layout.options()) ==
          second.string() + ":4:1: duplicate task name \"main\"; first defined at " +
              layout.main.string() + ":1:1");
  }
  SUBCASE("errors name the drop-in file")
  {
    const auto bad = layout.dir.write("etc/tasks.d/10-x.toml", task("x") + "timout = \"1s\"\n");
    CHECK(error_of(layout.options()) ==
          bad.string() + ":4:1: unknown key \"timout\" in task \"x\"; did you mean \"timeout\"?");
  }
  SUBCASE("a dangling symlink")
  {
    layout.dir.make_dirs(layout.etc_dropins);
    fs::create_symlink(layout.dir.path() / "gone.toml", layout.etc_dropins / "10-x.toml");
    CHECK(error_of(layout.options()) ==
          (layout.etc_dropins / "10-x.toml").string() +
              ": cannot read config file: No such file or directory; remove the dangling "
              "symlink, or point it at /dev/null to mask the name");
  }
  SUBCASE("a drop-in directory that is a file")
  {
    layout.dir.write("vendor", "");
    CHECK(error_of(layout.options()) ==
          layout.vendor_dropins.string() + ": cannot read config directory: Not a directory");
  }
}

TEST_CASE("load_config: drop-in tasks take defaults from the main config's [settings]")
{
  Layout layout;
  layout.dir.write("etc/config.toml", "[settings]\ntimeout = \"2h\"\n");
  layout.dir.write("etc/tasks.d/10-x.toml", task("x"));
  CHECK(loaded(layout.options()).tasks.at(0).timeout == 2h);
}

TEST_CASE("load_config: refuses config files that others can write")
{
  Layout layout;
  auto options = layout.options();
  options.required_owner = ::getuid();

  SUBCASE("the main file")
  {
    fs::permissions(layout.main, static_cast<fs::perms>(0666));
    CHECK(error_of(options) == layout.main.string() +
                                   ": refusing untrusted config file: mode 0666 is writable by "
                                   "group/others; fix with: chmod go-w " +
                                   layout.main.string());
  }
  SUBCASE("a drop-in")
  {
    const auto dropin =
        layout.dir.write("etc/tasks.d/10-x.toml", task("x"), static_cast<fs::perms>(0664));
    CHECK(error_of(options) == dropin.string() +
                                   ": refusing untrusted config file: mode 0664 is writable by "
                                   "group/others; fix with: chmod go-w " +
                                   dropin.string());
  }
  SUBCASE("a drop-in directory")
  {
    layout.dir.make_dirs(layout.vendor_dropins);
    fs::permissions(layout.vendor_dropins, static_cast<fs::perms>(0777));
    CHECK(error_of(options) == layout.vendor_dropins.string() +
                                   ": refusing untrusted config directory: mode 0777 is writable "
                                   "by group/others; fix with: chmod go-w " +
                                   layout.vendor_dropins.string());
  }
  SUBCASE("the target of a symlinked drop-in, not the link")
  {
    const auto target =
        layout.dir.write("elsewhere/real.toml", task("linked"), static_cast<fs::perms>(0646));
    layout.dir.make_dirs(layout.etc_dropins);
    const auto link = layout.etc_dropins / "10-linked.toml";
    fs::create_symlink(target, link);
    CHECK(error_of(options) == link.string() +
                                   ": refusing untrusted config file: mode 0646 is writable by "
                                   "group/others; fix with: chmod go-w " +
                                   link.string());
    fs::permissions(target, static_cast<fs::perms>(0644));
    CHECK(task_names(loaded(options)) == Names{"main", "linked"});
  }
  SUBCASE("nothing is checked without a required owner")
  {
    fs::permissions(layout.main, static_cast<fs::perms>(0666));
    CHECK(task_names(loaded(layout.options())) == Names{"main"});
  }
}

TEST_CASE("load_config: refuses config files owned by another user")
{
  Layout layout;
  auto options = layout.options();
  const uid_t other = ::getuid() == 0 ? 65534 : 0;
  options.required_owner = other;
  const auto wanted = user_or_uid(other);
  const std::string chown_to = ::getpwuid(other) != nullptr ? wanted : std::to_string(other);
  const auto me = ::getpwuid(::getuid());
  const std::string mine = me != nullptr ? fmt::format(" ({})", me->pw_name) : "";
  CHECK(error_of(options) == fmt::format("{}: refusing untrusted config file: owned by uid "
                                         "{}{}, not {}; fix with: chown {}: {}",
                                         layout.main.string(), ::getuid(), mine, wanted, chown_to,
                                         layout.main.string()));
}

TEST_CASE("load_config: names an owner without a passwd entry by uid")
{
  Layout layout;
  auto options = layout.options();
  options.required_owner = 4'000'000'000U; // far above any allocated uid
  const auto me = ::getpwuid(::getuid());
  const std::string mine = me != nullptr ? fmt::format(" ({})", me->pw_name) : "";
  CHECK(error_of(options) == fmt::format("{}: refusing untrusted config file: owned by uid "
                                         "{}{}, not uid 4000000000; fix with: chown 4000000000: {}",
                                         layout.main.string(), ::getuid(), mine,
                                         layout.main.string()));
}

TEST_CASE("default_dropin_dirs: tasks.d beside the config, plus the vendor dir for the system one")
{
  using Paths = std::vector<fs::path>;
  CHECK(pt::default_dropin_dirs("/home/alice/pt/config.toml") == Paths{"/home/alice/pt/tasks.d"});
  // The system config is SYSCONFDIR's: /etc/periodic-tasks/config.toml for a /usr install.
  const fs::path system_config(pt::k_default_config);
  CHECK(system_config.filename() == "config.toml");
  CHECK(system_config.parent_path().filename() == "periodic-tasks");
  CHECK(pt::default_dropin_dirs(system_config) ==
        Paths{system_config.parent_path() / "tasks.d", "/usr/lib/periodic-tasks/tasks.d"});
}
