#!/usr/bin/env python3
"""Training on the GPU (issue 16), on the GPU machine: builds the whole engine against that
machine's PyTorch (its LibTorch, found through torch.utils.cmake_prefix_path) with the Debian 12
libraries carried in .deps/debs, runs the ctest label `gpu` (the temporal trainer on cuda against
the CPU, the static trainer on cuda against the CPU, the CUDA sampler, feature cache and SpMM),
compute-sanitizer memcheck on the GPU test binaries, a full-graph GCN epoch on a 1M-node SBM on
the GPU and on the host's cores, and the TGN epoch of streamgnn on the GPU beside PyG 2.4's TGN
on the same GPU (bench/peers/run_tgn_peer.py --device cuda) on wikipedia and uci.

Fails at once, with exit status 2 and a message, where no GPU is present. About 6 minutes on
16 cores (build ~2, tests ~1, memcheck ~1, benchmark ~2); --quick: one repeat, no memcheck.

Before, on a Debian 12 host with network (the deps travel with the working tree, never committed):
    echo /.deps/ >> .git/info/exclude
    scripts/reproduce/gpu_training.py --fetch-deps
On the GPU machine (repository root, `.deps` carried):
    scripts/reproduce/gpu_training.py                # build into /tmp/bt, test, memcheck, bench

Writes results/gpu_training.md (tests, memcheck, the TGN table) and the raw JSON
bench/results/tgn_peer_gpu.json.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402
import _device as d  # noqa: E402

NAME = "gpu_training"
TEST_BINARIES = ["temporal_trainer_cuda_test", "static_trainer_cuda_test", "stage_streams_cuda_test",
                 "gpu_sampler_test", "gpu_feature_cache_test", "gpu_spmm_test"]
# Memcheck of the LibTorch test on one model and both checks (the whole binary takes minutes
# under the sanitizer); the raw-CUDA tests whole, the sampler without its W1 case.
MEMCHECK_FILTERS = {"temporal_trainer_cuda_test": "Models/OnCuda.*/1:WithoutCuda.*",
                    "static_trainer_cuda_test": "Models/CudaStatic.MiniBatch*/0",
                    "gpu_sampler_test": "-*OnW1"}
TARGETS = ["streamgnn", "segment_ops_test", "node_memory_test", "halo_exchange_op_test", *TEST_BINARIES]
PEER_WHEELS = ["torch_geometric==2.4.0", "scikit-learn"]
TABLE_HEADER = "| dataset | side | train s/epoch, median (min..max) | time / PyG | test AP |"


def torch_cmake_prefix():
    proc = c.run([sys.executable, "-c", "import torch;print(torch.utils.cmake_prefix_path);print(torch.__version__)"],
                 capture=True)
    prefix, version = proc.stdout.split()
    return prefix, version


def build(args, found, prefix, env):
    torch_prefix, torch_version = torch_cmake_prefix()
    print(f"LibTorch of PyTorch {torch_version}: {torch_prefix}", flush=True)
    cfg = ["cmake", "-S", c.ROOT, "-B", args.build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
           "-DSTREAMGNN_WITH_PYTHON=OFF", "-DSTREAMGNN_BUILD_BENCH=OFF",
           f"-DCMAKE_CUDA_ARCHITECTURES={d.cuda_arch(found, args.cuda_arch)}",
           f"-DCMAKE_PREFIX_PATH={torch_prefix};{prefix}/usr", f"-DSTREAMGNN_DATASETS_DIR={args.datasets}"]
    if d.debs():
        cfg += d.extract_debs(prefix)
    c.run(cfg, env=env)
    c.run(["ninja", "-C", args.build, f"-j{args.jobs}", *TARGETS], env=env)
    return c.show(cfg)


def gpu_tests(args, env):
    """ctest -L gpu plus the CPU tests of the composed device operations; (summary, rows, ok)."""
    cmd = ["ctest", "--output-on-failure", "-R",
           "OnCuda|WithoutCuda|CudaStatic|StaticConfigDevice|StageStream|HaloExchangeOp|CudaTemporalSampler|"
           "DeviceTemporalGraph|CudaFeatureCache|CudaSpmm|SegmentOps|NodeMemory"]
    print("running:", " ".join(cmd), f"(in {args.build})", flush=True)
    proc = subprocess.run(cmd, cwd=args.build, env=env, capture_output=True, text=True)
    sys.stdout.write(proc.stdout[-8000:])
    rows = [f"| {m[1]} | {m[2].lower()} |" for m in re.finditer(
        r"Test\s+#\d+: (\S+) \.+\s*(?:\*+)?\s*(Passed|Failed|Skipped|Not Run|Exception|Timeout)", proc.stdout)]
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", proc.stdout)
    # On a GPU only the no-device check may skip, and the NCCL rank where the build has no NCCL.
    skipped = [r for r in rows if r.endswith("skipped |") and "WithoutCuda" not in r and "Nccl" not in r]
    summary = (f"**Tests: {int(m[3]) - int(m[2])} of {m[3]} passed, {len(skipped)} skipped on the GPU**" if m
               else "**Tests: no result** (see the output above)")
    return summary, rows, proc.returncode == 0 and not skipped


def memcheck(args, env):
    sanitizer = d.tool("compute-sanitizer")
    if args.quick or args.no_memcheck:
        return ["compute-sanitizer memcheck: not run (--quick / --no-memcheck)"], True
    if not sanitizer:
        return ["compute-sanitizer memcheck: not run (compute-sanitizer not found)"], False
    lines, ok = [], True
    for t in TEST_BINARIES:
        cmd = [sanitizer, "--tool", "memcheck", os.path.join(args.build, "bin", t)]
        if t in MEMCHECK_FILTERS:
            cmd.append(f"--gtest_filter={MEMCHECK_FILTERS[t]}")
        print("running:", c.show(cmd), flush=True)
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        e = re.search(r"ERROR SUMMARY: (\d+) error", r.stdout + r.stderr)
        n = int(e[1]) if e else -1
        ok &= n == 0 and r.returncode == 0
        lines.append(f"compute-sanitizer memcheck {c.show(cmd[3:])}: " + (f"{n} errors" if n >= 0 else "no summary")
                     + ("" if r.returncode == 0 else f" (exit {r.returncode})"))
    return lines, ok


def peer_env(env):
    """PyG and scikit-learn from .deps/wheels, installed into a private folder."""
    wheels = glob.glob(os.path.join(d.WHEELS_DIR, "*.whl"))
    if not wheels:
        return env, "PyG: the machine's own (no .deps/wheels)"
    target = "/tmp/streamgnn_peer_site"
    c.run([sys.executable, "-m", "pip", "install", "--no-index", "--no-deps", "--quiet", "--target", target, *wheels])
    return dict(env, PYTHONPATH=target + os.pathsep + env.get("PYTHONPATH", "")), f"PyG from {len(wheels)} carried wheels"


def bench(args, env, raw):
    repeats = 1 if args.quick else args.repeats
    cmd = [sys.executable, os.path.join(c.ROOT, "bench", "peers", "run_tgn_peer.py"), "--device", "cuda",
           "--repeats", str(repeats), "--epochs", "1", "--pyg-threads", str(args.host_threads),
           "--streamgnn-threads", str(args.host_threads), "--streamgnn", os.path.join(args.build, "bin", "streamgnn"),
           "--out", raw, "--data-dir", args.datasets]
    c.run(cmd, env=env)
    return c.show(cmd)


def gcn_bench(args, env):
    """Full-graph GCN epochs on a generated SBM (--sbm-nodes), on the GPU and on every host core:
    (command, {device: [epoch seconds]}, {device: test accuracy})."""
    nodes = 20000 if args.quick else args.sbm_nodes
    seconds, accuracy, shown = {}, {}, None
    for device in ("cuda", "cpu"):
        log = f"/tmp/streamgnn_gcn_sbm_{device}"
        cmd = [os.path.join(args.build, "bin", "streamgnn"), "train", os.path.join(c.ROOT, "examples", "gcn_cora.yaml")]
        for s in ("dataset.format=sbm", f"dataset.sbm.num_nodes={nodes}", "dataset.sbm.num_classes=20",
                  "dataset.sbm.avg_degree=10", "dataset.sbm.feature_dim=128", "model.hidden=128",
                  "train.epoch=6", "train.eval_every=6", f"runtime.threads={args.host_threads}",
                  f"runtime.device={device}", f"log.dir={log}"):
            cmd += ["--set", s]
        c.run(cmd, env=env)
        shown = shown or c.show(cmd)
        with open(os.path.join(log, "metrics.jsonl")) as f:
            epochs = [json.loads(line) for line in f if line.strip()]
        seconds[device] = [e["epoch_seconds"] for e in epochs[1:]]  # the first epoch warms up
        accuracy[device] = epochs[-1].get("test_acc")
    return shown, seconds, accuracy


def fmt(s):
    return "-" if s is None else f"{s['median']:.2f} ({s['min']:.2f}..{s['max']:.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.set_defaults(build="/tmp/bt")
    parser.add_argument("--fetch-deps", action="store_true",
                        help="on a Debian 12 host: download the .deb files and wheels into .deps, then stop")
    parser.add_argument("--prefix", default="/tmp/pfx", help="where .deps/debs/*.deb are extracted")
    parser.add_argument("--skip-build", action="store_true", help="use the binaries already in --build")
    parser.add_argument("--cuda-arch", default=None, help="CMAKE_CUDA_ARCHITECTURES (default: the GPU's)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--host-threads", type=int, default=os.cpu_count() or 2,
                        help="host threads of both sides (sampling, LibTorch's CPU pools)")
    parser.add_argument("--datasets", default=d.datasets_dir(),
                        help="default: .deps/datasets when carried, else ../shared/datasets")
    parser.add_argument("--sbm-nodes", type=int, default=1000000, help="nodes of the GCN benchmark's SBM")
    parser.add_argument("--no-memcheck", action="store_true")
    parser.add_argument("--no-bench", action="store_true")
    args = parser.parse_args()
    if args.fetch_deps:
        d.fetch_deps(PEER_WHEELS)
        return 0
    args.build = os.path.abspath(args.build)
    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "tgn_peer_gpu.json")

    found, why = d.gpus()
    if not found and not args.from_raw:
        print(f"error: no CUDA GPU on this machine ({why}). scripts/reproduce/gpu_training.py trains on the "
              "GPU and must run on a machine with an NVIDIA GPU (the device machine).", file=sys.stderr)
        return 2
    prefix = os.path.abspath(args.prefix)
    env = d.library_env(prefix) if d.debs() else dict(os.environ)
    lines = ["# GPU training: tests and TGN against PyG on the same GPU", "",
             f"Command: `{c.script_line()}`" + (f" on {'; '.join(found)}" if found else ""), ""]
    ok = True
    if not args.from_raw:
        if not args.skip_build:
            lines += [f"- `{build(args, found, prefix, env)}`"]
        summary, rows, tests_ok = gpu_tests(args, env)
        checks, memcheck_ok = memcheck(args, env)
        ok &= tests_ok and memcheck_ok
        lines += ["", summary + "; " + "; ".join(checks) + ".", "", "| test | result |", "|---|---|", *rows, ""]
        if not args.no_bench:
            shown, seconds, accuracy = gcn_bench(args, env)
            med = {k: sorted(v)[len(v) // 2] for k, v in seconds.items()}
            lines += ["", f"GCN full-graph epoch on a {args.sbm_nodes if not args.quick else 20000:,}-node SBM "
                      f"(`{shown}`, and the same with runtime.device=cpu on {args.host_threads} host threads): "
                      f"GPU {med['cuda']:.3f} s, CPU {med['cpu']:.3f} s (median of {len(seconds['cuda'])} epochs after "
                      f"the first), {med['cpu'] / med['cuda']:.1f}x; test accuracy after 6 epochs "
                      f"{accuracy['cuda']:.3f} (GPU) / {accuracy['cpu']:.3f} (CPU).", ""]
            env, pyg = peer_env(env)
            lines += [f"- `{bench(args, env, raw)}` ({pyg})"]
    if os.path.exists(raw) and not args.no_bench:
        with open(raw) as f:
            result = json.load(f)
        lines += ["", f"TGN, one training epoch on {result['host'].get('gpu', 'the GPU')}, "
                  f"{result['repeats']} repeats; time / PyG = streamgnn's median over PyG's (the issue's bar: "
                  "<= 0.25 at equal or better AP).", "", TABLE_HEADER, "|---|---|---:|---:|---:|"]
        for row in result["table"]:
            ratio = "-" if row["side"] == "pyg" or row["time_vs_pyg"] is None else f"{row['time_vs_pyg']:.2f}"
            lines.append(f"| {row['dataset']} | {row['side']} | {fmt(row['train_s'])} | {ratio} | "
                         f"{fmt(row['test_ap'])} |")
    c.write_md(out, NAME, "\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
