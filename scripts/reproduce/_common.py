"""Shared pieces of the reproduce scripts (scripts/reproduce/*.py): paths, the command echo,
the markdown file, the optional matplotlib import.

Conventions of every script:
  --build DIR   the build folder whose bin/ holds the binaries (default: $STREAMGNN_BUILD_DIR or build/)
  --out DIR     where <name>.md (and <name>.png) go (default: results/, or results/quick/ with --quick)
  --raw PATH    the raw JSON (default: bench/results/<bench>.json, or <out>/<name>.json with --quick)
  --quick       tiny sizes / few seeds / few epochs: checks that the pipeline runs end to end in
                seconds (python/tests/test_reproduce.py); its numbers mean nothing, and it never
                overwrites results/ or bench/results/ unless told to with --out / --raw.
"""
import os
import shlex
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def default_build():
    return os.environ.get("STREAMGNN_BUILD_DIR") or os.path.join(ROOT, "build")


def default_datasets():
    return os.environ.get("STREAMGNN_DATASETS_DIR") or os.path.join(ROOT, "..", "shared", "datasets")


def add_common_args(parser, raw=True):
    parser.add_argument("--build", default=default_build(), help="build folder (binaries in <build>/bin)")
    parser.add_argument("--out", default=None, help="folder of the markdown table and plot "
                        "(default results/, with --quick results/quick/)")
    if raw:
        parser.add_argument("--raw", default=None, help="raw JSON path (default bench/results/<bench>.json, "
                            "with --quick <out>/<name>.json)")
    if raw:
        parser.add_argument("--from-raw", action="store_true",
                            help="run nothing: rebuild the tables from the existing raw JSON (--raw)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, few repeats/seeds/epochs: a smoke run of the whole pipeline")


def out_dir(args):
    d = args.out or os.path.join(ROOT, "results", "quick" if args.quick else "")
    d = os.path.abspath(d)
    os.makedirs(d, exist_ok=True)
    return d


def raw_path(args, name, bench_json):
    if args.raw:
        p = os.path.abspath(args.raw)
    elif args.quick:
        p = os.path.join(out_dir(args), name + ".json")
    else:
        p = os.path.join(ROOT, "bench", "results", bench_json)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    return p


def binary(args, name, target=None):
    path = os.path.join(os.path.abspath(args.build), "bin", name)
    if not os.access(path, os.X_OK):
        sys.exit(f"error: {path} is missing or not executable; build it first: "
                 f"scripts/build --target {target or name}")
    return path


def show(cmd):
    """The command as one shell line, paths under the repository shown relative to it."""
    def rel(c):
        c = str(c)
        if c.startswith(ROOT + os.sep):
            return os.path.relpath(c, ROOT)
        return c
    return " ".join(shlex.quote(rel(c)) for c in cmd)


def run(cmd, capture=False, **kw):
    print("running:", show(cmd), flush=True)
    if capture:
        proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
        if proc.returncode != 0:
            sys.exit(f"failed ({proc.returncode}): {show(cmd)}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
        return proc
    subprocess.run([str(c) for c in cmd], check=True, **kw)
    return None


def script_line():
    return " ".join([os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)] + [shlex.quote(a) for a in sys.argv[1:]])


def write_md(directory, name, text):
    path = os.path.join(directory, name + ".md")
    with open(path, "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")
    print(text)
    print(f"wrote {path}")
    return path


def pyplot():
    """matplotlib.pyplot with the Agg backend, or None (then the script writes no plot)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        print("matplotlib missing (Debian python3-matplotlib): no plot", file=sys.stderr)
        return None


def millions(x, digits=2):
    return f"{x / 1e6:.{digits}f}M"
