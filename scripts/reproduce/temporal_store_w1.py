#!/usr/bin/env python3
"""Reproduces the foundation benchmark: workload W1 (100k nodes, 1M Zipf(1.0) edges, both
directions stored, batches of 600 edges = 1,800 roots, 2 threads) on the temporal block store
against a T-CSR built from all edges at once, sampled through the same sampler code.

Writes results/temporal_store_w1.md (table) and results/temporal_store_w1.png (plot), and the
raw JSON to bench/results/temporal_store.json. About 2-3 minutes on a 2-core machine.

    scripts/build --target bench_temporal_store && scripts/reproduce/temporal_store_w1.py
"""

import argparse
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    raw = os.path.join(ROOT, "bench", "results", "temporal_store.json")
    cmd = [os.path.join(args.build, "bin", "bench_temporal_store"), "--repeats", str(args.repeats),
           "--threads", str(args.threads), "--out", raw]
    print("running:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    with open(raw) as f:
        rows = json.load(f)

    out_dir = os.path.join(ROOT, "results")
    os.makedirs(out_dir, exist_ok=True)
    lines = ["# Workload W1: temporal block store vs T-CSR", "",
             f"Command: `{' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}`", "",
             "| sampling | store roots/s | T-CSR roots/s | store / T-CSR time (median) | store spread (min..max s) | identical output |",
             "|---|---|---|---|---|---|"]
    samples = [r for r in rows if r["bench"] == "sample"]
    for r in samples:
        s = r["store_seconds"]
        lines.append(f"| {r['config']} | {r['store_roots_per_s'] / 1e6:.2f}M | {r['tcsr_roots_per_s'] / 1e6:.2f}M | "
                     f"{r['store_vs_tcsr_time']:.2f}x | {s['min']:.3f}..{s['max']:.3f} | {r['identical_to_tcsr']} |")
    lines += ["", "| ingest batch | append edges/s | one batch vs T-CSR rebuild | store bytes/edge | T-CSR bytes/edge |",
              "|---|---|---|---|---|"]
    for r in (r for r in rows if r["bench"] == "ingest"):
        lines.append(f"| {r['batch_size']:,} | {r['edges_per_s'] / 1e6:.2f}M | {r['append_vs_rebuild']:.0f}x cheaper | "
                     f"{r['bytes_per_edge']:.1f} | {r['tcsr_bytes_per_edge']:.1f} |")
    table = "\n".join(lines) + "\n"
    with open(os.path.join(out_dir, "temporal_store_w1.md"), "w") as f:
        f.write(table)
    print(table)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing (Debian python3-matplotlib): no plot", file=sys.stderr)
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
    fig.savefig(os.path.join(out_dir, "temporal_store_w1.png"), dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
