// SPDX-License-Identifier: MIT
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include "run/slot_state.hpp"
#include "schedule/timestamp.hpp"
#include "test_support.hpp"

using namespace pt;
using pt::test::TempDir;

namespace {

SlotState state(const char* done_through)
{
  return {"*-*-* 07:00:00 UTC", parse_utc_timestamp(done_through).value()};
}

std::string read(const std::filesystem::path& path)
{
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

TEST_CASE("parse_utc_timestamp: what format_utc_timestamp writes, and nothing else")
{
  CHECK(format_utc_timestamp(parse_utc_timestamp("2026-12-07T07:00:00Z").value()) ==
        "2026-12-07T07:00:00Z");
  CHECK(format_utc_timestamp(parse_utc_timestamp("2024-02-29T23:59:59.000001Z").value()) ==
        "2024-02-29T23:59:59.000001Z");
  for (const char* bad : {"", "2026-12-07 07:00:00Z", "2026-12-07T07:00:00", "2026-02-30T07:00:00Z",
                          "2026-12-07T24:00:00Z", "2026-12-07T07:00:00.5Z", "+026-12-07T07:00:00Z",
                          "2026-12-07T07:00:00+01:00"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_utc_timestamp(bad));
  }
}

TEST_CASE("parse_slot_state: reads what format_slot_state writes; corrupt text says where")
{
  const SlotState s = state("2026-12-07T07:00:00Z");
  CHECK(format_slot_state(s) ==
        "# periodic_tasks: the slots of this task done so far (run --scheduled)\n"
        "schedule=*-*-* 07:00:00 UTC\n"
        "done_through=2026-12-07T07:00:00Z\n");
  CHECK(parse_slot_state(format_slot_state(s)).value() == s);
  CHECK(parse_slot_state("schedule=x\ndone_through=yesterday\n").error() ==
        "line 2: not a time like 2026-12-07T07:00:00Z");
  CHECK(parse_slot_state("schedule=x\n").error() == "no \"done_through=\" line");
  CHECK(parse_slot_state("").error() == "no \"schedule=\" line");
  CHECK(parse_slot_state("schedule=x\nlast=1\n").error() ==
        "line 2: expected \"schedule=\" or \"done_through=\"");
}

TEST_CASE("default_slot_directory: the first $STATE_DIRECTORY, else /var/lib/periodic-tasks")
{
  CHECK(default_slot_directory(nullptr) == "/var/lib/periodic-tasks/slots");
  CHECK(default_slot_directory("") == "/var/lib/periodic-tasks/slots");
  CHECK(default_slot_directory("/var/lib/a:/var/lib/b") == "/var/lib/a/slots");
}

TEST_CASE("FileSlotStore: no directory or no file is no state; save then load round-trips")
{
  const TempDir dir("slots");
  FileSlotStore store(dir.path() / "slots");
  CHECK(store.load("backup").value() == std::nullopt);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "slots")); // a load creates nothing
  REQUIRE(store.save("backup", state("2026-12-07T07:00:00Z")));
  CHECK(store.load("backup").value() == state("2026-12-07T07:00:00Z"));
  REQUIRE(store.save("backup", state("2026-12-08T07:00:00Z")));
  CHECK(FileSlotStore(dir.path() / "slots").load("backup").value() ==
        state("2026-12-08T07:00:00Z"));
  CHECK(store.load("other").value() == std::nullopt);
  // Only the file itself is left: no temp file.
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "slots")) {
    names.push_back(entry.path().filename().string());
  }
  CHECK(names == std::vector<std::string>{"backup"});
}

TEST_CASE("FileSlotStore: a corrupt file is an error naming it and the fix")
{
  const TempDir dir("slots");
  const auto file = dir.write("slots/backup", "schedule=x\ndone_through=soon\n");
  FileSlotStore store(dir.path() / "slots");
  CHECK(store.load("backup").error() ==
        "slot file " + file.string() +
            " is corrupt: line 2: not a time like 2026-12-07T07:00:00Z; fix with: rm " +
            file.string() +
            " (the task's next run then counts as its first: it runs a slot only if one is due "
            "now)");
}

TEST_CASE("FileSlotStore: refuses links, other kinds of file and an open directory")
{
  const TempDir dir("slots");
  const auto slots = dir.path() / "slots";
  dir.make_dirs(slots);
  const auto target = dir.write("elsewhere", format_slot_state(state("2026-12-07T07:00:00Z")));
  FileSlotStore store(slots);
  SUBCASE("a symbolic link")
  {
    std::filesystem::create_symlink(target, slots / "backup");
    CHECK(store.load("backup").error().starts_with("refusing slot file " +
                                                   (slots / "backup").string() +
                                                   ": it is a symbolic link; fix with: rm "));
  }
  SUBCASE("a hard link")
  {
    std::filesystem::create_hard_link(target, slots / "backup");
    CHECK(store.load("backup").error().starts_with(
        "refusing slot file " + (slots / "backup").string() +
        ": it has 2 hard links, so it is another file's name too; fix with: rm "));
  }
  SUBCASE("a directory")
  {
    std::filesystem::create_directory(slots / "backup");
    CHECK(store.load("backup").error().starts_with(
        "refusing slot file " + (slots / "backup").string() + ": it is not a regular file"));
  }
  SUBCASE("a directory group or others can write")
  {
    std::filesystem::permissions(slots, static_cast<std::filesystem::perms>(0777));
    CHECK(store.load("backup").error() ==
          "refusing slot directory " + slots.string() +
              ": mode 0777 is writable by group/others, who could make tasks skip or repeat "
              "slots; fix with: chmod go-w " +
              slots.string());
    CHECK_FALSE(store.save("backup", state("2026-12-07T07:00:00Z")));
  }
  SUBCASE("a symbolic link for the directory")
  {
    std::filesystem::create_directory_symlink(slots, dir.path() / "link");
    FileSlotStore linked(dir.path() / "link");
    CHECK(linked.load("backup").error() ==
          "refusing slot directory " + (dir.path() / "link").string() +
              ": it is a symbolic link; fix with: rm " + (dir.path() / "link").string());
  }
}

TEST_CASE("FileSlotStore: a save into an unwritable directory says why")
{
  if (::geteuid() == 0) {
    return; // root writes anyway
  }
  const TempDir dir("slots");
  const auto slots = dir.path() / "slots";
  dir.make_dirs(slots);
  std::filesystem::permissions(slots, static_cast<std::filesystem::perms>(0555));
  FileSlotStore store(slots);
  const auto saved = store.save("backup", state("2026-12-07T07:00:00Z"));
  REQUIRE_FALSE(saved);
  CHECK(saved.error() == "cannot create slot file " + (slots / ".backup.").string() +
                             std::to_string(::getpid()) + ".tmp: Permission denied");
  std::filesystem::permissions(slots, static_cast<std::filesystem::perms>(0755));
  CHECK(read(slots / "backup").empty());
}
