#!/bin/bash
# SPDX-License-Identifier: MIT
# The example alert rules in docs/systemd.md are valid (`promtool check
# rules`) and fire when they should (`promtool test rules`): a task failing
# now, a last success two days old, a task that never succeeded, and a
# textfile no run has written for 26 hours; healthy tasks raise nothing.
. "$(dirname "$0")/common.sh"
require_tool promtool
: "${PT_SOURCE_DIR:?PT_SOURCE_DIR must name the source tree (ctest sets it)}"

# The first ```yaml block after the "Metrics for Prometheus" heading.
awk '/^## Metrics for Prometheus/ { section = 1 }
     section && /^```yaml$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$PT_SOURCE_DIR/docs/systemd.md" >"$T/rules.yml"
[[ -s $T/rules.yml ]] || fail "no yaml block under '## Metrics for Prometheus' in docs/systemd.md"
promtool check rules "$T/rules.yml" >"$T/check.out" 2>&1 ||
    fail "promtool check rules: $(cat "$T/check.out")"

# Series as node_exporter would expose them, one sample a minute from time 0
# for 60 hours (a gap longer than 5 minutes would end a series).
cat >"$T/tests.yml" <<'YAML'
rule_files:
  - rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # healthy: has just succeeded, always
      - series: 'periodic_tasks_consecutive_failures{instance="db1",task="healthy"}'
        values: '0x3600'
      - series: 'periodic_tasks_last_run_timestamp_seconds{instance="db1",task="healthy"}'
        values: '0+60x3600'
      - series: 'periodic_tasks_last_success_timestamp_seconds{instance="db1",task="healthy"}'
        values: '0+60x3600'
      # stale: succeeded at time 0, then failed twice
      - series: 'periodic_tasks_consecutive_failures{instance="db1",task="stale"}'
        values: '0 2x3599'
      - series: 'periodic_tasks_last_run_timestamp_seconds{instance="db1",task="stale"}'
        values: '0 60x3599'
      - series: 'periodic_tasks_last_success_timestamp_seconds{instance="db1",task="stale"}'
        values: '0x3600'
      # never: ran once, failed, no success series
      - series: 'periodic_tasks_consecutive_failures{instance="db1",task="never"}'
        values: '1x3600'
      - series: 'periodic_tasks_last_run_timestamp_seconds{instance="db1",task="never"}'
        values: '0x3600'
      # the textfile: rewritten every minute for 10 hours, then never again
      - series: 'node_textfile_mtime_seconds{file="periodic_tasks.prom",instance="db1"}'
        values: '0+60x600 36000x3000'
    alert_rule_test:
      - eval_time: 2h
        alertname: PeriodicTaskFailing
        exp_alerts:
          - exp_labels: {severity: warning, instance: db1, task: stale}
            exp_annotations:
              summary: "Task stale on db1 failed 2 run(s) in a row"
              description: "See: journalctl -x -u periodic-tasks TASK=stale, or periodic_tasks history stale"
          - exp_labels: {severity: warning, instance: db1, task: never}
            exp_annotations:
              summary: "Task never on db1 failed 1 run(s) in a row"
              description: "See: journalctl -x -u periodic-tasks TASK=never, or periodic_tasks history never"
      - eval_time: 47h
        alertname: PeriodicTaskNoRecentSuccess
        exp_alerts: []
      - eval_time: 49h
        alertname: PeriodicTaskNoRecentSuccess
        exp_alerts:
          - exp_labels: {severity: critical, instance: db1, task: stale}
            exp_annotations:
              summary: "Task stale on db1 has not succeeded for 2d 1h 0m 0s"
      - eval_time: 47h
        alertname: PeriodicTaskNeverSucceeded
        exp_alerts: []
      - eval_time: 49h
        alertname: PeriodicTaskNeverSucceeded
        exp_alerts:
          - exp_labels: {severity: warning, instance: db1, task: never}
            exp_annotations:
              summary: "Task never on db1 has never succeeded"
      - eval_time: 35h
        alertname: PeriodicTasksNotRunning
        exp_alerts: []
      - eval_time: 37h
        alertname: PeriodicTasksNotRunning
        exp_alerts:
          - exp_labels: {severity: warning, instance: db1, file: periodic_tasks.prom}
            exp_annotations:
              summary: "periodic_tasks has not run on db1 for 1d 3h 0m 0s"
YAML
(cd "$T" && promtool test rules tests.yml) >"$T/test.out" 2>&1 ||
    fail "promtool test rules: $(cat "$T/test.out")"
