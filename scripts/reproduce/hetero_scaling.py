#!/usr/bin/env python3
"""Reproduces docs/hetero.md, "Scaling with the number of relation types": BG-HGNN against R-GCN
and HGT on typed SBMs of a fixed size (3 node types x 2,000 nodes, 40,000 edges) spread over
R = 2, 10, 100, 1,000 relation types, all in one run of bench/bench_hetero_scaling: trainable
parameters, full-graph training epochs per second (median, min-max over 19 epochs after a warm-up
epoch) and test accuracy after 20 epochs. Writes results/hetero_scaling.md (the table, and the
ratios of BG-HGNN against each baseline), results/hetero_scaling.png, raw JSON
bench/results/hetero_scaling.json. About 5-10 minutes on 2 cores. --quick: the same R on a
300-node, 4,000-edge graph, 2 epochs (seconds; the figures mean nothing).

    scripts/build --target bench_hetero_scaling && scripts/reproduce/hetero_scaling.py
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "hetero_scaling"
MODELS = ["rgcn", "hgt", "bghgnn"]
LABEL = {"rgcn": "R-GCN", "hgt": "HGT", "bghgnn": "BG-HGNN"}


def table(rows):
    lines = ["| relations | model | parameters | epochs/s (median, min-max) | test accuracy |",
             "|---:|---|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['relations']:,} | {LABEL[r['model']]} | {r['parameters']:,} | "
                     f"{r['epochs_per_s_median']:.2f} ({r['epochs_per_s_min']:.2f}-{r['epochs_per_s_max']:.2f}) | "
                     f"{100 * r['test_acc']:.1f} |")
    return lines


def ratios(rows):
    by = {(r["relations"], r["model"]): r for r in rows}
    lines = ["| relations | parameters: R-GCN / BG-HGNN | HGT / BG-HGNN | throughput: BG-HGNN / R-GCN | BG-HGNN / HGT |",
             "|---:|---:|---:|---:|---:|"]
    for rel in sorted({r["relations"] for r in rows}):
        bg, rg, hg = by[(rel, "bghgnn")], by[(rel, "rgcn")], by[(rel, "hgt")]
        lines.append(f"| {rel:,} | {rg['parameters'] / bg['parameters']:.2f}x | {hg['parameters'] / bg['parameters']:.2f}x | "
                     f"{bg['epochs_per_s_median'] / rg['epochs_per_s_median']:.2f}x | "
                     f"{bg['epochs_per_s_median'] / hg['epochs_per_s_median']:.2f}x |")
    return lines


def plot(rows, path):
    plt = c.pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for m in MODELS:
        rs = sorted((r for r in rows if r["model"] == m), key=lambda r: r["relations"])
        x = [r["relations"] for r in rs]
        axes[0].plot(x, [r["parameters"] for r in rs], marker="o", label=LABEL[m])
        axes[1].plot(x, [r["epochs_per_s_median"] for r in rs], marker="o", label=LABEL[m])
        axes[2].plot(x, [100 * r["test_acc"] for r in rs], marker="o", label=LABEL[m])
    for ax, title in zip(axes, ["trainable parameters", "training epochs / s", "test accuracy (%)"]):
        ax.set_xscale("log")
        ax.set_xlabel("relation types")
        ax.set_title(title)
    axes[0].set_yscale("log")
    axes[1].set_yscale("log")
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "hetero_scaling.json")
    if not args.from_raw:
        binary = c.binary(args, "bench_hetero_scaling")
        sizes = (["--nodes", "300", "--edges", "4000", "--epochs", "2"] if args.quick
                 else ["--nodes", "2000", "--edges", "40000", "--epochs", "20"])
        c.run([binary, "--relations", "2,10,100,1000", *sizes, "--threads", str(args.threads), "--out", raw])
    with open(raw) as f:
        data = json.load(f)
    rows = data["rows"]
    text = "\n".join([f"Command: `{c.script_line()}` (raw: `{data['command']}`).", "", *table(rows), "",
                      "BG-HGNN against the relation-specific models:", "", *ratios(rows)])
    c.write_md(out, NAME, text)
    plot(rows, os.path.join(out, NAME + ".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
