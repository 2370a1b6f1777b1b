#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""compile_as.py BUILD_DIR SOURCE SNIPPET_FILE [-- EXTRA_FLAG...]

Compiles SNIPPET_FILE (syntax only) with exactly the flags the build uses for
SOURCE (a path under src/, e.g. src/run/runner.cpp), as recorded in
BUILD_DIR/compile_commands.json, so that a test can ask "would this line
compile in that folder?". Exits with the compiler's status; its diagnostics go
to stderr. Exits 2 when SOURCE is not in the compilation database.
"""
import json
import os
import shlex
import subprocess
import sys


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    build, source, snippet = args
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        database = json.load(f)
    for entry in database:
        if entry["file"].endswith("/" + source):
            argv = shlex.split(entry["command"])
            break
    else:
        print(f"compile_as.py: {source} is not in {build}/compile_commands.json", file=sys.stderr)
        return 2
    out = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("-o", "-c"):
            skip = True
            continue
        out.append(arg)
    out += extra + ["-fsyntax-only", "-x", "c++", os.path.abspath(snippet)]
    return subprocess.run(out, cwd=entry["directory"], check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
