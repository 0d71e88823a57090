#!/usr/bin/env python3
"""Reproduces the foundation benchmark of docs/benchmarks.md ("Temporal block store vs T-CSR
(workload W1)"): 100k nodes, 1M Zipf(1.0) edges, both directions stored, batches of 600 edges =
1,800 roots, 2 threads, on the temporal block store against a T-CSR built from all edges at once,
sampled through the same sampler code; then the ingestion table (appends in batches of 1k, 10k,
100k edges against one T-CSR rebuild).

Writes results/temporal_store_w1.md (both tables, the docs' columns) and
results/temporal_store_w1.png (plot), and the raw JSON to bench/results/temporal_store.json.
About 2-3 minutes on a 2-core machine. --quick: 2,000 nodes, 20,000 edges, 1 repeat (seconds).

    scripts/build --target bench_temporal_store && scripts/reproduce/temporal_store_w1.py
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "temporal_store_w1"
SAMPLE_HEADER = ("| sampling | block store roots/s | T-CSR roots/s | store / T-CSR time | store s (min..max) "
                 "| T-CSR s (min..max) | identical |")
INGEST_HEADER = "| batch | append edges/s | one batch vs one T-CSR rebuild | store bytes/edge | T-CSR bytes/edge |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.add_argument("--repeats", type=int, default=None, help="default 5 (--quick: 1)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--edges", type=int, default=None, help="default 1,000,000 (--quick: 20,000)")
    parser.add_argument("--nodes", type=int, default=None, help="default 100,000 (--quick: 2,000)")
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 5)
    edges = args.edges or (20000 if args.quick else 1000000)
    nodes = args.nodes or (2000 if args.quick else 100000)

    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "temporal_store.json")
    cmd = [c.binary(args, "bench_temporal_store"), "--repeats", str(repeats), "--threads", str(args.threads),
           "--edges", str(edges), "--nodes", str(nodes), "--out", raw]
    if not args.from_raw:
        c.run(cmd)
    with open(raw) as f:
        rows = json.load(f)

    samples = [r for r in rows if r["bench"] == "sample"]
    lines = ["# Workload W1: temporal block store vs T-CSR", "",
             f"Command: `{c.show(cmd)}` ({nodes:,} nodes, {edges:,} edges, {repeats} repeats, "
             f"{args.threads} threads; medians, spread min..max).", "",
             SAMPLE_HEADER, "|---|---|---|---|---|---|---|"]
    for r in samples:
        s, t = r["store_seconds"], r["tcsr_seconds"]
        lines.append(f"| {r['config']} | {c.millions(r['store_roots_per_s'])} | {c.millions(r['tcsr_roots_per_s'])} | "
                     f"{r['store_vs_tcsr_time']:.2f}x | {s['min']:.3f}..{s['max']:.3f} | "
                     f"{t['min']:.3f}..{t['max']:.3f} | {'yes' if r['identical_to_tcsr'] else '**no**'} |")
    lines += ["", INGEST_HEADER, "|---|---|---|---|---|"]
    for r in (r for r in rows if r["bench"] == "ingest"):
        a = r["append_seconds"]
        lines.append(f"| {r['batch_size']:,} | {c.millions(r['edges_per_s'])} ({a['min']:.3f}..{a['max']:.3f} s) | "
                     f"{r['append_vs_rebuild']:.0f}x cheaper | {r['bytes_per_edge']:.1f} | "
                     f"{r['tcsr_bytes_per_edge']:.1f} |")
    c.write_md(out, NAME, "\n".join(lines))

    plt = c.pyplot()
    if plt is None:
        return 0
    fig, ax = plt.subplots(figsize=(7, 4))
    names = [r["config"] for r in samples]
    x = range(len(names))
    ax.bar([i - 0.2 for i in x], [r["store_roots_per_s"] / 1e6 for r in samples], 0.4, label="block store")
    ax.bar([i + 0.2 for i in x], [r["tcsr_roots_per_s"] / 1e6 for r in samples], 0.4, label="T-CSR (rebuilt)")
    ax.set_xticks(list(x))
    ax.set_xticklabels(names)
    ax.set_ylabel("million roots / s (median)")
    ax.set_title(f"W1 sampling, {args.threads} threads")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, NAME + ".png"), dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
