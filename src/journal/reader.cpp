// SPDX-License-Identifier: MIT
// The read side of the journal edge. Matches select our records by
// SYSLOG_IDENTIFIER and MESSAGE_ID (and TASK, RUN_ID, _SYSTEMD_INVOCATION_ID
// when asked), so journald's field indexes do the filtering: the cost is the
// number of our records read, not the size of the journal, and other programs'
// entries (even ones with a TASK field) are never seen.
//
// Every field a client sends is its own word: any local user may send a
// datagram to /run/systemd/journal/socket with SYSLOG_IDENTIFIER=periodic_tasks,
// our MESSAGE_IDs, TASK=backup, TASK_RESULT=success and a RUN_ID copied from
// the journal, and without a further match `status` would show that forgery
// as the task's last run. Only the fields journald adds itself (names starting
// with "_") are facts about the sender, taken from the socket's credentials
// and the sender's cgroup; journald drops a client's own "_" fields. So every
// read also matches _UID: root (a manual run, or a unit without User=) or the
// service user `periodic-tasks` (the unit's User=; looked up when the journal
// is opened, root alone when there is no such user). A record of any other
// uid is not read at all, so it cannot pair with a genuine run either (same
// RUN_ID and TASK) nor count for `--invocation`. Not matched, on purpose:
// _SYSTEMD_UNIT (a manual run as root has none, and root is trusted anyway)
// and _EXE/_COMM (the path differs between an installed binary and a build,
// and a user who copies the binary still sends with their own _UID: the uid
// is the guard). What root and the service user write is trusted, which
// includes the tasks themselves: they run as the runner's user, and they are
// the administrator's code.
//
// sd-journal comes from libsystemd.so.0, loaded with dlopen() when `status`
// or `history` first opens the journal: linked, libsystemd and its chain
// (libgcrypt, liblzma, libzstd, liblz4, libcap, libgpg-error) were loaded by
// every start, each timer run included, though only these two commands read
// the journal (1.8 ms and 1.1 MiB a start, docs/performance.md). The header
// is still used, for the declarations; debian/control names libsystemd0,
// which dh_shlibdeps cannot see behind a dlopen().
#include "journal/reader.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <pwd.h>
#include <string_view>
#include <system_error>
#include <unistd.h>

#include <fmt/format.h>
#include <systemd/sd-journal.h>

#include "journal/event_log.hpp"
#include "journal/fields.hpp"
#include "util/dynamic_library.hpp"

namespace pt {

namespace {

constexpr const char* k_libsystemd_file = "libsystemd.so.0";
constexpr const char* k_service_user = "periodic-tasks"; // User= of periodic-tasks.service

// The sd-journal functions this file calls, resolved from libsystemd.so.0.
#define PT_SD_JOURNAL_FUNCTIONS(X)                                                                 \
  X(sd_journal_open)                                                                               \
  X(sd_journal_open_directory)                                                                     \
  X(sd_journal_close)                                                                              \
  X(sd_journal_get_data)                                                                           \
  X(sd_journal_get_realtime_usec)                                                                  \
  X(sd_journal_add_match)                                                                          \
  X(sd_journal_flush_matches)                                                                      \
  X(sd_journal_seek_tail)                                                                          \
  X(sd_journal_previous)

struct SdJournalApi
{
// `name` names a declaration here, where parentheses would not compile.
#define PT_SD_JOURNAL_POINTER(name)                                                                \
  decltype(&::name) name = nullptr; // NOLINT(bugprone-macro-parentheses)
  PT_SD_JOURNAL_FUNCTIONS(PT_SD_JOURNAL_POINTER)
#undef PT_SD_JOURNAL_POINTER
};

SdJournalApi g_sd;

void resolve_sd_journal(DynamicLibrary& library, SdJournalApi& table)
{
#define PT_SD_JOURNAL_RESOLVE(name) library.resolve(#name, table.name);
  PT_SD_JOURNAL_FUNCTIONS(PT_SD_JOURNAL_RESOLVE)
#undef PT_SD_JOURNAL_RESOLVE
}

// Loads libsystemd once; the error, if any, is the same every call. Never
// closed: the process keeps libsystemd until it exits.
tl::expected<void, std::string> load_libsystemd()
{
  static constexpr LibraryNeed k_libsystemd{k_libsystemd_file, "libsystemd", " to read the journal",
                                            "install the libsystemd0 package",
                                            "reinstall the libsystemd0 package"};
  return load_once(k_libsystemd, g_sd, resolve_sd_journal);
}

// The records that start and end a task run (retries and output are not runs).
constexpr std::array<std::string_view, 7> k_task_ids = {
    message_id::task_started,   message_id::task_succeeded, message_id::task_failed,
    message_id::task_timed_out, message_id::task_killed,    message_id::task_error,
    message_id::task_skipped,
};

// Returns the value of field `name` (a constant of journal/fields.hpp, so
// NUL-terminated) in the current entry, or "".
std::string field_value(sd_journal* j, std::string_view name)
{
  const void* data = nullptr;
  size_t length = 0;
  if (g_sd.sd_journal_get_data(j, name.data(), &data, &length) < 0) {
    return {};
  }
  const std::string_view text(static_cast<const char*>(data), length);
  const std::size_t prefix = name.size() + 1; // "NAME="
  return text.size() >= prefix ? std::string(text.substr(prefix)) : std::string();
}

template <typename Int>
Int number(const std::string& text)
{
  Int value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

int add_match(sd_journal* j, std::string_view name, std::string_view value)
{
  const std::string match = fmt::format("{}={}", name, value);
  return g_sd.sd_journal_add_match(j, match.data(), match.size());
}

TaskRecord read_record(sd_journal* j)
{
  TaskRecord record;
  uint64_t usec = 0;
  if (g_sd.sd_journal_get_realtime_usec(j, &usec) >= 0) {
    record.realtime_usec = static_cast<std::int64_t>(usec);
  }
  record.started = field_value(j, field::message_id) == message_id::task_started;
  record.task = field_value(j, field::task);
  record.run_id = field_value(j, field::run_id);
  record.as_of = field_value(j, field::as_of);
  record.dry_run = field_value(j, field::dry_run) == "1";
  record.trigger = field_value(j, field::trigger);
  record.kind = field_value(j, field::task_kind);
  record.position = field_value(j, field::task_position);
  record.result = parse_task_result(field_value(j, field::task_result));
  record.skip_reason = field_value(j, field::skip_reason);
  record.exit_status = field_value(j, field::exit_status);
  record.signal = field_value(j, field::signal);
  record.sqlstate = field_value(j, field::sqlstate);
  record.invocation = field_value(j, field::invocation_id);
  record.duration_usec = number<std::int64_t>(field_value(j, field::duration_usec));
  record.attempts = number<int>(field_value(j, field::attempt));
  return record;
}

bool is_system_journal(const std::filesystem::path& file)
{
  const std::string name = file.filename().string();
  return name.ends_with(".journal") && (name == "system.journal" || name.starts_with("system@"));
}

template <typename Visit>
void for_each_journal_file(Visit visit)
{
  for (const char* root : {"/run/log/journal", "/var/log/journal"}) {
    std::error_code ec;
    for (const auto& machine : std::filesystem::directory_iterator(root, ec)) {
      std::error_code inner;
      auto files = std::filesystem::directory_iterator(machine.path(), inner);
      if (inner) {
        visit(machine.path(), false); // a machine directory we may not list
        continue;
      }
      for (const auto& file : files) {
        if (file.path().extension() == ".journal") {
          visit(file.path(), true);
        }
      }
    }
  }
}

// Returns the uids whose records count: root, and the service user if it exists.
std::vector<std::string> trusted_writer_uids()
{
  std::vector<std::string> uids{"0"};
  if (const passwd* pw = ::getpwnam(k_service_user); pw != nullptr && pw->pw_uid != 0) {
    uids.push_back(std::to_string(pw->pw_uid));
  }
  return uids;
}

} // namespace

struct SdTaskJournal::Handle
{
  sd_journal* journal = nullptr;
  std::vector<std::string> trusted_uids; // _UID values of the runner's records
  ~Handle() { g_sd.sd_journal_close(journal); }
};

SdTaskJournal::SdTaskJournal(std::unique_ptr<Handle> handle) : m_handle(std::move(handle)) {}
SdTaskJournal::~SdTaskJournal() = default;

tl::expected<std::unique_ptr<SdTaskJournal>, std::string>
SdTaskJournal::open(const std::optional<std::filesystem::path>& directory)
{
  if (auto loaded = load_libsystemd(); !loaded) {
    return tl::unexpected(loaded.error());
  }
  auto handle = std::make_unique<Handle>();
  handle->trusted_uids = trusted_writer_uids();
  const int r = directory ? g_sd.sd_journal_open_directory(&handle->journal, directory->c_str(), 0)
                          : g_sd.sd_journal_open(&handle->journal, SD_JOURNAL_LOCAL_ONLY);
  if (r < 0) {
    return tl::unexpected(directory
                              ? fmt::format("cannot open the journal in {}: {}",
                                            directory->string(), std::strerror(-r))
                              : fmt::format("cannot open the journal: {}", std::strerror(-r)));
  }
  return std::unique_ptr<SdTaskJournal>(new SdTaskJournal(std::move(handle)));
}

void SdTaskJournal::newest_first(const RecordFilter& filter,
                                 const std::function<bool(const TaskRecord&)>& visit)
{
  sd_journal* j = m_handle->journal;
  g_sd.sd_journal_flush_matches(j);
  // Matches on one field are ORed, on different fields ANDed: ours, a task
  // record, and written by a trusted uid (see the essay above).
  int r = add_match(j, field::syslog_identifier, k_syslog_identifier);
  for (const auto id : k_task_ids) {
    r = r < 0 ? r : add_match(j, field::message_id, id);
  }
  for (const auto& uid : m_handle->trusted_uids) {
    r = r < 0 ? r : add_match(j, field::uid, uid);
  }
  if (!filter.task.empty()) {
    r = r < 0 ? r : add_match(j, field::task, filter.task);
  }
  if (!filter.run_id.empty()) {
    r = r < 0 ? r : add_match(j, field::run_id, filter.run_id);
  }
  if (!filter.invocation.empty()) {
    r = r < 0 ? r : add_match(j, field::invocation_id, filter.invocation);
  }
  if (r < 0 || g_sd.sd_journal_seek_tail(j) < 0) {
    return;
  }
  while (g_sd.sd_journal_previous(j) > 0) {
    TaskRecord record = read_record(j);
    if (record.realtime_usec < filter.since_usec || !visit(record)) {
      return;
    }
  }
}

JournalFiles find_journal_files()
{
  JournalFiles files;
  for_each_journal_file([&](const std::filesystem::path& path, bool is_file) {
    files.any = true;
    if (!is_file ||
        (is_system_journal(path) && ::faccessat(AT_FDCWD, path.c_str(), R_OK, AT_EACCESS) != 0)) {
      files.unreadable.push_back(path);
    }
  });
  return files;
}

} // namespace pt
