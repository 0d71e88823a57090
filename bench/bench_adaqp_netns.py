#!/usr/bin/env python3
"""AdaQP's communication benchmark (issue 7): distributed full-graph GCN training on N MPI
ranks, each rank in its own network namespace behind a veth link shaped with tc (default 4
ranks at 1 Gbit/s; bench/netns/run_shaped.sh makes and removes the namespaces), on a generated
SBM graph where communication matters (default 1M nodes, 128-dim features, 3-layer GCN).

For every halo-message setting (fp32, fixed 8/4/2 bits, adaptive) in the same run: median epoch
time with its spread (epoch 1 excluded: it holds the one-off feature exchange and, for adaptive,
the first bit-width solve), training halo bytes per epoch summed over all ranks, and the test
accuracy at the last epoch. Writes bench/results/adaqp_netns.json (or --out) and prints a
markdown table. Needs root (network namespaces) and OpenMPI.

    scripts/build && sudo bench/bench_adaqp_netns.py            # full size, ~15-30 min on 2 cores
    bench/bench_adaqp_netns.py --quick                          # 20k nodes, seconds
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIG = """dataset:
  format: sbm
  split_seed: 0
  row_normalize: false
  sbm:
    num_nodes: {nodes}
    num_classes: {classes}
    avg_degree: {degree}
    homophily: {homophily}
    feature_dim: {dim}
    feature_noise: {noise}
model:
  name: gcn
  layers: {layers}
  hidden: {hidden}
  dropout: 0.5
sampling:
  neighbor: all
runtime:
  threads: 1
train:
  epoch: {epochs}
  batch_size: all
  lr: 0.01
  weight_decay: 0
  select: last
  eval_every: {epochs}
  seed: 0
distributed:
  backend: mpi
  partition_seed: 0
  quantization:
    bits: 32
    assign_every: {assign_every}
"""


def run_one(args, config_path, bits, log_dir):
    cmd = [os.path.join(ROOT, "bench", "netns", "run_shaped.sh"), "--ranks", str(args.ranks),
           "--rate", args.rate, "--",
           os.path.join(args.build, "bin", "streamgnn"), "train", config_path,
           "--set", f"distributed.quantization.bits={bits}", "--set", f"log.dir={log_dir}",
           "--set", "log.quiet=true"]
    print("running:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"bench_adaqp_netns: bits={bits} failed with exit code {proc.returncode}")
    with open(os.path.join(log_dir, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(log_dir, "metrics.jsonl")) as f:
        epochs = [json.loads(line) for line in f if line.strip()]
    times = [e["epoch_seconds"] for e in epochs[1:]] or [epochs[0]["epoch_seconds"]]
    dist = summary["distributed"]
    return {
        "bits": str(bits),
        "epochs": len(epochs),
        "epoch_seconds": {"median": statistics.median(times), "min": min(times), "max": max(times),
                          "runs": times},
        "train_halo_bytes_per_epoch": dist["train_halo_bytes_sent"] / len(epochs),
        "test_acc": summary["test_acc"],
        "edge_cut": dist["edge_cut"],
        "bit_assignments": dist.get("bit_assignments", 0),
        "mean_bits": dist.get("mean_bits", 0),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--ranks", type=int, default=4)
    p.add_argument("--rate", default="1gbit", help="tc rate of every rank's link")
    p.add_argument("--nodes", type=int, default=1_000_000)
    p.add_argument("--classes", type=int, default=16)
    p.add_argument("--degree", type=float, default=10.0)
    p.add_argument("--homophily", type=float, default=0.7)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--noise", type=float, default=3.0)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--hidden", type=int, default=128)
    p.add_argument("--epochs", type=int, default=6)
    p.add_argument("--bits", default="32,8,4,2,adaptive")
    p.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "adaqp_netns.json"))
    p.add_argument("--quick", action="store_true", help="20k nodes, 3 epochs, 32 and 8 bits only")
    args = p.parse_args()
    if args.quick:
        args.nodes, args.epochs, args.bits = 20_000, 3, "32,8"
        if args.out == p.get_default("out"):
            args.out = os.path.join(tempfile.gettempdir(), "adaqp_netns_quick.json")
    if os.geteuid() != 0:
        print("bench_adaqp_netns: needs root (network namespaces, tc)", file=sys.stderr)
        return 2

    work = tempfile.mkdtemp(prefix="sg_adaqp_")
    config_path = os.path.join(work, "gcn_sbm_distributed.yaml")
    with open(config_path, "w") as f:
        f.write(CONFIG.format(nodes=args.nodes, classes=args.classes, degree=args.degree,
                              homophily=args.homophily, dim=args.dim, noise=args.noise,
                              layers=args.layers, hidden=args.hidden, epochs=args.epochs,
                              assign_every=max(1, args.epochs)))
    rows = [run_one(args, config_path, b, os.path.join(work, f"bits_{b}")) for b in args.bits.split(",")]
    base = next((r for r in rows if r["bits"] == "32"), rows[0])
    for r in rows:
        r["speedup_vs_fp32"] = base["epoch_seconds"]["median"] / r["epoch_seconds"]["median"]
        r["bytes_vs_fp32"] = r["train_halo_bytes_per_epoch"] / base["train_halo_bytes_per_epoch"]
    result = {"bench": "adaqp_netns", "ranks": args.ranks, "rate": args.rate, "nodes": args.nodes,
              "feature_dim": args.dim, "layers": args.layers, "hidden": args.hidden,
              "avg_degree": args.degree, "epochs": args.epochs, "rows": rows}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)

    print(f"\n{args.ranks} ranks, {args.rate} links, SBM {args.nodes:,} nodes, {args.dim}-dim features, "
          f"{args.layers}-layer GCN (hidden {args.hidden}), edge cut {base['edge_cut']:,}; "
          f"epochs 2..{args.epochs}\n")
    print("| halo messages | epoch s (median, min..max) | speed-up vs fp32 | MB sent / epoch (all ranks) | test acc |")
    print("|---|---|---|---|---|")
    for r in rows:
        e = r["epoch_seconds"]
        name = {"32": "fp32"}.get(r["bits"], r["bits"] + (" bits" if r["bits"] != "adaptive" else ""))
        if r["bits"] == "adaptive":
            name += f" (mean {r['mean_bits']:.1f} bits)"
        print(f"| {name} | {e['median']:.2f} ({e['min']:.2f}..{e['max']:.2f}) | {r['speedup_vs_fp32']:.2f}x | "
              f"{r['train_halo_bytes_per_epoch'] / 1e6:.1f} | {100 * r['test_acc']:.2f} |")
    print(f"\nraw: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
