#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the layering of src/ (docs/ARCHITECTURE.md) from the #include lines.

A module is a .hpp/.cpp pair (src/run/runner.hpp + src/run/runner.cpp); a
folder's internal.hpp is the private inside of that folder's .cpp files, not a
module, so including it from its own folder is no edge. Fails,
naming the files, when:
  - modules include each other in a cycle (A -> B -> ... -> A);
  - a file in util/ includes anything outside util/ (util/ is generic);
  - a file in schedule/ includes anything outside schedule/ and util/ (the
    calendar evaluator is pure but for zone files, and the config, the
    generator and the runner all build on it);
  - a header includes the .cpp-private inside of another folder (internal.hpp).
Prints one line per problem and exits 1, or prints a summary and exits 0.
"""
import os
import re
import sys

# Folders that may include only themselves and the folders listed.
SELF_CONTAINED = {"util": (), "schedule": ("util",)}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def modules(src):
    graph = {}
    for folder, _, files in os.walk(src):
        for name in files:
            if not name.endswith((".hpp", ".cpp")):
                continue
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, src)
            module = os.path.splitext(rel)[0]
            deps = graph.setdefault(module, {})
            with open(path, encoding="utf-8") as f:
                for inc in INCLUDE.findall(f.read()):
                    dep = os.path.splitext(inc)[0]
                    same_folder_inside = (dep.endswith("/internal")
                                          and dep.split("/")[0] == module.split("/")[0])
                    if dep != module and not same_folder_inside and os.path.exists(os.path.join(src, inc)):
                        deps.setdefault(dep, rel)
    return graph


def cycles(graph):
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, {})):
            if state.get(dep) == 1:
                found.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "src"
    graph = modules(src)
    problems = []
    for cycle in cycles(graph):
        problems.append("include cycle: " + " -> ".join(cycle))
    for module, deps in sorted(graph.items()):
        for dep, where in sorted(deps.items()):
            folder, dep_folder = module.split("/")[0], dep.split("/")[0]
            allowed = SELF_CONTAINED.get(folder)
            if allowed is not None and dep_folder != folder and dep_folder not in allowed:
                may = " and ".join(f"{f}/" for f in (folder,) + allowed)
                problems.append(f"src/{where}: {folder}/ includes {dep}; {folder}/ may include only {may}")
            if dep.endswith("/internal") and dep.split("/")[0] != module.split("/")[0]:
                problems.append(f"src/{where}: includes {dep}.hpp, the inside of another folder")
    for line in problems:
        print(line)
    if problems:
        return 1
    print(f"{len(graph)} modules, no include cycle, util/ and schedule/ self-contained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
