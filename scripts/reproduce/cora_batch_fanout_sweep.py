#!/usr/bin/python3
"""Full-graph vs mini-batch training on cora: a sweep over batch size and fan-out (Liu et al.,
"Full-Graph vs. Mini-Batch Training", PAPERS.md section 7).

Every point is the same trainer and config (examples/sage_cora_minibatch.yaml, or --config) with
`train.batch_size` and `sampling.neighbor` changed; `batch_size: all, neighbor: all` is
full-graph training. Each setting runs --seeds seeds. Writes
results/cora_batch_fanout_sweep.md (mean test accuracy, training time, time to the best
validation epoch) and results/cora_batch_fanout_sweep.png (validation accuracy against
training time, and final test accuracy against total training time). Uses Debian's
/usr/bin/python3 with matplotlib (apt-get install python3-matplotlib; without it, no plot). About
1-2 minutes on 2 cores. --quick: batch sizes 32 and all, fan-outs 5 and all, 1 seed, 3 epochs,
written to results/quick/ (seconds).

    scripts/build && scripts/reproduce/cora_batch_fanout_sweep.py
    scripts/reproduce/cora_batch_fanout_sweep.py --config examples/gcn_cora.yaml --epochs 200
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

ROOT = c.ROOT


def run(binary, subcommand, config, batch, fanout, seed, epochs, log_dir):
    cmd = [binary, subcommand, config,
           "--set", f"train.batch_size={batch}",
           "--set", f"sampling.neighbor={fanout}",
           "--set", f"train.seed={seed}",
           "--set", f"train.epoch={epochs}",
           "--set", f"log.dir={log_dir}",
           "--set", "log.quiet=true"]
    print("running:", c.show(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}")
    with open(os.path.join(log_dir, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(log_dir, "metrics.jsonl")) as f:
        epochs_rec = [json.loads(line) for line in f if line.strip()]
    return summary, epochs_rec


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(p, raw=False)
    p.add_argument("--binary", default=None, help="default <build>/bin/streamgnn")
    p.add_argument("--subcommand", default="static-train")
    p.add_argument("--config", default=os.path.join(ROOT, "examples", "sage_cora_minibatch.yaml"))
    p.add_argument("--batch-sizes", default=None, help="default 16,32,64,all (--quick: 32,all)")
    p.add_argument("--fanouts", default=None,
                   help="per-layer fan-out, the same for both layers; default 2,5,10,all (--quick: 5,all)")
    p.add_argument("--seeds", type=int, default=None, help="default 3 (--quick: 1)")
    p.add_argument("--epochs", type=int, default=None, help="default 100 (--quick: 3)")
    args = p.parse_args()
    args.binary = args.binary or c.binary(args, "streamgnn")
    args.batch_sizes = args.batch_sizes or ("32,all" if args.quick else "16,32,64,all")
    args.fanouts = args.fanouts or ("5,all" if args.quick else "2,5,10,all")
    args.seeds = args.seeds or (1 if args.quick else 3)
    args.epochs = args.epochs or (3 if args.quick else 100)
    args.out = c.out_dir(args)

    batches = args.batch_sizes.split(",")
    fanouts = args.fanouts.split(",")
    rows = []
    curves = {}
    with tempfile.TemporaryDirectory() as tmp:
        for batch in batches:
            for fan in fanouts:
                accs, times, best_times = [], [], []
                for seed in range(args.seeds):
                    log_dir = os.path.join(tmp, f"b{batch}_f{fan}_s{seed}")
                    summary, rec = run(args.binary, args.subcommand, args.config, batch, fan, seed,
                                       args.epochs, log_dir)
                    accs.append(100 * summary["test_acc"])
                    times.append(summary["train_seconds"])
                    sel = summary["selected_epoch"]
                    best_times.append(next(r["elapsed_seconds"] for r in rec if r["epoch"] == sel))
                    if seed == 0:
                        curves[(batch, fan)] = ([r["elapsed_seconds"] for r in rec if "val_acc" in r],
                                                [100 * r["val_acc"] for r in rec if "val_acc" in r])
                row = dict(batch=batch, fanout=fan, acc=statistics.mean(accs),
                           std=statistics.pstdev(accs), seconds=statistics.mean(times),
                           to_best=statistics.mean(best_times),
                           full=(batch == "all" and fan == "all"))
                rows.append(row)
                print(f"batch {batch:>4} fanout {fan:>4}: test {row['acc']:.2f} +- {row['std']:.2f}  "
                      f"train {row['seconds']:.2f} s  to best val {row['to_best']:.2f} s", flush=True)

    os.makedirs(args.out, exist_ok=True)
    name = "cora_batch_fanout_sweep"
    cmdline = " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:])
    with open(os.path.join(args.out, name + ".md"), "w") as f:
        f.write(f"# cora: batch size x fan-out sweep\n\n"
                f"Command: `{cmdline}` (config `{os.path.relpath(args.config, ROOT)}`, "
                f"{args.epochs} epochs, {args.seeds} seeds; test accuracy at the best validation epoch; "
                f"training time excludes evaluation).\n\n"
                "| batch size | fan-out | test accuracy (%) | training time (s) | time to best val (s) |\n"
                "|---|---|---|---|---|\n")
        for r in rows:
            label = " (full graph)" if r["full"] else ""
            f.write(f"| {r['batch']}{label} | {r['fanout']} | {r['acc']:.2f} ± {r['std']:.2f} | "
                    f"{r['seconds']:.2f} | {r['to_best']:.2f} |\n")

    plt = c.pyplot()
    if plt is None:
        print(f"wrote {os.path.join(args.out, name)}.md")
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    for (batch, fan), (t, acc) in curves.items():
        style = "-" if fan == "all" else "--"
        ax1.plot(t, acc, style, label=f"batch {batch}, fan-out {fan}", linewidth=1)
    ax1.set_xlabel("training time (s)")
    ax1.set_ylabel("validation accuracy (%)")
    ax1.set_title("validation accuracy against training time (seed 0)")
    ax1.legend(fontsize=6, ncol=2)
    for r in rows:
        marker = "*" if r["full"] else "o"
        ax2.errorbar(r["seconds"], r["acc"], yerr=r["std"], fmt=marker, capsize=2)
        ax2.annotate(f"b={r['batch']},f={r['fanout']}", (r["seconds"], r["acc"]), fontsize=6)
    ax2.set_xscale("log")
    ax2.set_xlabel("total training time (s, log)")
    ax2.set_ylabel("test accuracy (%)")
    ax2.set_title(f"test accuracy against time ({args.seeds} seeds)")
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, name + ".png"), dpi=120)
    print(f"wrote {os.path.join(args.out, name)}.md and .png")


if __name__ == "__main__":
    main()
