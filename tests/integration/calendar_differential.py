#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compares `periodic_tasks calendar --json` with `systemd-analyze calendar`.

Usage: calendar_differential.py PERIODIC_TASKS CORPUS_FILE [--generated N] [--seed S]

Each expression of the hand-picked corpus (one per line, "#" comments) is
evaluated at every base time in every zone below; each of N generated
expressions (seeded, so every run checks the same ones) at one base time and
zone picked in turn. The zone is systemd-analyze's TZ and our --timezone: the
zone of expressions without one. Both tools must agree on validity, the
normalized form and every elapse, to the second (systemd-analyze prints no
fractions; the unit tests pin those). Oracle calls are batched, two at a time.
Prints the disagreements and exits 1, or a summary and exits 0.
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import random
import re
import subprocess
import sys

ITERATIONS = 6
BATCH = 400

# Base times, most just before a DST switch (UTC seconds).
BASES = [
    "@1711800000",  # 2024-03-30 12:00:00 UTC: the day before Europe springs forward
    "@1711846799",  # 2024-03-31 00:59:59 UTC: one second before it
    "@1729989000",  # 2024-10-27 00:30:00 UTC: half an hour before Europe falls back
    "@1710053940",  # 2024-03-10 06:59:00 UTC: a minute before New York springs forward
    "@1730611800",  # 2024-11-03 05:30:00 UTC: half an hour before New York falls back
    "@1709164799",  # 2024-02-28 23:59:59 UTC: before a leap day
    "@1704067199.5",  # 2023-12-31 23:59:59.5 UTC: a fraction before a new year
    "@7258114800",  # 2199-12-31 23:00:00 UTC: the last hour systemd computes
    "@0",
]
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe"]

LABEL = re.compile(r"^ {0,15}(Original form|Normalized form|Next elapse|\(in UTC\)|From now|Iter\. #\d+): (.*)$")
STAMP = re.compile(r"^\w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) (\S+)$")


def read_corpus(path):
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    # A line is an expression as written (spaces kept); "#" starts a comment line.
    return [line for line in lines if line and not line.startswith("#")]


def utc_text(stamp):
    m = STAMP.match(stamp)
    if not m or m.group(3) != "UTC":
        raise ValueError(f"unexpected timestamp {stamp!r}")
    return f"{m.group(1)}T{m.group(2)}Z"


def parse_oracle(stdout):
    """Returns the blocks systemd-analyze printed: (original, normalized, [utc elapses])."""
    blocks, current, pending = [], None, None
    for line in stdout.splitlines():
        if not line:
            continue
        m = LABEL.match(line)
        if not m:
            raise ValueError(f"unexpected systemd-analyze line {line!r}")
        label, value = m.groups()
        if label == "Original form" or (label == "Normalized form" and
                                        (current is None or current[1] is not None)):
            if pending is not None:
                current[2].append(utc_text(pending))
                pending = None
            current = [value, None, []]
            blocks.append(current)
        if label == "Normalized form":
            current[1] = value
            if current[0] is None:
                current[0] = value
        elif label == "Next elapse" and value == "never":
            pass
        elif label == "Next elapse" or label.startswith("Iter."):
            if pending is not None:
                current[2].append(utc_text(pending))
            pending = value
        elif label == "(in UTC)":
            current[2].append(utc_text(value))
            pending = None
    if pending is not None:
        current[2].append(utc_text(pending))
    return blocks


def run_oracle(expressions, base, zone, iterations):
    env = dict(os.environ, TZ=zone, SYSTEMD_COLORS="0", SYSTEMD_PAGER="", LC_ALL="C.UTF-8")
    return subprocess.run(["systemd-analyze", "calendar", f"--base-time={base}",
                           f"--iterations={iterations}", "--", *expressions],
                          env=env, capture_output=True, text=True, check=False)


def gave_up(expression, base, zone):
    """The elapses of an expression whose later elapse systemd gave up on.

    systemd's 1000-round safety valve (EDEADLK) makes systemd-analyze print
    nothing for the whole expression; our evaluator says "never" from there on.
    Asking for fewer iterations finds the elapses before it."""
    for iterations in range(ITERATIONS - 1, -1, -1):
        out = run_oracle([expression], base, zone, iterations)
        if out.returncode == 0:
            block = parse_oracle(out.stdout)[0]
            return {"normalized": block[1], "next": block[2]}
    raise ValueError(f"systemd-analyze cannot normalize {expression!r}")


def oracle(expressions, base, zone):
    out = run_oracle(expressions, base, zone, ITERATIONS)
    blocks = parse_oracle(out.stdout)
    results, i = [], 0
    for expression in expressions:
        if i < len(blocks) and blocks[i][0] == expression:
            results.append({"normalized": blocks[i][1], "next": blocks[i][2]})
            i += 1
        elif f"Failed to determine next elapse for '{expression}':" in out.stderr:
            results.append(gave_up(expression, base, zone))
        else:
            results.append(None)
    if i != len(blocks):
        raise ValueError(f"could not match systemd-analyze's output to the expressions ({base}, {zone})")
    return results


def ours(binary, expressions, base, zone):
    out = subprocess.run([binary, "calendar", "--json", f"--base-time={base}",
                          f"--timezone={zone}", f"--iterations={ITERATIONS}", "--", *expressions],
                         capture_output=True, text=True, check=False)
    if out.returncode not in (0, 64):
        raise RuntimeError(f"periodic_tasks calendar exited {out.returncode}: {out.stderr}")
    results = []
    for item in json.loads(out.stdout):
        if "normalized" in item:
            # systemd-analyze shows whole seconds: drop the fraction.
            results.append({"normalized": item["normalized"],
                            "next": [re.sub(r"\.\d+Z$", "Z", t) for t in item["next"]]})
        else:
            results.append(None)
    return results


# --- the generator -----------------------------------------------------------

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SHORTHANDS = ["minutely", "hourly", "daily", "monthly", "weekly", "yearly", "annually", "anually",
              "quarterly", "semiannually", "semi-annually", "biannually", "bi-annually"]
NAMED_ZONES = ["UTC", "utc", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
               "Asia/Kolkata", "Etc/GMT+5", "Etc/UTC", "CET", "EST", "Mars/Olympus", "europe/berlin",
               "America", "Europe//Berlin"]
ABBREVIATIONS = ["CET", "CEST", "EST", "EDT", "cet", "AEDT"]


def case(r, word):
    choice = r.random()
    if choice < 0.1:
        return word.upper()
    if choice < 0.2:
        return word.lower()
    return word


def weekdays(r):
    parts = []
    for _ in range(r.choice([1, 1, 2, 3])):
        names = LONG if r.random() < 0.2 else WEEKDAYS
        a = r.randrange(7)
        if r.random() < 0.35:
            b = r.randrange(7) if r.random() < 0.2 else r.randrange(a, 7)
            parts.append(case(r, names[a]) + r.choice(["..", "..", "-"]) + case(r, names[b]))
        else:
            parts.append(case(r, names[a]))
    text = ",".join(parts)
    if r.random() < 0.03:
        text += ","
    return text


def number(r, low, high, width):
    if r.random() < 0.04:
        value = r.choice([high + 1, low - 1 if low > 0 else high + 7, 99, 1000])
    else:
        value = r.randint(low, high)
    return str(value).zfill(width if r.random() < 0.8 else 1)


def component(r, low, high, width, bias=None):
    pick = lambda: number(r, low, high, width) if bias is None or r.random() < 0.5 else str(r.choice(bias)).zfill(width)
    roll = r.random()
    if roll < 0.55:
        return pick()
    if roll < 0.7:
        return f"{pick()}..{pick()}"
    if roll < 0.85:
        return f"{pick()}/{r.randint(1, max(1, (high - low) // 2))}"
    return f"{pick()}..{pick()}/{r.randint(1, max(1, (high - low) // 3))}"


def chain(r, low, high, width, star=0.4, bias=None):
    if r.random() < star:
        return "*"
    return ",".join(component(r, low, high, width, bias) for _ in range(r.choice([1, 1, 1, 2, 3])))


def seconds(r):
    roll = r.random()
    if roll < 0.35:
        return r.choice(["00", "0", "*", "30", "59"])
    if roll < 0.55:
        return f"{r.randint(0, 59):02}.{r.randint(0, 999999):0{r.randint(1, 7)}}"
    if roll < 0.75:
        return f"{r.randint(0, 10)}/{r.choice(['0.5', '0.25', '1.5', '7', '15', '0.000001', '20'])}"
    if roll < 0.85:
        return f"{r.randint(0, 3)}..{r.randint(2, 59)}/{r.choice(['0.5', '2', '10'])}"
    return chain(r, 0, 59, 2, star=0.2)


def date(r):
    roll = r.random()
    day_bias = [1, 28, 29, 30, 31, 10, 27, 3]
    month = chain(r, 1, 12, 2, star=0.5, bias=[2, 3, 10, 11, 12])
    if r.random() < 0.15:
        day = str(r.randint(1, 4)) if r.random() < 0.7 else chain(r, 1, 30, 1, star=0)
        return f"{month}~{day}" if roll < 0.5 else f"{chain(r, 2024, 2030, 4, star=0.7)}-{month}~{day}"
    day = chain(r, 1, 31, 2, star=0.4, bias=day_bias)
    if roll < 0.35:
        return f"{month}-{day}"
    year = chain(r, 2023, 2035, 4, star=0.6, bias=[2024, 2028, 2100, 2199, 24, 99, 70])
    return f"{year}-{month}-{day}"


def time(r):
    hour = chain(r, 0, 23, 2, star=0.3, bias=[1, 2, 3, 0, 23])
    minute = chain(r, 0, 59, 2, star=0.3, bias=[0, 30, 59, 15])
    if r.random() < 0.4:
        return f"{hour}:{minute}"
    return f"{hour}:{minute}:{seconds(r)}"


def expression(r):
    roll = r.random()
    if roll < 0.05:
        text = case(r, r.choice(SHORTHANDS))
    elif roll < 0.08:
        text = f"@{r.choice([r.randint(0, 4102444800), 0, 1234567890, 7258118400, 99999999999])}"
    else:
        parts = []
        if r.random() < 0.3:
            parts.append(weekdays(r))
        if r.random() < 0.7:
            parts.append(date(r))
        if r.random() < 0.85 or not parts:
            parts.append(time(r))
        text = " ".join(parts)
    zone_roll = r.random()
    if zone_roll < 0.3:
        text += " " + r.choice(NAMED_ZONES)
    elif zone_roll < 0.38:
        text += " " + r.choice(ABBREVIATIONS)
    if r.random() < 0.12:
        text = mutate(r, text)
    return text


def mutate(r, text):
    i = r.randrange(len(text) + 1)
    action = r.random()
    if action < 0.4 and text:
        return text[:i] + text[i + 1:]
    char = r.choice("0123456789:-.,~/* @Mx\t")
    return text[:i] + char + text[i:]


# --- the comparison ----------------------------------------------------------

def run_batch(binary, expressions, base, zone):
    return expressions, base, zone, oracle(expressions, base, zone), ours(binary, expressions, base, zone)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("corpus")
    parser.add_argument("--generated", type=int, default=40000)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()

    jobs = {}  # (base, zone) -> expressions
    corpus = read_corpus(args.corpus)
    for base in BASES:
        for zone in ZONES:
            jobs.setdefault((base, zone), []).extend(corpus)
    r = random.Random(args.seed)
    combos = [(b, z) for b in BASES for z in ZONES]
    for n in range(args.generated):
        jobs[combos[n % len(combos)]].append(expression(r))

    batches = []
    for (base, zone), expressions in jobs.items():
        for i in range(0, len(expressions), BATCH):
            batches.append((expressions[i:i + BATCH], base, zone))

    problems, evaluations, valid, elapses = [], 0, 0, 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(run_batch, args.binary, *batch) for batch in batches]
        for future in concurrent.futures.as_completed(futures):
            expressions, base, zone, theirs, mine = future.result()
            for expression_text, t, m in zip(expressions, theirs, mine):
                evaluations += 1
                if t is not None:
                    valid += 1
                    elapses += len(t["next"])
                if t != m:
                    problems.append(f"{expression_text!r} (TZ={zone}, --base-time={base}):\n"
                                    f"    systemd-analyze: {t}\n    periodic_tasks:  {m}")

    for line in sorted(problems)[:40]:
        print(line)
    if problems:
        print(f"FAIL: {len(problems)} of {evaluations} evaluations disagree")
        return 1
    print(f"OK: {len(corpus)} hand-picked and {args.generated} generated expressions, "
          f"{evaluations} evaluations ({valid} valid, {evaluations - valid} invalid, "
          f"{elapses} elapses) agree with systemd-analyze")
    return 0


if __name__ == "__main__":
    sys.exit(main())
