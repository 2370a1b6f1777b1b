# SPDX-License-Identifier: MIT
# Reading the node_exporter textfile in tests (source after common.sh).
# PROM names the textfile; the config's [metrics] table points at it.

PROM_DIR="$T/node-exporter"
PROM="$PROM_DIR/periodic_tasks.prom"

# metrics_table: prints the [metrics] table that points at $PROM.
metrics_table() {
    printf '[metrics]\ntextfile = "%s"\n' "$PROM"
}

# metric NAME TASK [RESULT]: prints the value of the series
# periodic_tasks_NAME{task="TASK"[,result="RESULT"]} in $PROM; fails when the
# series appears more than once.
metric() {
    local labels="task=\"$2\"" values
    [[ -n ${3:-} ]] && labels+=",result=\"$3\""
    values=$(awk -v series="periodic_tasks_$1{$labels}" '$1 == series { print $2 }' "$PROM")
    [[ $(grep -c . <<<"$values") -le 1 ]] || fail "periodic_tasks_$1{$labels} appears more than once in $PROM"
    printf '%s' "$values"
}

# assert_metric EXPECTED NAME TASK [RESULT]
assert_metric() {
    local expected=$1
    shift
    assert_eq "$expected" "$(metric "$@")" "periodic_tasks_$1 of task $2${3:+ ($3)}"
}

# assert_no_metric NAME TASK: the series does not exist.
assert_no_metric() {
    [[ -z $(metric "$1" "$2") ]] || fail "periodic_tasks_$1 of task $2 exists: $(metric "$1" "$2")"
}

# assert_result TASK WORD: the state set says WORD, and only WORD.
assert_result() {
    local word
    for word in success failed timeout killed error; do
        assert_metric "$([[ $word == "$2" ]] && echo 1 || echo 0)" last_result "$1" "$word"
    done
}

# assert_between LOW HIGH VALUE [WHAT]: LOW <= VALUE <= HIGH, as decimal numbers.
assert_between() {
    [[ -n $3 ]] || fail "${4:-value} is missing"
    awk -v lo="$1" -v hi="$2" -v v="$3" 'BEGIN { exit !(lo + 0 <= v + 0 && v + 0 <= hi + 0) }' ||
        fail "${4:-value}: expected between $1 and $2, got $3"
}

# task_lines TASK: prints every line of $PROM about TASK.
task_lines() {
    grep -F "task=\"$1\"" "$PROM" || true
}

# assert_textfile_clean: $PROM has mode 0644 and no temp file is left beside it.
assert_textfile_clean() {
    assert_eq 644 "$(stat -c %a "$PROM")" "mode of $PROM"
    assert_eq "periodic_tasks.prom" "$(find "$PROM_DIR" -mindepth 1 -printf '%f ' | sed 's/ $//')" \
        "files in $PROM_DIR"
}
