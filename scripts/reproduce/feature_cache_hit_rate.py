#!/usr/bin/env python3
"""Reproduces docs/benchmarks.md, "Feature cache": hit rates of the cache policies (lru, lfu,
fifo, static from pre-sampling, static-degree) next to Belady's optimum (cold and warm start) at
5%, 10% and 20% capacity, on the node and edge feature traces of one TGN-style epoch over
wikipedia_jodie's training split (batches of 200) and over W1 (100k nodes, 1M Zipf edges, batches
of 600); then the best policy against Belady (warm) at 10%.

Hit rates are deterministic, so the tables match the docs exactly. Writes
results/feature_cache_hit_rate.md (the five tables, the docs' columns, best policy in bold),
results/feature_cache_hit_rate.png, raw JSON bench/results/cache_hit_rate.json. About 85 s on 2
cores. --quick: the first 5,000 wikipedia events and a 2,000-node, 20,000-edge W1 (seconds).

    scripts/build --target bench_cache_hit_rate && scripts/reproduce/feature_cache_hit_rate.py
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "feature_cache_hit_rate"
POLICIES = ["lru", "lfu", "fifo", "static", "static-degree"]
CHECK_HEADER = "| trace | best | its hit rate | Belady (warm) | gap | within 10 points |"


def table_header(policies):
    cols = ["ratio", "capacity"] + policies + ["Belady (cold)", "Belady (warm)"]
    return "| " + " | ".join(cols) + " |", "|---|" + "---:|" * (len(cols) - 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.add_argument("--datasets", default=c.default_datasets())
    parser.add_argument("--w1-nodes", type=int, default=None, help="default 100,000 (--quick: 2,000)")
    parser.add_argument("--w1-edges", type=int, default=None, help="default 1,000,000 (--quick: 20,000)")
    parser.add_argument("--wikipedia-events", type=int, default=None,
                        help="use only the first N events of wikipedia.csv (default all; --quick: 5,000)")
    args = parser.parse_args()
    w1_nodes = args.w1_nodes or (2000 if args.quick else 100000)
    w1_edges = args.w1_edges or (20000 if args.quick else 1000000)
    wiki_events = args.wikipedia_events or (5000 if args.quick else None)

    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "cache_hit_rate.json")
    wiki = os.path.join(args.datasets, "wikipedia_jodie", "wikipedia.csv")
    if not os.path.exists(wiki):
        sys.exit(f"error: {wiki} is missing (see ../shared/datasets/README.md)")
    with tempfile.TemporaryDirectory() as tmp:
        if wiki_events:
            head = os.path.join(tmp, "wikipedia_head.csv")
            with open(wiki) as src, open(head, "w") as dst:
                for i, line in enumerate(src):
                    if i > wiki_events:
                        break
                    dst.write(line)
            wiki = head
        cmd = [c.binary(args, "bench_cache_hit_rate"), "--wikipedia", os.path.abspath(wiki),
               "--w1-nodes", str(w1_nodes), "--w1-edges", str(w1_edges), "--out", raw]
        stdout = ""
        if not args.from_raw:
            print("running:", c.show(cmd), flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True)
            stdout = proc.stdout
            sys.stdout.write(stdout)
            if proc.returncode != 0:
                sys.exit(f"failed ({proc.returncode}):\n{proc.stderr}")
    # "wikipedia_jodie nodes: 9227 keys, 468286 accesses in 552 batches"
    keys = {(m[1], m[2]): (int(m[3]), int(m[4]))
            for m in re.finditer(r"^(\S+) (nodes|edges): (\d+) keys, (\d+) accesses", stdout, re.M)}
    with open(raw) as f:
        data = json.load(f)
    rows = data["rows"]

    lines = ["# Feature cache: policies against Belady", "",
             f"Command: `{c.show(cmd)}`" + (" (quick: truncated traces)" if args.quick else "") +
             ". Percent of accesses that hit; the best policy of each row in bold.", ""]
    traces = []
    for r in rows:
        if (r["dataset"], r["trace"]) not in traces:
            traces.append((r["dataset"], r["trace"]))
    for dataset, trace in traces:
        sub = [r for r in rows if r["dataset"] == dataset and r["trace"] == trace]
        policies = [p for p in POLICIES if any(r["policy"] == p for r in sub)]
        n_keys, n_acc = keys.get((dataset, trace), (None, sub[0]["accesses"]))
        kind = "node" if trace == "nodes" else "edge"
        lines.append(f"**{dataset}, {kind} features** (" + (f"{n_keys:,} rows; " if n_keys else "") +
                     f"{n_acc:,} accesses)")
        lines.append("")
        lines += table_header(policies)
        for ratio in sorted({r["ratio"] for r in sub}):
            at = {r["policy"]: r for r in sub if r["ratio"] == ratio}
            best = max(policies, key=lambda p: at[p]["hit_rate"])
            cells = [f"**{100 * at[p]['hit_rate']:.1f}**" if p == best else f"{100 * at[p]['hit_rate']:.1f}"
                     for p in policies]
            any_row = at[policies[0]]
            lines.append(f"| {100 * ratio:.0f}% | {any_row['capacity']:,} | " + " | ".join(cells) +
                         f" | {100 * any_row['belady']:.1f} | {100 * any_row['belady_warm']:.1f} |")
        lines.append("")
    lines += ["**Best policy against the optimum at 10%** (target: within 10 points of Belady, warm):", "",
              CHECK_HEADER, "|---|---|---:|---:|---:|---|"]
    checks = data["best_vs_optimal_at_10pct"]
    for k in checks:
        lines.append(f"| {k['dataset']} {k['trace']} | {k['best_policy']} | {100 * k['best_hit_rate']:.1f} | "
                     f"{100 * k['belady_warm']:.1f} | {k['gap_points']:.1f} | "
                     f"{'yes' if k['within_10_points'] else '**no**'} |")
    met = sum(1 for k in checks if k["within_10_points"])
    lines += ["", f"The target is met on {met} trace(s) of {len(checks)}."]
    c.write_md(out, NAME, "\n".join(lines))

    plt = c.pyplot()
    if plt is None:
        return 0
    fig, axes = plt.subplots(1, len(traces), figsize=(4 * len(traces), 3.8), squeeze=False)
    for ax, (dataset, trace) in zip(axes[0], traces):
        sub = [r for r in rows if r["dataset"] == dataset and r["trace"] == trace]
        ratios = sorted({r["ratio"] for r in sub})
        for p in POLICIES:
            ys = [100 * r["hit_rate"] for q in ratios for r in sub if r["ratio"] == q and r["policy"] == p]
            if ys:
                ax.plot([100 * q for q in ratios], ys, "o-", label=p)
        for key, style in (("belady", "k--"), ("belady_warm", "k:")):
            ys = [100 * next(r[key] for r in sub if r["ratio"] == q) for q in ratios]
            ax.plot([100 * q for q in ratios], ys, style, label=key.replace("_", " "))
        ax.set_title(f"{dataset} {trace}")
        ax.set_xlabel("capacity (% of rows)")
        ax.set_ylabel("hit rate (%)")
    axes[0][0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out, NAME + ".png"), dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
