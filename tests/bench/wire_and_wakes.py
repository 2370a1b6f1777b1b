# SPDX-License-Identifier: MIT
"""The sections of docs/performance.md added by issue 14, run by harness.py.

- SQL latency: SQL tasks, the libpq floors and psql through
  tests/bench/latency_proxy.py (1 ms each way on 127.0.0.1), which counts
  round trips.
- Idle wake: `run --scheduled TASK` with nothing due, with and without
  [cluster], against /bin/true; which shared objects it loads.
- Generator: periodic-tasks-generator on 100 scheduled tasks.
- Cluster per slot: the extra round trips and time of claiming, and a fleet
  of runner "hosts" waking for minutely tasks against the one PostgreSQL.

Each function takes the harness module `h` (its helpers and settings) and
returns plain data for results.json; report.py renders it. As in harness.py,
nothing asserts on a timing.
"""

import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import threading
import time
from pathlib import Path

ENV = os.environ
DELAY_MS = 1.0
CLUSTER_SCHEMA = "periodic_tasks"


def numbers(name, default):
    return [int(x) for x in ENV.get(name, default).split()]


LATENCY_N = int(ENV.get("PT_BENCH_LATENCY_N", "100"))
CLUSTER_SLOTS = int(ENV.get("PT_BENCH_CLUSTER_SLOTS", "10"))
FLEET = numbers("PT_BENCH_FLEET", "50 200 1")  # hosts, minutely tasks, rounds
GENERATOR_TASKS = 100
GENERATOR = ENV.get("PT_GENERATOR", "")
PG_PORT = ENV.get("PT_PG_PORT", "")
PG_PASSWORD = ENV.get("PT_PG_APP_PASSWORD", "")
PG_PASSWORD_FILE = ENV.get("PT_PG_APP_PASSWORD_FILE", "")
PG_SUPER = ENV.get("PT_PG_CONNINFO", "")
PG_SOCKET_DIR = ENV.get("PT_PG_SOCKET_DIR", "")


# --- The latency proxy ----------------------------------------------------------


class Proxy:
    """tests/bench/latency_proxy.py in front of the PostgreSQL's TCP port."""

    def __init__(self, h, name):
        self.stats = h.WORK / f"proxy-{name}.stats"
        port_file = h.WORK / f"proxy-{name}.port"
        for f in (self.stats, port_file):
            f.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [h.PYTHON, str(h.SOURCE / "tests/bench/latency_proxy.py"), "--target", PG_PORT,
             "--stats", str(self.stats), "--delay-ms", str(DELAY_MS), "--port-file", str(port_file)])
        deadline = time.monotonic() + 10
        while not port_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("bench: the latency proxy did not start")
            time.sleep(0.02)
        self.port = int(port_file.read_text())
        self.seq = 0

    def conninfo(self, password=True):
        text = f"host=127.0.0.1 port={self.port} user=app dbname=app sslmode=disable"
        return text + (f" password={PG_PASSWORD}" if password else "")

    def counters(self):
        """The proxy's counters now (it writes them on SIGUSR1)."""
        self.process.send_signal(signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while True:
            try:
                values = json.loads(self.stats.read_text())
                if values["seq"] > self.seq:
                    self.seq = values["seq"]
                    return values
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit("bench: the latency proxy wrote no counters")
            time.sleep(0.005)

    def count(self, h, argv, env=None, expect=0):
        """Runs argv once (untimed); returns (connections, round trips) it made."""
        before = self.counters()
        done = subprocess.run(argv, capture_output=True, text=True,
                              env=dict(h.CHILD_ENV, **(env or {})))
        if done.returncode != expect:
            raise SystemExit(f"bench: {argv[:3]} exited {done.returncode}: {done.stderr[-2000:]}")
        after = self.counters()
        return (after["connections"] - before["connections"],
                after["round_trips"] - before["round_trips"])

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def db_toml(conninfo, password_file=None):
    text = f'[databases.main]\nconninfo = "{conninfo}"\n'
    if password_file:
        text += f'password_file = "{password_file}"\n'
    return text + "\n"


def psql(sql, conninfo=None):
    subprocess.run(["/usr/bin/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", conninfo or PG_SUPER,
                    "-c", "SET client_min_messages = warning", "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


# --- SQL latency ------------------------------------------------------------------


def sql_latency(h):
    """SELECT 1 tasks over a 1 ms link: time and round trips per task."""
    proxy = Proxy(h, "sql")
    try:
        return sql_latency_through(h, proxy)
    finally:
        proxy.stop()


def sql_latency_contenders(h, proxy, n, sql="SELECT 1"):
    conninfo = proxy.conninfo()
    psql_loop = 'for ((i = 0; i < $1; i++)); do "$0" -X -q "$2" -c "$3" >/dev/null || exit 1; done'
    body = db_toml(proxy.conninfo(password=False), PG_PASSWORD_FILE) + "".join(
        f'[[task]]\nname = "q{i:04d}"\nsql = "{sql}"\n\n' for i in range(n))
    config = h.make_file(h.WORK / f"latency-{n}" / "config.toml", body)
    out = str(h.WORK / f"latency-{n}")

    def statements(text, n=n):
        return json.loads(text)["statements_us"] / n

    def tasks(text, n=n):
        summary = json.loads(text)
        if n < 2:
            return summary["duration_usec"]
        return (summary["duration_usec"] - summary["tasks"][0]["duration_usec"]) / (n - 1)

    return [
        h.Contender("floor", "raw libpq, autocommit", [h.LIBPQ_FLOOR, conninfo, str(n), sql],
                    out=out + ".floor", inner=statements),
        h.Contender("txn_floor", "raw libpq, each in a transaction like a task",
                    [h.LIBPQ_FLOOR, conninfo, str(n), sql, "--transaction"],
                    out=out + ".txn", inner=statements),
        h.Contender("runner", "periodic_tasks run", [h.PT_BIN, "--config", config, "--json"],
                    out=out + ".runner", inner=tasks),
        h.Contender("psql", "psql -c per task",
                    ["/bin/bash", "-c", psql_loop, h.PSQL, str(n), conninfo, sql]),
    ]


def sql_latency_through(h, proxy):
    n = max(LATENCY_N, 2)
    # Round trips: one untimed run at N = 1 and one at N; the difference over
    # N - 1 is per task, the rest is connecting and disconnecting.
    trips = {}
    one = {c.key: c for c in sql_latency_contenders(h, proxy, 1)}
    for c in sql_latency_contenders(h, proxy, n):
        c1, cn = proxy.count(h, one[c.key].argv), proxy.count(h, c.argv)
        per_task = (cn[1] - c1[1]) / (n - 1)
        trips[c.key] = {"connections": cn[0], "round_trips": cn[1], "per_task": per_task,
                        "setup": c1[1] - per_task, "connections_per_task": (cn[0] - c1[0]) / (n - 1)}
    results = h.compare(f"SQL over a {DELAY_MS:g} ms link N={n}", sql_latency_contenders(h, proxy, n),
                        h.rounds_for(n))
    for key, row in results.items():
        row["trips"] = trips[key]
    return {"n": n, "delay_ms": DELAY_MS, "results": results}


# --- Idle wake --------------------------------------------------------------------


IDLE_SCHEDULE = "*-01-01 00:00:00 UTC"  # once a year: nothing is due after the first wake


def idle_config(h, name, cluster_conninfo=None):
    body = ""
    if cluster_conninfo:
        body += db_toml(cluster_conninfo, PG_PASSWORD_FILE if "127.0.0.1" in cluster_conninfo else None)
        body += '[cluster]\ndatabase = "main"\n\n'
    body += f'[[task]]\nname = "idle"\nschedule = "{IDLE_SCHEDULE}"\ncommand = ["/bin/true"]\n'
    return h.make_file(h.WORK / f"idle-{name}" / "config.toml", body)


def state_env(h, name):
    state = h.WORK / f"state-{name}"
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)
    return {"STATE_DIRECTORY": str(state)}


def loaded_objects(h, argv, env):
    """The shared objects the dynamic loader opened for argv (LD_DEBUG=files)."""
    done = subprocess.run(argv, capture_output=True, text=True,
                          env=dict(h.CHILD_ENV, LD_DEBUG="files", **env))
    names = set()
    for line in done.stderr.splitlines():
        if "file=" in line and ("needed by" in line or "dynamically loaded by" in line):
            names.add(line.split("file=", 1)[1].split()[0])
    return sorted(names)


def idle_wake(h):
    proxy = Proxy(h, "idle")
    try:
        variants = {"single": None, "cluster": h.CONNINFO}
        contenders = [h.Contender("true", "/bin/true", [h.TRUE])]
        facts = {}
        for name, conninfo in variants.items():
            config = idle_config(h, name, conninfo)
            env = state_env(h, name)
            argv = [h.PT_BIN, "--config", config, "run", "--scheduled", "idle"]
            if conninfo:
                psql(f"DROP SCHEMA IF EXISTS {CLUSTER_SCHEMA} CASCADE", h.CONNINFO)
                subprocess.run([h.PT_BIN, "--config", config, "cluster", "init"], check=True,
                               env=h.CHILD_ENV, capture_output=True)
            subprocess.run(argv, check=True, env=dict(h.CHILD_ENV, **env), capture_output=True)
            label = "`run --scheduled`, nothing due" + (", with [cluster]" if conninfo else "")
            contenders.append(h.Contender(name, label, argv, env=env))
            objects = loaded_objects(h, argv, env)
            facts[name] = {"objects": len(objects),
                           "libpq": any(o.startswith("libpq") for o in objects),
                           "libsystemd": any(o.startswith("libsystemd") for o in objects)}
            if conninfo:
                # The same wake with the cluster database behind the proxy: did it connect?
                pconfig = idle_config(h, "cluster-proxy", proxy.conninfo(password=False))
                penv = state_env(h, "cluster-proxy")
                pargv = [h.PT_BIN, "--config", pconfig, "run", "--scheduled", "idle"]
                proxy.count(h, pargv, penv)  # the first wake records first sight
                facts[name]["connections"], facts[name]["round_trips"] = proxy.count(h, pargv, penv)
            else:
                facts[name]["connections"], facts[name]["round_trips"] = 0, 0
        results = h.compare("idle wake", contenders, max(h.RUNS * 2, 5))
        for name in variants:
            results[name]["facts"] = facts[name]
        return results
    finally:
        proxy.stop()


# --- Generator --------------------------------------------------------------------


def generator(h):
    if not GENERATOR or not os.access(GENERATOR, os.X_OK):
        return {}
    body = "".join(f'[[task]]\nname = "s{i:03d}"\nschedule = "*-*-* {i % 24:02d}:{i % 60:02d}:00"\n'
                   f'command = ["/bin/true"]\n\n' for i in range(GENERATOR_TASKS))
    config = h.make_file(h.WORK / "generator" / "config.toml", body)
    # On tmpfs, as /run/systemd/generator is (run.sh's namespace has its own /run).
    out = Path("/run/periodic-tasks-bench-generator")
    dirs = [str(out / d) for d in ("normal", "early", "late")]

    def clean(_=None):
        subprocess.run(["rm", "-rf", str(out)], check=True)
        for d in dirs:
            os.makedirs(d)

    env = {"PERIODIC_TASKS_CONFIG": config, "SYSTEMD_LOG_TARGET": "console"}
    clean()
    contenders = [h.Contender("true", "/bin/true", [h.TRUE]),
                  h.Contender("generator", f"periodic-tasks-generator, {GENERATOR_TASKS} scheduled tasks",
                              [GENERATOR, *dirs], env=env)]
    results = h.compare("generator", contenders, max(h.RUNS * 2, 5), between=clean)
    # One more run, to count what it wrote (files and links).
    subprocess.run([GENERATOR, *dirs], check=True, env=dict(h.CHILD_ENV, **env), capture_output=True)
    results["generator"]["syscalls"] = syscalls(h, [GENERATOR, *dirs], env, clean)
    results["generator"]["files"] = sum(len(files) + len([d for d in subdirs if os.path.islink(
        os.path.join(root, d))]) for root, subdirs, files in os.walk(dirs[0]))
    return results


def syscalls(h, argv, env, before):
    """System calls of one run of argv by `strace -c`: {name: calls}, most first."""
    if not shutil.which("strace"):
        return {}
    before()
    out = h.WORK / "strace-generator.txt"
    subprocess.run(["strace", "-f", "-c", "-o", str(out), *argv], capture_output=True,
                   env=dict(h.CHILD_ENV, **env), check=True)
    calls = {}
    for line in out.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0][0].isdigit() and parts[-1] != "total":
            calls[parts[-1]] = int(parts[3])
    return dict(sorted(calls.items(), key=lambda kv: -kv[1]))


# --- Cluster: per slot --------------------------------------------------------------


def minute_slots_ago(k):
    """The slot text of the minutely schedule k minutes before the latest elapsed one."""
    latest = int(time.time()) // 60 * 60
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(latest - 60 * k))


MINUTELY = "*-*-* *:*:00"


def write_state(directory, task, done_through, schedule):
    slots = Path(directory) / "slots"
    slots.mkdir(parents=True, exist_ok=True)
    slots.chmod(0o755)
    (slots / task).write_text(f"schedule={schedule}\ndone_through={done_through}\n")


def normalized_minutely(h, config, env, task="slot"):
    """The schedule text the runner writes into a slot file (run once, read back)."""
    subprocess.run([h.PT_BIN, "--config", config, "run", "--scheduled", task],
                   env=dict(h.CHILD_ENV, **env), capture_output=True)
    text = (Path(env["STATE_DIRECTORY"]) / "slots" / task).read_text()
    for line in text.splitlines():
        if line.startswith("schedule="):
            return line.split("=", 1)[1]
    raise SystemExit("bench: no schedule in the slot file")


def slot_config(h, name, cluster_conninfo=None, password_file=None):
    body = ""
    if cluster_conninfo:
        body += db_toml(cluster_conninfo, password_file) + '[cluster]\ndatabase = "main"\n\n'
    body += ('[[task]]\nname = "slot"\nschedule = "minutely"\ncatch_up = "all"\n'
             'command = ["/bin/true"]\n')
    return h.make_file(h.WORK / f"slot-{name}" / "config.toml", body)


def cluster_per_slot(h):
    k = max(CLUSTER_SLOTS, 2)
    proxy = Proxy(h, "cluster")
    try:
        configs = {"single": slot_config(h, "single"),
                   "cluster": slot_config(h, "cluster", h.CONNINFO),
                   "cluster_proxy": slot_config(h, "cluster-proxy", proxy.conninfo(False),
                                                PG_PASSWORD_FILE)}
        psql(f"DROP SCHEMA IF EXISTS {CLUSTER_SCHEMA} CASCADE", h.CONNINFO)
        subprocess.run([h.PT_BIN, "--config", configs["cluster"], "cluster", "init"], check=True,
                       env=h.CHILD_ENV, capture_output=True)
        envs = {name: state_env(h, f"slot-{name}") for name in configs}
        schedule = normalized_minutely(h, configs["single"], envs["single"])

        def prepare(name, slots):
            """slots due for the next run: the state set back, the claims gone."""
            write_state(envs[name]["STATE_DIRECTORY"], "slot", minute_slots_ago(slots), schedule)
            if name != "single":
                psql(f"DELETE FROM {CLUSTER_SCHEMA}.claims", h.CONNINFO)

        trips = {}
        for name in ("single", "cluster_proxy"):
            argv = [h.PT_BIN, "--config", configs[name], "run", "--scheduled", "slot"]
            counts = {}
            for slots in (1, k):
                prepare(name, slots)
                counts[slots] = proxy.count(h, argv, envs[name])
            per_slot = (counts[k][1] - counts[1][1]) / (k - 1)
            trips[name] = {"connections": counts[k][0], "round_trips": counts[k][1],
                           "per_slot": per_slot, "setup": counts[1][1] - per_slot}
        contenders = []
        for name, label in (("single", "without [cluster]"), ("cluster", "with [cluster], local socket")):
            argv = [h.PT_BIN, "--config", configs[name], "run", "--scheduled", "slot", "--json"]
            contenders.append(h.Contender(name, f"`run --scheduled`, {k} slots due, {label}", argv,
                                          env=envs[name]))
        for c in contenders:
            prepare(c.key, k)
        results = h.compare(f"cluster, {k} slots a run", contenders, h.rounds_for(k * 10),
                            between=lambda c: prepare(c.key, k))
        return {"slots": k, "results": results, "trips": trips}
    finally:
        proxy.stop()


# --- Cluster: a fleet ---------------------------------------------------------------


def postmaster_pid():
    return int((Path(PG_SOCKET_DIR).parent / "data" / "postmaster.pid").read_text().split()[0])


def server_children():
    """The postmaster's children now: backends and its background processes."""
    master, count = str(postmaster_pid()), 0
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if (p / "stat").read_text().rsplit(")", 1)[1].split()[1] == master:
                    count += 1
            except OSError:
                pass
    return count


class SessionPeak:
    """Polls the number of the server's children from a thread: the peak
    minus those present before is the peak number of sessions."""

    def __init__(self):
        self.base = server_children()
        self.peak = self.base
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.poll)
        self.thread.start()

    def poll(self):
        while not self.stopped.wait(0.05):
            self.peak = max(self.peak, server_children())

    def stop(self):
        self.stopped.set()
        self.thread.join()
        return self.peak - self.base


def server_ticks():
    """CPU ticks of the PostgreSQL server: the postmaster, its reaped children
    (cutime, cstime) and its live children."""
    master = postmaster_pid()

    def fields(pid):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()

    f = fields(master)
    total = sum(int(x) for x in f[11:15])
    for p in Path("/proc").iterdir():
        if not p.name.isdigit():
            continue
        try:
            g = fields(p.name)
        except OSError:
            continue
        if g[1] == str(master):  # ppid
            total += int(g[11]) + int(g[12])
    return total


def fleet(h):
    hosts, tasks, rounds = (FLEET + [50, 200, 1][len(FLEET):])[:3]
    body = db_toml(h.CONNINFO) + '[cluster]\ndatabase = "main"\n\n' + "".join(
        f'[[task]]\nname = "m{i:03d}"\nschedule = "minutely"\ncommand = ["/bin/true"]\n\n'
        for i in range(tasks))
    config = h.make_file(h.WORK / "fleet" / "config.toml", body)
    psql(f"DROP SCHEMA IF EXISTS {CLUSTER_SCHEMA} CASCADE", h.CONNINFO)
    subprocess.run([h.PT_BIN, "--config", config, "cluster", "init"], check=True,
                   env=h.CHILD_ENV, capture_output=True)
    envs = []
    for i in range(hosts):
        env = state_env(h, f"fleet-{i:02d}")
        run_dir = h.WORK / f"fleet-run-{i:02d}"
        run_dir.mkdir(exist_ok=True)
        run_dir.chmod(0o755)
        env["RUNTIME_DIRECTORY"] = str(run_dir)
        envs.append(env)
    max_conn = subprocess.run([h.PSQL, "-X", "-A", "-t", h.CONNINFO, "-c", "SHOW max_connections"],
                              capture_output=True, text=True, check=True).stdout.strip()
    outcomes = {"wakes": 0, "errors": 0, "walls": []}
    lock = threading.Lock()

    def host(env):
        for i in range(tasks):
            start = time.monotonic()
            done = subprocess.run([h.PT_BIN, "--config", config, "run", "--scheduled", f"m{i:03d}"],
                                  env=dict(h.CHILD_ENV, **env), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
            wall = time.monotonic() - start
            with lock:
                outcomes["wakes"] += 1
                outcomes["walls"].append(wall)
                if done.returncode != 0:
                    outcomes["errors"] += 1

    # The server's CPU for a bare connection (libpq_floor, one statement), to
    # compare a wake with.
    bare, ticks0 = 20, server_ticks()
    for _ in range(bare):
        subprocess.run([h.LIBPQ_FLOOR, h.CONNINFO, "1", "SELECT 1"], check=True,
                       stdout=subprocess.DEVNULL, env=h.CHILD_ENV)
    bare_ticks = server_ticks() - ticks0

    def reset():
        # Every host's state gone (first sight: the slot due now runs) and the
        # claims gone, so that each round's slots are won once and lost by the rest.
        for env in envs:
            subprocess.run(["rm", "-rf", str(Path(env["STATE_DIRECTORY"]) / "slots")], check=True)
        psql(f"DELETE FROM {CLUSTER_SCHEMA}.claims", h.CONNINFO)

    def done_claims():
        return int(subprocess.run(
            [h.PSQL, "-X", "-A", "-t", h.CONNINFO, "-c",
             f"SELECT count(*) FROM {CLUSTER_SCHEMA}.claims WHERE state = 'done'"],
            capture_output=True, text=True, check=True).stdout.strip())

    h.log(f"fleet: {hosts} hosts x {tasks} minutely tasks x {rounds} rounds")
    elapsed, server, wins, peak = 0.0, 0, 0, 0
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(rounds):
        reset()
        ticks0, t0, sessions = server_ticks(), time.monotonic(), SessionPeak()
        threads = [threading.Thread(target=host, args=(env,)) for env in envs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed += time.monotonic() - t0
        peak = max(peak, sessions.stop())
        server += server_ticks() - ticks0
        wins += done_claims()
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    burst = fleet_burst(h, config, envs[0], tasks, reset, done_claims)
    tick_s = 1.0 / os.sysconf("SC_CLK_TCK")
    runner_cpu = (children1.ru_utime + children1.ru_stime) - (children0.ru_utime + children0.ru_stime)
    return {"hosts": hosts, "tasks": tasks, "rounds": rounds, "wakes": outcomes["wakes"],
            "errors": outcomes["errors"], "wins": wins, "elapsed_s": elapsed,
            "server_cpu_s": server * tick_s, "runner_cpu_s": runner_cpu,
            "bare_connection_server_ms": bare_ticks * tick_s * 1000 / bare,
            "wall_median_ms": statistics.median(outcomes["walls"]) * 1000,
            "peak_sessions": peak, "burst": burst, "storm": storm(h, config, envs, tasks),
            "max_connections": int(max_conn), "cores": os.cpu_count()}


def fleet_burst(h, config, env, tasks, reset, done_claims):
    """One host as its timers start it each minute: every task's wake at once."""
    h.log(f"fleet: one host, {tasks} wakes at once")
    reset()
    sessions, t0 = SessionPeak(), time.monotonic()
    procs = [subprocess.Popen([h.PT_BIN, "--config", config, "run", "--scheduled", f"m{i:03d}",
                               "--json"], env=dict(h.CHILD_ENV, **env), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for i in range(tasks)]
    errors, too_many = 0, 0
    for p in procs:
        out, _ = p.communicate()
        if p.returncode != 0:
            errors += 1
            too_many += "too many clients" in out
    elapsed = time.monotonic() - t0
    return {"wakes": tasks, "errors": errors, "too_many_clients": too_many,
            "peak_sessions": sessions.stop(), "elapsed_s": elapsed, "wins": done_claims()}


def storm(h, fleet_config, envs, slots):
    """Every host catching up on the same task's `slots` missed slots at once
    (catch_up = "all"): one session per host, a claim decision per slot and
    host, the hosts racing for the task's advisory lock."""
    h.log(f"fleet: {len(envs)} hosts catching up on {slots} slots of one task at once")
    body = db_toml(h.CONNINFO) + '[cluster]\ndatabase = "main"\n\n' + (
        '[[task]]\nname = "storm"\nschedule = "minutely"\ncatch_up = "all"\n'
        'command = ["/bin/true"]\n')
    config = h.make_file(h.WORK / "storm" / "config.toml", body)
    for env in envs:
        subprocess.run(["rm", "-rf", str(Path(env["STATE_DIRECTORY"]) / "slots")], check=True)
    schedule = normalized_minutely(h, config, envs[0], "storm")
    psql(f"DELETE FROM {CLUSTER_SCHEMA}.claims", h.CONNINFO)
    for env in envs:
        write_state(env["STATE_DIRECTORY"], "storm", minute_slots_ago(slots), schedule)
    ticks0, t0, sessions = server_ticks(), time.monotonic(), SessionPeak()
    procs = [subprocess.Popen([h.PT_BIN, "--config", config, "run", "--scheduled", "storm", "--json"],
                              env=dict(h.CHILD_ENV, **env), stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True) for env in envs]
    decisions, won, errors, failed = 0, 0, 0, 0
    for p in procs:
        out, _ = p.communicate()
        failed += p.returncode != 0
        for line in out.splitlines():
            try:
                task = json.loads(line)["tasks"][0]
            except (ValueError, KeyError, IndexError):
                continue
            decisions += 1
            won += task.get("claim_attempt") is not None
            errors += task.get("result") == "error"
    elapsed = time.monotonic() - t0
    peak = sessions.stop()
    tick_s = 1.0 / os.sysconf("SC_CLK_TCK")
    done = int(subprocess.run(
        [h.PSQL, "-X", "-A", "-t", h.CONNINFO, "-c",
         f"SELECT count(*) FROM {CLUSTER_SCHEMA}.claims WHERE state = 'done'"],
        capture_output=True, text=True, check=True).stdout.strip())
    return {"hosts": len(envs), "slots": slots, "decisions": decisions, "won": won, "done": done,
            "errors": errors, "failed_runs": failed, "elapsed_s": elapsed, "peak_sessions": peak,
            "server_cpu_s": (server_ticks() - ticks0) * tick_s}


def run_all(h):
    return {"sql_latency": sql_latency(h), "idle_wake": idle_wake(h), "generator": generator(h),
            "cluster_slot": cluster_per_slot(h), "fleet": fleet(h)}
