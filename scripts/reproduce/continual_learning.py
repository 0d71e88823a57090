#!/usr/bin/env python3
"""Graph continual learning (issue 20; docs/continual.md): accuracy matrices, average
performance (AP) and average forgetting (AF), mean ± std over --seeds seeds, for fine-tuning,
each replay buffer (random, reservoir, coverage maximisation in feature and representation
space, mean of features), SEA-ER (coverage + kernel-mean-matching weights), ER-GNN + SSRM and
joint training, class-incremental, on cora (7 classes: 3 tasks of 2) and a 20-class SBM (10
tasks of 2). Each run is `streamgnn continual-train examples/continual_cora.yaml --set ...`;
the seed moves the split (continual.split_seed) and the initialisation (train.seed).
--visibility inductive (default: the evolving graph of SSRM, where old nodes' neighbourhoods
grow) or transductive; --budget, --no-inter-task-edges and --set KEY=VALUE (any config override)
for the ablations in docs/continual.md. Writes results/continual_learning.md, the per-run JSON
results/continual_learning.json and the heat-map plot results/continual_learning.png.
--quick: 1 seed, 5 epochs a task (under a minute; the numbers mean nothing).

    scripts/build && scripts/reproduce/continual_learning.py --seeds 5
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

NAME = "continual_learning"
DATA = {
    "cora": ("cora (3 tasks)", ["--set", "dataset.path={datasets}/cora/converted"]),
    "sbm20": ("SBM, 20 classes (10 tasks)",
              ["--set", "dataset.format=sbm", "--set", "dataset.row_normalize=false",
               "--set", "dataset.sbm.num_nodes=4000", "--set", "dataset.sbm.num_classes=20",
               "--set", "dataset.sbm.avg_degree=8", "--set", "dataset.sbm.feature_dim=32",
               "--set", "dataset.sbm.homophily=0.6", "--set", "dataset.sbm.feature_noise=5.0"]),
}
REPLAY = ["--set", "continual.strategy=replay"]
METHODS = {
    "finetune": ("fine-tuning (lower bound)", ["--set", "continual.strategy=finetune"]),
    "random": ("ER, random", REPLAY + ["--set", "continual.replay.selection=random"]),
    "reservoir": ("ER, reservoir", REPLAY + ["--set", "continual.replay.selection=reservoir"]),
    "cm": ("ER-GNN, coverage (features)", REPLAY + ["--set", "continual.replay.selection=coverage"]),
    "cm_abs": ("ER-GNN, coverage (features, absolute radius 0.5)",
               REPLAY + ["--set", "continual.replay.selection=coverage",
                         "--set", "continual.replay.coverage_scale=absolute"]),
    "cm_rep": ("ER-GNN, coverage (representations)",
               REPLAY + ["--set", "continual.replay.selection=coverage",
                         "--set", "continual.replay.space=representation"]),
    "mean": ("ER-GNN, mean of features", REPLAY + ["--set", "continual.replay.selection=mean"]),
    "sea_er": ("SEA-ER (coverage + KMM weights)",
               REPLAY + ["--set", "continual.replay.selection=coverage",
                         "--set", "continual.replay.weighting=kmm"]),
    "ssrm": ("ER-GNN + SSRM", REPLAY + ["--set", "continual.replay.selection=coverage",
                                        "--set", "continual.ssrm.enabled=true"]),
    "joint": ("joint (upper bound)", ["--set", "continual.strategy=joint"]),
}


def run_one(binary, data, method, seed, args, tmp):
    log_dir = os.path.join(tmp, f"{data}_{method}_{seed}")
    extra = [a.format(datasets=args.datasets) for a in DATA[data][1]] + METHODS[method][1]
    if args.quick:
        extra += ["--set", "train.epoch=5"]
    if args.budget is not None:
        extra += ["--set", f"continual.replay.per_class_budget={args.budget}"]
    if args.no_inter_task_edges:
        extra += ["--set", "continual.inter_task_edges=false"]
    for override in args.set:
        extra += ["--set", override]
    cmd = [binary, "continual-train", os.path.join(c.ROOT, "examples", "continual_cora.yaml"),
           "--set", f"train.seed={seed}", "--set", f"continual.split_seed={seed}",
           "--set", f"continual.visibility={args.visibility}", *extra, "--set", f"log.dir={log_dir}"]
    t0 = time.monotonic()
    c.run(cmd, capture=True)
    with open(os.path.join(log_dir, "continual.json")) as f:
        r = json.load(f)
    return dict(data=data, method=method, seed=seed, accuracy=r["accuracy"],
                ap=100 * r["average_performance"], af=100 * r["average_forgetting"],
                seconds=sum(r["task_seconds"]), wall_seconds=time.monotonic() - t0)


def mean_std(xs):
    return f"{statistics.mean(xs):.2f} ± {statistics.stdev(xs):.2f}" if len(xs) > 1 else f"{xs[0]:.2f}"


def plot(runs, datas, methods, path):
    plt = c.pyplot()
    if plt is None:
        return
    fig, axes = plt.subplots(len(datas), len(methods), figsize=(2.2 * len(methods), 2.4 * len(datas)),
                             squeeze=False)
    for r, data in enumerate(datas):
        for k, method in enumerate(methods):
            rs = [x for x in runs if x["data"] == data and x["method"] == method]
            t = len(rs[0]["accuracy"])
            grid = [[float("nan")] * t for _ in range(t)]
            for i in range(t):
                for j in range(i + 1):
                    grid[i][j] = 100 * statistics.mean(x["accuracy"][i][j] for x in rs)
            ax = axes[r][k]
            ax.imshow(grid, vmin=0, vmax=100, cmap="viridis")
            ax.set_title(f"{data}: {method}", fontsize=8)
            ax.set_xlabel("task evaluated", fontsize=7)
            ax.set_ylabel("after task", fontsize=7)
            ax.tick_params(labelsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser, raw=False)
    parser.add_argument("--datasets", default=c.default_datasets(), help="../shared/datasets")
    parser.add_argument("--data", default="cora,sbm20")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--visibility", default="inductive", choices=["inductive", "transductive"])
    parser.add_argument("--budget", type=int, default=None, help="replay budget a class (default: the config's 10)")
    parser.add_argument("--no-inter-task-edges", action="store_true", help="drop every edge between tasks")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a config override for every run (e.g. continual.ssrm.alpha=0.9)")
    parser.add_argument("--seeds", type=int, default=None, help="default 5 (--quick: 1)")
    args = parser.parse_args()
    seeds = list(range(args.seeds or (1 if args.quick else 5)))
    datas = args.data.split(",")
    methods = args.methods.split(",")
    binary = c.binary(args, "streamgnn")
    out = c.out_dir(args)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for data in datas:
            for method in methods:
                for seed in seeds:
                    runs.append(run_one(binary, data, method, seed, args, tmp))
    with open(os.path.join(out, NAME + ".json"), "w") as f:
        json.dump(runs, f, indent=1)
    setting = f"{args.visibility}, budget {args.budget or 10} a class" + (
        ", no inter-task edges" if args.no_inter_task_edges else "") + "".join(f", {o}" for o in args.set)
    lines = [f"Command: `{c.script_line()}`; class-incremental, {setting}, AP and AF in "
             f"percent, mean ± std over seeds {', '.join(map(str, seeds))}.", "",
             "| dataset | method | AP | AF | training time a run |", "|---|---|---|---|---:|"]
    for data in datas:
        for method in methods:
            rs = [r for r in runs if r["data"] == data and r["method"] == method]
            lines.append(f"| {DATA[data][0]} | {METHODS[method][0]} | {mean_std([r['ap'] for r in rs])} | "
                         f"{mean_std([r['af'] for r in rs])} | {statistics.mean(r['seconds'] for r in rs):.1f} s |")
    c.write_md(out, NAME, "\n".join(lines))
    plot(runs, datas, methods, os.path.join(out, NAME + ".png"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
