// SPDX-License-Identifier: MIT
#include "journal/progress.hpp"

#include <charconv>

#include <fmt/format.h>

#include "journal/fields.hpp"
#include "run/result.hpp"

namespace pt {

namespace {

using std::chrono::ceil;
using std::chrono::floor;
using std::chrono::seconds;

bool is_task_finished(std::string_view id)
{
  return id == message_id::task_succeeded || id == message_id::task_failed ||
         id == message_id::task_timed_out || id == message_id::task_killed ||
         id == message_id::task_error || id == message_id::task_skipped;
}

// Returns `text` as a number, or `fallback` when it is not one.
long long number_or(std::string_view text, long long fallback)
{
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : fallback;
}

// Returns how a TASK_RESULT reads in a sentence: "succeeded", "timed out"
// (a word that is not one of ours as it is).
std::string_view result_words(std::string_view word)
{
  const auto result = parse_task_result(word);
  if (!result) {
    return word;
  }
  switch (*result) {
  case TaskResult::success:
    return "succeeded";
  case TaskResult::timeout:
    return "timed out";
  case TaskResult::error:
    return "could not start";
  case TaskResult::failed:
  case TaskResult::killed:
  case TaskResult::skipped:
    return to_string(*result);
  }
  return word;
}

} // namespace

std::string format_elapsed(Duration elapsed)
{
  const auto whole = floor<seconds>(elapsed);
  return whole.count() <= 0 ? std::string("0s") : format_timespan(whole);
}

bool RunProgress::apply(const Record& record, MonotonicTime now)
{
  const std::string_view id = record.message_id;
  if (id == message_id::run_started) {
    m_phase = Phase::starting;
    m_task_count = record.field(field::task_count);
    m_counts = {};
    return true;
  }
  if (id == message_id::task_started) {
    m_phase = Phase::running;
    m_task = record.field(field::task);
    m_position = record.field(field::task_position);
    m_task_since = now;
    m_attempt = 1;
    return true;
  }
  if (id == message_id::task_retry) {
    m_phase = Phase::retrying;
    m_attempt = static_cast<int>(number_or(record.field(field::attempt), m_attempt));
    m_retry_at = now + Duration(number_or(record.field(field::retry_in_usec), 0));
    return true;
  }
  if (is_task_finished(id)) {
    count(record);
    if (record.field(field::task) != m_task) { // skipped without starting: no position
      m_task = record.field(field::task);
      m_position.clear();
    }
    m_last_result = record.field(field::task_result);
    m_phase = Phase::between;
    return false; // the next task starts at once, or the run ends: show that instead
  }
  if (id == message_id::run_finished) {
    m_phase = Phase::finished;
    return true;
  }
  if (id == message_id::run_interrupted) {
    m_phase = Phase::interrupted;
    m_stopped_by = record.field(field::signal);
    return true;
  }
  return false;
}

std::string RunProgress::line(MonotonicTime now) const
{
  const auto running = [&](int attempt) {
    const std::string elapsed = format_elapsed(floor<Duration>(now - m_task_since));
    return attempt == 1
               ? fmt::format("Running {} ({})", task_label(), elapsed)
               : fmt::format("Running {} (attempt {}, {})", task_label(), attempt, elapsed);
  };
  switch (m_phase) {
  case Phase::idle:
    return {};
  case Phase::starting:
    return fmt::format("Starting: {} task{}", m_task_count, m_task_count == "1" ? "" : "s");
  case Phase::running:
    return running(m_attempt);
  case Phase::retrying:
    if (now >= m_retry_at) {
      return running(m_attempt + 1); // the runner logs no record when the next attempt starts
    }
    return fmt::format("Retrying {} (attempt {} failed, attempt {} in {})", task_label(), m_attempt,
                       m_attempt + 1, format_elapsed(ceil<seconds>(m_retry_at - now)));
  case Phase::between:
    return fmt::format("Done {} ({})", task_label(), result_words(m_last_result));
  case Phase::finished:
    return "Finished: " + counts();
  case Phase::interrupted:
    return fmt::format("Interrupted by {}: {}", m_stopped_by, counts());
  }
  return {};
}

void RunProgress::count(const Record& finished)
{
  switch (parse_task_result(finished.field(field::task_result)).value_or(TaskResult::skipped)) {
  case TaskResult::success:
    ++m_counts.succeeded;
    return;
  case TaskResult::failed:
    ++m_counts.failed;
    return;
  case TaskResult::timeout:
    ++m_counts.timed_out;
    return;
  case TaskResult::killed:
    ++m_counts.killed;
    return;
  case TaskResult::error:
    ++m_counts.not_started;
    return;
  case TaskResult::skipped: // and a word that is not ours
    break;
  }
  if (finished.field(field::skip_reason) == to_string(SkipReason::interrupted)) {
    ++m_counts.not_run;
  } else {
    ++m_counts.skipped;
  }
}

std::string RunProgress::counts() const
{
  const std::pair<std::size_t, std::string_view> parts[] = {
      {m_counts.succeeded, "succeeded"},
      {m_counts.failed, "failed"},
      {m_counts.timed_out, "timed out"},
      {m_counts.killed, "killed"},
      {m_counts.not_started, "could not start"},
      {m_counts.skipped, "skipped"},
      {m_counts.not_run, "not run"},
  };
  std::string text;
  for (const auto& [n, words] : parts) {
    if (n > 0) {
      text += fmt::format("{}{} {}", text.empty() ? "" : ", ", n, words);
    }
  }
  return text.empty() ? std::string("nothing to run") : text;
}

std::string RunProgress::task_label() const
{
  return m_position.empty() ? m_task : fmt::format("{}: {}", m_position, m_task);
}

void ProgressLog::emit(const Record& record)
{
  m_inner.emit(record);
  if (record.message_id == message_id::task_output) {
    return; // most records are output lines, and they never change the status
  }
  {
    const std::lock_guard lock(m_mutex);
    if (!m_progress.apply(record, m_clock.monotonic())) {
      return;
    }
    m_changed = true;
  }
  m_wake.notify_one();
}

bool ProgressLog::publish_once(StatusSink& sink, Duration refresh)
{
  std::unique_lock lock(m_mutex);
  m_wake.wait_for(lock, refresh, [&] { return m_changed || m_finishing; });
  if (!m_changed && (m_finishing || !m_progress.ticking())) {
    return !m_finishing;
  }
  const std::string line = m_progress.line(m_clock.monotonic());
  m_changed = false;
  lock.unlock(); // the sink may block; emit() must not wait for it
  if (!line.empty()) {
    sink.send_status(line);
  }
  return true;
}

void ProgressLog::publish(StatusSink& sink, Duration refresh)
{
  while (publish_once(sink, refresh)) {
  }
}

void ProgressLog::finish()
{
  {
    const std::lock_guard lock(m_mutex);
    m_finishing = true;
  }
  m_wake.notify_one();
}

} // namespace pt
