#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The comparisons of docs/performance.md, run by tests/bench/run.sh.

run.sh builds everything, starts a private journald and a throwaway
PostgreSQL, and runs this file inside that mount namespace with the paths in
the environment (PT_BIN, PT_BENCH_BUILD, PT_PG_APP_CONNINFO, ...). Each
comparison runs its contenders interleaved: one warm-up run of each, then
round after round, one run of each contender per round, the order rotated
every round. Every run goes through `measure` (tests/bench/measure.cpp): wall
time, user+sys CPU of the process and the children it waited for, peak RSS.

Nothing here asserts on a timing: the targets are reported, met or not.
Results go to docs/performance.md (PT_BENCH_REPORT) and, raw, to
results.json in the benchmark's build directory.
"""

import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENV = os.environ
PT_BIN = ENV["PT_BIN"]
BUILD = Path(ENV["PT_BENCH_BUILD"])  # the floors and measure
WORK = Path(ENV["PT_BENCH_WORK"])  # configs, scripts, logs (a temp dir)
REPORT = Path(ENV["PT_BENCH_REPORT"])
RESULTS = Path(ENV["PT_BENCH_RESULTS"])
SOURCE = Path(ENV["PT_SOURCE_DIR"])
JOURNAL_DIR = ENV.get("PT_JOURNAL_DIR", "/run/log/journal")
JOURNALD_PID = ENV.get("PT_JOURNALD_PID", "")
CONNINFO = ENV["PT_PG_APP_CONNINFO"]

MEASURE = str(BUILD / "measure")
SPAWN_FLOOR = str(BUILD / "spawn_floor")
LIBPQ_FLOOR = str(BUILD / "libpq_floor")
PYTHON = "/usr/bin/python3"
RUN_PARTS = "/usr/bin/run-parts"
PSQL = "/usr/bin/psql"
TRUE = "/bin/true"
JOURNAL_SOCKET = Path("/run/systemd/journal/socket")  # the private journald's (tmpfs /run)


def numbers(name, default):
    return [int(x) for x in ENV.get(name, default).split()]


RUNS = int(ENV.get("PT_BENCH_RUNS", "15"))
COMMAND_NS = numbers("PT_BENCH_COMMAND_NS", "1 10 100 1000")
STARTUP_NS = numbers("PT_BENCH_STARTUP_NS", "10 100 1000")
SQL_NS = numbers("PT_BENCH_SQL_NS", "1 10 100")
OUTPUT_MB = numbers("PT_BENCH_OUTPUT_MB", "1 10 100")
DAY_TASKS = 10
OUTPUT_LIMIT = 1024 * 1024  # the default output_limit, 1MiB
LINE = "x" * 99  # 100 bytes a line with its newline
OUTPUT_ID = "46afe2d4e33b59d805ecce4e04db1eda"  # task output line
SUPPRESSED_ID = "b871374cfa51d98ee1893b7471dbf2ed"  # output suppressed

# The environment of every measured command: the caller's (run.sh has set
# RUNTIME_DIRECTORY, the runner's lock directory, and removed what would make
# the runner think systemd started it), with a plain PATH.
CHILD_ENV = {k: v for k, v in ENV.items() if not k.startswith("PT_")}
CHILD_ENV["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"
CHILD_ENV["LC_ALL"] = "C.UTF-8"


def rounds_for(n):
    """Fewer rounds for the long contenders, never fewer than 3."""
    if n <= 10:
        return RUNS
    if n <= 100:
        return max(3, RUNS * 2 // 3)
    return max(3, RUNS // 5)


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- Running and measuring ---------------------------------------------------


class Contender:
    def __init__(self, key, label, argv, out=None, expect=0, inner=None, env=None,
                 hide_journal=False):
        self.key, self.label, self.argv, self.out, self.expect = key, label, argv, out, expect
        self.inner = inner  # reads a number from the run's output file, e.g. µs per task
        self.env = env  # added to CHILD_ENV for this contender
        # Runs with journald's socket renamed away (journald keeps running): the
        # runner finds no journal and writes its records to stderr instead.
        self.hide_journal = hide_journal


def measure(contender):
    cmd = [MEASURE]
    if contender.out:
        cmd += ["--out", contender.out]
    cmd += ["--", *contender.argv]
    env = dict(CHILD_ENV, **contender.env) if contender.env else CHILD_ENV
    hidden = JOURNAL_SOCKET.with_name("socket.hidden-by-bench")
    if contender.hide_journal:
        JOURNAL_SOCKET.rename(hidden)
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    finally:
        if contender.hide_journal:
            hidden.rename(JOURNAL_SOCKET)
    if done.returncode != 0:
        raise SystemExit(f"bench: measure failed for {contender.label}: {done.stderr}")
    run = json.loads(done.stdout)
    if run["status"] != contender.expect:
        detail = ""
        if contender.out and os.path.exists(contender.out):
            detail = Path(contender.out).read_text(errors="replace")[-2000:]
        raise SystemExit(
            f"bench: {contender.label} ({shlex.join(contender.argv)}) exited "
            f"{run['status']}, expected {contender.expect}\n{detail}"
        )
    if contender.inner:
        run["inner"] = contender.inner(Path(contender.out).read_text())
    return run


def summarize(runs):
    walls = [r["wall_us"] / 1000.0 for r in runs]
    cpus = [(r["user_us"] + r["sys_us"]) / 1000.0 for r in runs]
    return {
        "runs": len(runs),
        "median_ms": statistics.median(walls),
        "min_ms": min(walls),
        "max_ms": max(walls),
        "cpu_median_ms": statistics.median(cpus),
        "maxrss_kib": max(r["maxrss_kib"] for r in runs),
        "inner_median": statistics.median(r["inner"] for r in runs) if "inner" in runs[0] else None,
        "raw": runs,
    }


def compare(title, contenders, rounds, between=None):
    """Runs `contenders` interleaved: a warm-up of each, then `rounds` rounds."""
    log(f"{title}: {len(contenders)} contenders x {rounds} rounds")
    for c in contenders:
        measure(c)
        if between:
            between(c)
    runs = {c.key: [] for c in contenders}
    for r in range(rounds):
        shift = r % len(contenders)
        for c in contenders[shift:] + contenders[:shift]:
            runs[c.key].append(measure(c))
            if between:
                between(c)
    return {c.key: {"label": c.label, **summarize(runs[c.key])} for c in contenders}


def journalctl(*args):
    done = subprocess.run(
        ["journalctl", "-D", JOURNAL_DIR, "--no-pager", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: journalctl {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def journal_sync():
    subprocess.run(["journalctl", "--sync"], check=True)


def journald_cpu_ticks():
    if not JOURNALD_PID:
        return None
    fields = Path(f"/proc/{JOURNALD_PID}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15)


def cpu_counters():
    """/proc/stat's first line: (busy, steal, total) jiffies of every CPU."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = values[:8]
    return {
        "busy": user + nice + system + irq + softirq,
        "steal": steal,
        "total": user + nice + system + idle + iowait + irq + softirq + steal,
    }


def background_busy(seconds=5.0):
    """Busy % of all CPUs over `seconds` while the benchmark itself idles."""
    a = cpu_counters()
    time.sleep(seconds)
    b = cpu_counters()
    return 100.0 * (b["busy"] - a["busy"]) / max(b["total"] - a["total"], 1)


def loadavg():
    return Path("/proc/loadavg").read_text().split()[:3]


def make_file(path, text, mode=0o644):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return str(path)


# --- Configs -----------------------------------------------------------------


def task_toml(i, command='["/bin/true"]'):
    return f'[[task]]\nname = "t{i:04d}"\ncommand = {command}\n\n'


def command_config(n):
    """N tasks of /bin/true in one file."""
    body = "[settings]\ntimeout = \"1min\"\n\n" + "".join(task_toml(i) for i in range(n))
    return make_file(WORK / f"command-{n}" / "config.toml", body)


def startup_config(n):
    """N realistic tasks: half in the main file, the rest in drop-ins of ten."""
    root = WORK / f"startup-{n}"

    def task(i):
        return (
            f'[[task]]\nname = "task-{i:04d}"\n'
            f'description = "Clean up area {i} of the application"\n'
            f'command = ["/usr/bin/find", "/srv/app/{i}", "-mtime", "+30", "-delete"]\n'
            f'timeout = "5min"\nenvironment = {{ APP_AREA = "{i}" }}\n'
            f'dry_run_args = ["-print"]\n\n'
        )

    main = n // 2
    settings = '[settings]\ntimezone = "UTC"\ntimeout = "30min"\noutput_limit = "1MiB"\n\n'
    path = make_file(root / "config.toml", settings + "".join(task(i) for i in range(main)))
    (root / "tasks.d").mkdir(exist_ok=True)
    for first in range(main, n, 10):
        body = "".join(task(i) for i in range(first, min(first + 10, n)))
        make_file(root / "tasks.d" / f"{first:04d}-area.toml", body)
    return path


def run_parts_dir(n):
    root = WORK / f"run-parts-{n}"
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        link = root / f"t{i:04d}"
        if not link.exists():
            link.symlink_to(TRUE)
    return str(root)


def sql_config(n, sql):
    db = f'[databases.main]\nconninfo = "{CONNINFO}"\n\n'
    tasks = "".join(f'[[task]]\nname = "q{i:04d}"\nsql = "{sql}"\n\n' for i in range(n))
    slug = "select" if sql.startswith("SELECT") else "update"
    return make_file(WORK / f"sql-{slug}-{n}" / "config.toml", db + tasks)


def producer(total_bytes):
    return f"yes {LINE} | head -c {total_bytes}"


def output_config(name, shell, limit):
    body = (
        f'[settings]\noutput_limit = "{limit}"\n\n'
        f'[[task]]\nname = "{name}"\ncommand = ["/bin/sh", "-c", "{shell}"]\n'
    )
    return make_file(WORK / f"output-{name}" / "config.toml", body)


# --- The comparisons ---------------------------------------------------------


def command_tasks():
    results = {}
    loop = "import subprocess, sys\nfor _ in range(int(sys.argv[1])): subprocess.run(['/bin/true'], check=True)"
    for n in COMMAND_NS:
        contenders = [
            Contender("floor", "posix_spawn floor (C++)", [SPAWN_FLOOR, str(n), TRUE]),
            Contender("runner", "periodic_tasks run", [PT_BIN, "--config", command_config(n)]),
            Contender("run_parts", "run-parts", [RUN_PARTS, run_parts_dir(n)]),
            Contender("python", "Python subprocess.run loop", [PYTHON, "-c", loop, str(n)]),
        ]
        if n == 100:  # what journald receiving the records costs, in the same rounds
            contenders.insert(2, Contender(
                "runner_unlogged", "periodic_tasks run, journal socket hidden (records to stderr)",
                [PT_BIN, "--config", command_config(n)], hide_journal=True))
        results[n] = compare(f"command tasks N={n}", contenders, rounds_for(n))
    return results


def startup():
    contenders = [
        Contender("true", "/bin/true", [TRUE]),
        Contender("python", "python3 -c pass", [PYTHON, "-c", "pass"]),
        Contender("empty_libs", "empty main() with periodic_tasks' libraries (libstdc++)",
                  [str(BUILD / "empty_runner_libs")]),
        Contender("empty_libs_before", "... with libsystemd, toml++, fmt (as linked before)",
                  [str(BUILD / "empty_runner_libs_before")]),
        Contender("empty_libs_libpq", "... and libpq (as linked first)",
                  [str(BUILD / "empty_runner_libs_libpq")]),
        Contender("version", "periodic_tasks --version", [PT_BIN, "--version"]),
    ]
    for n in STARTUP_NS:
        config = startup_config(n)
        contenders.append(Contender(f"check_{n}", f"periodic_tasks check ({n} tasks)",
                                    [PT_BIN, "--config", config, "check"]))
        contenders.append(Contender(f"list_{n}", f"periodic_tasks list ({n} tasks)",
                                    [PT_BIN, "--config", config, "list"]))
    return compare("startup", contenders, max(RUNS * 2, 5))


def sql_tasks():
    subprocess.run(
        [PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", CONNINFO, "-c",
         "DROP TABLE IF EXISTS bench_counter; "
         "CREATE TABLE bench_counter (id int PRIMARY KEY, n bigint NOT NULL); "
         "INSERT INTO bench_counter VALUES (1, 0)"],
        check=True, env=CHILD_ENV, stdout=subprocess.DEVNULL,
    )
    psql_loop = ('for ((i = 0; i < $1; i++)); do "$0" -X -q "$2" -c "$3" >/dev/null || exit 1; done')
    results = {}
    for name, sql in (("select", "SELECT 1"),
                      ("update", "UPDATE bench_counter SET n = n + 1 WHERE id = 1")):
        results[name] = {}
        for n in SQL_NS:
            def statements(text, n=n):  # µs per statement, measured inside libpq_floor
                return json.loads(text)["statements_us"] / n

            def tasks(text, n=n):  # µs per task after the first (which connects), from --json
                summary = json.loads(text)
                if n < 2:
                    return summary["duration_usec"]
                return (summary["duration_usec"] - summary["tasks"][0]["duration_usec"]) / (n - 1)

            out = str(WORK / f"sql-{name}-{n}")
            contenders = [
                Contender("floor", "raw libpq, one connection", [LIBPQ_FLOOR, CONNINFO, str(n), sql],
                          out=out + ".floor", inner=statements),
                Contender("txn_floor", "raw libpq, each in a transaction like a task",
                          [LIBPQ_FLOOR, CONNINFO, str(n), sql, "--transaction"],
                          out=out + ".txn", inner=statements),
                Contender("txn_keep", "raw libpq, transactions on one dirty session (no DISCARD ALL)",
                          [LIBPQ_FLOOR, CONNINFO, str(n), sql, "--transaction-no-discard"],
                          out=out + ".keep", inner=statements),
                Contender("runner", "periodic_tasks run",
                          [PT_BIN, "--config", sql_config(n, sql), "--json"],
                          out=out + ".runner", inner=tasks),
                Contender("psql", "psql -c per task",
                          ["/bin/bash", "-c", psql_loop, PSQL, str(n), CONNINFO, sql]),
            ]
            results[name][n] = compare(f"SQL {name} N={n}", contenders, rounds_for(n))
    return results


def journal_output(run_id):
    """What the journal holds for one run: output records, bytes, suppression."""
    text = journalctl("-o", "json", "--all", f"RUN_ID={run_id}",
                      "--output-fields=MESSAGE_ID,MESSAGE,LINE_CONTINUES,SUPPRESSED_BYTES,OUTPUT_BYTES")
    records, whole_lines, message_bytes, suppressed = 0, 0, 0, None
    for line in text.splitlines():
        entry = json.loads(line)
        if entry.get("MESSAGE_ID") == OUTPUT_ID:
            message = entry.get("MESSAGE") or ""
            if isinstance(message, list):  # binary-safe form: an array of bytes
                message = bytes(message).decode("utf-8", "replace")
            records += 1
            message_bytes += len(message.encode())
            if entry.get("LINE_CONTINUES") != "1":
                whole_lines += 1
        elif entry.get("MESSAGE_ID") == SUPPRESSED_ID:
            suppressed = int(entry["SUPPRESSED_BYTES"])
    # Forwarded bytes: each record's text plus the newline that ended each whole line.
    return {"records": records, "lines": whole_lines,
            "bytes": message_bytes + whole_lines, "suppressed_bytes": suppressed or 0}


def output():
    variants = []  # (key, label, total bytes, shell, limit bytes, line bytes)
    for mb in OUTPUT_MB:
        total = mb * 1_000_000
        variants.append((f"lines_{mb}mb", f"{mb} MB of 100-byte lines", total,
                         producer(total), OUTPUT_LIMIT, 100))
    all_mb = min(OUTPUT_MB[-1], 10)
    variants.append((f"lines_{all_mb}mb_all", f"{all_mb} MB of lines, output_limit 64MiB",
                     all_mb * 1_000_000, producer(all_mb * 1_000_000), 64 * 1024 * 1024, 100))
    one_line = "head -c 1000000 /dev/zero | tr '\\\\0' x; echo"
    variants.append(("one_line", "one 1 MB line", 1_000_001, one_line, OUTPUT_LIMIT, 1_000_001))

    contenders = []
    for key, label, total, shell, limit, _ in variants:
        config = output_config(key.replace("_", "-"), shell, f"{limit}")
        contenders.append(Contender(key, label, [PT_BIN, "--config", config]))
    biggest = OUTPUT_MB[-1] * 1_000_000
    contenders.append(Contender("producer", f"the {OUTPUT_MB[-1]} MB producer alone, into /dev/null",
                                ["/bin/sh", "-c", producer(biggest)]))
    results = compare("output", contenders, max(3, RUNS // 5))

    # One more run of each, to read back what reached the journal.
    for key, label, total, shell, limit, line_bytes in variants:
        config = output_config(key.replace("_", "-"), shell, f"{limit}")
        done = subprocess.run([PT_BIN, "--config", config, "--json"], capture_output=True,
                              text=True, env=CHILD_ENV, check=True)
        summary = json.loads(done.stdout)
        journal_sync()
        got = journal_output(summary["run_id"])
        fits = min(total, (limit // line_bytes) * line_bytes)
        results[key].update({
            "total_bytes": total, "limit": limit, "expected_bytes": fits,
            "expected_suppressed": total - fits, "journal": got,
            "summary_output_bytes": summary["tasks"][0]["output_bytes"],
            "summary_suppressed_bytes": summary["tasks"][0]["suppressed_bytes"],
        })
    return results


def cost_of_a_day():
    config = command_config(DAY_TASKS)
    contenders = [
        Contender("floor", "posix_spawn floor (C++)", [SPAWN_FLOOR, str(DAY_TASKS), TRUE]),
        Contender("runner", "periodic_tasks run", [PT_BIN, "--config", config]),
        Contender("run_parts", "run-parts", [RUN_PARTS, run_parts_dir(DAY_TASKS)]),
    ]
    journald = {"ticks": 0, "runs": 0}

    def after(c):
        # journald's own CPU for the records of a run (only the runner logs).
        if c.key != "runner" or journald_cpu_ticks() is None:
            return
        journal_sync()
        now = journald_cpu_ticks()
        if "last" in journald:
            journald["ticks"] += now - journald["last"]
            journald["runs"] += 1
        journald["last"] = now

    def before_first():
        journal_sync()
        journald["last"] = journald_cpu_ticks()

    before_first()
    results = compare("cost of a day", contenders, RUNS * 2, between=after)
    tick_ms = 1000.0 / os.sysconf("SC_CLK_TCK")
    if journald["runs"]:
        results["journald_cpu_ms_per_run"] = journald["ticks"] * tick_ms / journald["runs"]
    return results


# --- Where start-up time goes -------------------------------------------------


def profile_startup():
    config = startup_config(100)
    argv = [PT_BIN, "--config", config, "check"]
    prof = {}

    def needed(path):
        out = subprocess.run(["ldd", path], capture_output=True, text=True).stdout
        return [line.split()[0] for line in out.splitlines() if "=>" in line or "ld-linux" in line]

    prof["ldd"] = {
        "periodic_tasks": needed(PT_BIN),
        "with_libpq": needed(str(BUILD / "empty_runner_libs_libpq")),
        "before": needed(str(BUILD / "empty_runner_libs_before")),
        "libpq_alone": needed(str(BUILD / "libpq_floor")),
    }

    def ld_statistics(path_argv):
        env = dict(CHILD_ENV, LD_DEBUG="statistics")
        done = subprocess.run(path_argv, capture_output=True, text=True, env=env)
        stats = {}
        for key, pattern in (("cycles", r"total startup time in dynamic loader: (\d+) cycles"),
                             ("relocations", r"final number of relocations: (\d+)"),
                             ("relative", r"number of relative relocations: (\d+)")):
            m = re.search(pattern, done.stderr)
            stats[key] = int(m.group(1)) if m else None
        return stats

    prof["ld_statistics"] = {
        "periodic_tasks": ld_statistics(argv),
        "with_libpq": ld_statistics([str(BUILD / "empty_runner_libs_libpq")]),
        "before": ld_statistics([str(BUILD / "empty_runner_libs_before")]),
    }

    if shutil.which("valgrind") and shutil.which("callgrind_annotate"):
        out = WORK / "callgrind.out"
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
                       capture_output=True, env=CHILD_ENV, check=True)
        text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(out)],
                              capture_output=True, text=True, check=True).stdout
        total = int(re.search(r"^\s*([\d,]+)\s.*PROGRAM TOTALS", text, re.M).group(1).replace(",", ""))
        picks = [
            ("loader", r":_dl_start \["),
            ("constructors", r":_dl_init \["),
            ("main", r":main \["),
            ("cli", r":pt::parse_command_line\("),
            ("load_config", r":pt::load_config\("),
            ("exit", r"stdlib/exit\.c:exit \["),
        ]
        inclusive = {"total": total}
        for key, pattern in picks:
            for line in text.splitlines():
                if re.search(pattern, line):
                    inclusive[key] = int(line.split()[0].replace(",", ""))
                    break
        # Self cost by shared object.
        self_text = subprocess.run(["callgrind_annotate", "--threshold=100", str(out)],
                                   capture_output=True, text=True, check=True).stdout
        by_object = {}
        for line in self_text.splitlines():
            m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+.*\[(.+)\]\s*$", line)
            if m:
                obj = os.path.basename(m.group(2))
                by_object[obj] = by_object.get(obj, 0) + int(m.group(1).replace(",", ""))
        prof["callgrind"] = {"inclusive": inclusive, "self_by_object": by_object}

    if shutil.which("strace"):
        out = WORK / "strace.txt"
        subprocess.run(["strace", "-f", "-c", "-o", str(out), *argv], capture_output=True,
                       env=CHILD_ENV, check=True)
        calls = {}
        for line in out.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 5 and parts[0][0].isdigit() and not line.startswith("100.00"):
                calls[parts[-1]] = int(parts[3])
            if parts and parts[-1] == "total":
                calls["total"] = int(parts[3]) if len(parts) >= 5 else None
        prof["strace"] = calls
    return prof


def profile_runner(n=300):
    """Where a command task's time goes inside the runner: perf on N tasks."""
    if not shutil.which("perf"):
        return {}
    argv = [PT_BIN, "--config", command_config(n)]
    done = subprocess.run(["perf", "stat", "-x,", "--no-inherit", "-e", "task-clock", "--", *argv],
                          capture_output=True, text=True, env=CHILD_ENV)
    own_ms = None
    for line in done.stderr.splitlines():
        fields = line.split(",")
        if len(fields) > 2 and fields[2].startswith("task-clock"):
            own_ms = float(fields[0])
    data = WORK / "perf.data"
    subprocess.run(["perf", "record", "-q", "--no-inherit", "-F", "10000", "--call-graph", "dwarf",
                    "-o", str(data), "--", *argv], capture_output=True, env=CHILD_ENV, check=True)
    text = subprocess.run(["perf", "report", "-i", str(data), "--children", "--sort", "sym",
                           "--stdio", "-g", "none"], capture_output=True, text=True).stdout
    parts = {
        "leftovers": (r"\] pt::reap_and_count_survivors$",),
        "scan": (r"\] pt::list_descendants$",),
        "spawn": (r"\] pt::Spawner::spawn$", r"\] pt::spawn$"),
        "lock": (r"\] pt::FileTaskLocks::acquire$", r"FileTaskLock::~FileTaskLock$"),
        "journal": (r"\] pt::JournalLog::emit$",),
        "loader": (r"\] _dl_start$",),
        "config": (r"\] pt::load_config$",),
    }
    share = {}
    for key, patterns in parts.items():
        total = 0.0
        for pattern in patterns:
            for line in text.splitlines():
                if re.search(pattern, line.strip()):
                    total += float(line.split()[0].rstrip("%"))
                    break
        share[key] = total
    processes = sum(1 for p in Path("/proc").iterdir() if p.name.isdigit())
    children = Path(f"/proc/self/task/{os.getpid()}/children").exists()
    return {"n": n, "own_cpu_ms": own_ms, "share_pct": share, "processes": processes,
            "children_file": children}


# --- Machine ------------------------------------------------------------------


def machine():
    def first(pattern, path):
        try:
            for line in Path(path).read_text().splitlines():
                if re.match(pattern, line):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    def dpkg_version(package):
        done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                              capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else "not installed"

    def command_output(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"

    packages = ["debianutils", "python3", "postgresql-15", "postgresql-client-15", "libpq5",
                "systemd", "libsystemd0", "g++", "libstdc++6", "libc6", "libtomlplusplus3",
                "libfmt9", "cmake"]
    return {
        "cpu": first(r"model name", "/proc/cpuinfo"),
        "cores": os.cpu_count(),
        "memory": first(r"MemTotal", "/proc/meminfo"),
        "kernel": platform.release(),
        "debian": Path("/etc/debian_version").read_text().strip(),
        "packages": {p: dpkg_version(p) for p in packages},
        "compiler": command_output(["c++", "--version"]).splitlines()[0],
        # run.sh notes the commit when it builds (the tree may move on during the run).
        "commit": ENV.get("PT_BENCH_COMMIT") or command_output(
            ["git", "-C", str(SOURCE), "rev-parse", "--short", "HEAD"]),
        "dirty": bool(command_output(["git", "-C", str(SOURCE), "status", "--porcelain",
                                      "--untracked-files=no", "--", "src", "CMakeLists.txt"])),
        "build_type": ENV.get("PT_BENCH_BUILD_TYPE", "Release"),
    }


def main():
    started = time.time()
    results = {"machine": machine(), "load_start": loadavg(),
               "load_before_wait": ENV.get("PT_BENCH_LOAD_BEFORE", ""),
               "max_load": ENV.get("PT_BENCH_MAX_LOAD", "1.5"),
               "settings": {"runs": RUNS, "command_ns": COMMAND_NS, "startup_ns": STARTUP_NS,
                            "sql_ns": SQL_NS, "output_mb": OUTPUT_MB,
                            "latency_n": int(ENV.get("PT_BENCH_LATENCY_N", "100")),
                            "cluster_slots": int(ENV.get("PT_BENCH_CLUSTER_SLOTS", "10")),
                            "fleet": ENV.get("PT_BENCH_FLEET", "50 200 1")}}
    results["background_before_pct"] = background_busy()
    cpu0 = cpu_counters()
    results["command"] = command_tasks()
    results["startup"] = startup()
    results["sql"] = sql_tasks()
    results["output"] = output()
    results["day"] = cost_of_a_day()
    sys.path.insert(0, str(Path(__file__).parent))
    import wire_and_wakes  # noqa: E402  (tests/bench/wire_and_wakes.py: issue 14's sections)

    results.update(wire_and_wakes.run_all(sys.modules[__name__]))
    unit_start = Path(ENV.get("PT_BENCH_UNIT_START", "/nonexistent"))
    if unit_start.is_file():  # run.sh --container: tests/bench/unit_start.sh measured it
        results["unit_start"] = json.loads(unit_start.read_text())
    cpu1 = cpu_counters()
    results["profile"] = profile_startup()
    results["runner_profile"] = profile_runner()
    results["background_after_pct"] = background_busy()
    results["load_end"] = loadavg()
    total = cpu1["total"] - cpu0["total"]
    results["cpu"] = {"busy_pct": 100.0 * (cpu1["busy"] - cpu0["busy"]) / max(total, 1),
                      "steal_pct": 100.0 * (cpu1["steal"] - cpu0["steal"]) / max(total, 1)}
    results["elapsed_s"] = time.time() - started
    results["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    RESULTS.write_text(json.dumps(results, indent=1, default=str))
    import report  # noqa: E402  (tests/bench/report.py)

    REPORT.write_text(report.render(results))
    log(f"wrote {REPORT} and {RESULTS} in {results['elapsed_s']:.0f} s")


if __name__ == "__main__":
    main()
