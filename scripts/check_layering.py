#!/usr/bin/env python3
"""Checks the module layering of ../shared/DESIGN.md ("Layout") on the #include lines of the
tree: arrows point down only, and the low modules include no LibTorch header.

    core <- graph <- sampling <- memory <- models <- trainers <- apps, service, python
    datasets uses core and graph; features uses core only; comm uses core and graph

bench/ (benchmark workloads and executables) may use every library below apps; tests/ anything.
Usage: scripts/check_layering.py [ROOT]; prints one line per forbidden include and exits 1 when
there is one (ctest `layering_test`; python/tests/test_layering.py checks the checker itself).
"""
import os
import re
import sys

_LOW = {"core", "graph", "sampling", "datasets", "features", "memory", "comm", "models"}
# module -> the other modules its files may include
ALLOWED = {
    "core": set(),
    "graph": {"core"},
    "sampling": {"core", "graph"},
    "datasets": {"core", "graph"},
    "features": {"core"},
    "memory": {"core", "graph", "sampling", "features"},
    "comm": {"core", "graph"},
    "models": {"core", "graph", "sampling", "features", "memory"},
    "trainers": _LOW,
    "service": _LOW | {"trainers"},
    "python": _LOW | {"trainers", "service"},
    "bench": _LOW | {"trainers", "service"},
    "apps": _LOW | {"trainers", "service", "bench"},
}
# Modules that stay LibTorch-free (fast to compile, usable alone).
TORCH_FREE = {"core", "graph", "sampling", "datasets", "comm"}
SOURCES = (".h", ".cc", ".cu", ".cuh")
_QUOTED = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/[^"]+"')
_TORCH = re.compile(r'^\s*#\s*include\s+[<"](torch|ATen|c10)/')


def violations(root):
    """[(path relative to root, line number, message)] of every forbidden include."""
    found = []
    for module in sorted(ALLOWED):
        top = os.path.join(root, module)
        for folder, _, files in os.walk(top):
            for name in sorted(files):
                if not name.endswith(SOURCES):
                    continue
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root)
                with open(path, errors="replace") as f:
                    for number, line in enumerate(f, 1):
                        m = _QUOTED.match(line)
                        if m and m[1] in ALLOWED and m[1] != module and m[1] not in ALLOWED[module]:
                            allowed = ", ".join(sorted(ALLOWED[module])) or "nothing"
                            found.append((rel, number, f"{module}/ includes {m[1]}/ ({line.strip()}); "
                                                       f"{module}/ may include only {allowed}"))
                        if module in TORCH_FREE and _TORCH.match(line):
                            found.append((rel, number, f"{module}/ includes a LibTorch header ({line.strip()}); "
                                                       f"{module}/ stays LibTorch-free"))
    return found


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    found = violations(root)
    for rel, number, message in found:
        print(f"{rel}:{number}: {message}")
    if found:
        print(f"{len(found)} forbidden include(s): see ../shared/DESIGN.md, Layout", file=sys.stderr)
        return 1
    print(f"layering ok: {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
