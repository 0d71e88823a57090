#!/usr/bin/env python3
"""Reproduces the "Measured" tables of docs/static.md: cora (Planetoid split) test accuracy at
the best validation epoch, mean ± std over seeds 0-9 for examples/gcn_cora.yaml and
examples/gat_cora.yaml, and the other shipped cora configs over seeds 0-2, each run being
`streamgnn static-train examples/<config> --set train.seed=S` (one thread, as the configs say).

(The ctest `static_gnn_accuracy_test` runs the same two 10-seed series in one process and checks
the thresholds; this script goes through the executable so that every run is the documented
command.) Writes results/static_accuracy.md (both tables, the docs' columns),
results/static_accuracy.png and the per-run JSON results/static_accuracy.json. About 3 minutes on
2 cores. --quick: 2 seeds (first table), seed 0 (second), 3 epochs each (seconds; the accuracies
mean nothing).

    scripts/build && scripts/reproduce/static_accuracy.py
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "static_accuracy"
# (config, model description of the docs, published)
MAIN = [("gcn_cora.yaml", "GCN (2 layers, 16 hidden, dropout 0.5, lr 0.01, wd 5e-4 first layer, 200 epochs)", "81.5"),
        ("gat_cora.yaml", "GAT (8×8 heads, dropout 0.6, lr 0.005, wd 5e-4, patience 100)", "83.0 ± 0.7")]
CORA = None  # <datasets>/cora/converted, set from --datasets
OTHERS = ["sage_cora.yaml", "sage_cora_minibatch.yaml", "gcn_cora_minibatch.yaml", "gat_cora_minibatch.yaml"]


def main_header(seeds):
    return f"| model | config | test accuracy | published | time ({seeds} seeds) |"


def others_header(seeds):
    return f"| config | mode | test accuracy (seeds {', '.join(map(str, seeds))}) | training time a run |"


def run_one(binary, config, seed, extra, tmp):
    log_dir = os.path.join(tmp, f"{config}_{seed}")
    cmd = [binary, "static-train", os.path.join(c.ROOT, "examples", config), "--set", f"train.seed={seed}",
           *extra, "--set", f"dataset.path={CORA}", "--set", f"log.dir={log_dir}", "--set", "log.quiet=true"]
    t0 = time.monotonic()
    c.run(cmd, capture=True)
    wall = time.monotonic() - t0
    with open(os.path.join(log_dir, "summary.json")) as f:
        s = json.load(f)
    return dict(config=config, seed=seed, test_acc=100 * s["test_acc"], val_acc=100 * s["val_acc"],
                selected_epoch=s["selected_epoch"], epochs_run=s["epochs_run"], train_seconds=s["train_seconds"],
                wall_seconds=wall, sampling=s["config"]["sampling"], train=s["config"]["train"])


def mode(r):
    smp, tr = r["sampling"], r["train"]
    if tr["batch_size"] == -1 and all(f == -1 for f in smp["neighbor"]):
        m = "full graph"
    else:
        fan = "all" if all(f == -1 for f in smp["neighbor"]) else "[" + ", ".join(map(str, smp["neighbor"])) + "]"
        m = f"batch {tr['batch_size']}, fan-outs {fan}"
    return m + (f", patience {tr['patience']}" if tr["patience"] > 0 else f", {tr['epoch']} epochs")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser, raw=False)
    parser.add_argument("--datasets", default=c.default_datasets())
    parser.add_argument("--seeds", type=int, default=None, help="seeds of the first table (default 10, --quick 2)")
    parser.add_argument("--other-seeds", type=int, default=None, help="seeds of the second table (default 3, --quick 1)")
    parser.add_argument("--epochs", type=int, default=None, help="override train.epoch (--quick: 3)")
    args = parser.parse_args()
    seeds = args.seeds or (2 if args.quick else 10)
    other_seeds = list(range(args.other_seeds or (1 if args.quick else 3)))
    epochs = args.epochs or (3 if args.quick else None)
    extra = ["--set", f"train.epoch={epochs}"] if epochs else []
    binary = c.binary(args, "streamgnn")
    out = c.out_dir(args)
    global CORA
    CORA = os.path.join(os.path.abspath(args.datasets), "cora", "converted")
    if not os.path.isdir(CORA):
        sys.exit(f"error: {CORA} is missing (see ../shared/datasets/README.md)")

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        main_rows = []
        for config, desc, published in MAIN:
            rs = [run_one(binary, config, s, extra, tmp) for s in range(seeds)]
            runs += rs
            accs = [r["test_acc"] for r in rs]
            wall = sum(r["wall_seconds"] for r in rs)
            ms = 1000 * sum(r["train_seconds"] for r in rs) / max(1, sum(r["epochs_run"] for r in rs))
            main_rows.append(f"| {desc} | examples/{config} | {statistics.mean(accs):.2f} ± "
                             f"{statistics.pstdev(accs):.2f} | {published} | {wall:.0f} s (~{ms:.0f} ms an epoch) |")
            print(main_rows[-1], flush=True)
        other_rows = []
        for config in OTHERS:
            rs = [run_one(binary, config, s, extra, tmp) for s in other_seeds]
            runs += rs
            ts = [r["train_seconds"] for r in rs]
            lo, hi = f"{min(ts):.1f}", f"{max(ts):.1f}"
            accs = ", ".join("%.1f" % r["test_acc"] for r in rs)
            other_rows.append(f"| examples/{config} | {mode(rs[0])} | {accs} | "
                              f"{lo if lo == hi else lo + '-' + hi} s |")
            print(other_rows[-1], flush=True)

    example = c.show([binary, "static-train", os.path.join(c.ROOT, "examples", "gcn_cora.yaml"),
                      "--set", "train.seed=S", *extra])
    lines = ["# cora: static GNN accuracy", "",
             f"Command: `{c.script_line()}`; every run is `{example}` with its config and seed "
             "(test accuracy at the best validation epoch, Planetoid split; mean ± population std).", "",
             main_header(seeds), "|---|---|---|---|---|", *main_rows, "",
             "Time: wall clock of the runs (process start and dataset load included); per epoch: "
             "training time / epochs run.", "",
             others_header(other_seeds), "|---|---|---|---|", *other_rows]
    c.write_md(out, NAME, "\n".join(lines))
    with open(os.path.join(out, NAME + ".json"), "w") as f:
        json.dump(runs, f, indent=1)

    plt = c.pyplot()
    if plt is None:
        return 0
    configs = [m[0] for m in MAIN] + OTHERS
    fig, ax = plt.subplots(figsize=(8, 4))
    for i, cfg in enumerate(configs):
        ys = [r["test_acc"] for r in runs if r["config"] == cfg]
        ax.plot([i] * len(ys), ys, "o", alpha=0.6)
        ax.plot([i - 0.25, i + 0.25], [statistics.mean(ys)] * 2, "k-")
    ax.set_xticks(range(len(configs)))
    ax.set_xticklabels([cfg.replace(".yaml", "") for cfg in configs], rotation=20, fontsize=8)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title("cora, one point per seed, bar = mean")
    fig.tight_layout()
    fig.savefig(os.path.join(out, NAME + ".png"), dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
