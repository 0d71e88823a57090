#!/usr/bin/env python3
"""Reproduces the "GPU" section of docs/benchmarks.md on a machine with an NVIDIA GPU (the
device machine): a torch-free CUDA build with the Debian 12 libraries carried as .deb files in
.deps/debs (extracted into --prefix), the ctest label `gpu`, compute-sanitizer memcheck on each
GPU test binary, and bench_gpu_sampler (GPU vs CPU temporal sampler on workload W1, and the
device mirror's ingestion).

Fails at once, with exit status 2 and a message, where no GPU is present (nvidia-smi finds none).

Writes results/gpu.md (test outcome, the docs' sampler table and the ingestion line),
results/gpu.png and the raw JSON bench/results/gpu_sampler.json. About 5 minutes on 16 cores
(mostly the build). --quick: reuses the binaries already in --build when they exist, skips
memcheck, samples a 200,000-edge W1 once.

    scripts/reproduce/gpu.py                            # build into /tmp/b, test, memcheck, bench
    scripts/reproduce/gpu.py --build build --skip-build # binaries of an existing CUDA build
"""

import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402
from _device import cuda_arch, debs as carried_debs, extract_debs, gpus, library_env, tool  # noqa: E402

NAME = "gpu"
BENCH_HEADER = "| config | CPU roots/s | GPU roots/s | speed-up | GPU + copy to host roots/s |"
TEST_HEADER = "| test | result |"
TEST_BINARIES = ["gpu_sampler_test", "gpu_feature_cache_test", "gpu_spmm_test"]
TARGETS = TEST_BINARIES + ["bench_gpu_sampler"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.set_defaults(build="/tmp/b")
    parser.add_argument("--prefix", default="/tmp/pfx", help="where .deps/debs/*.deb are extracted")
    parser.add_argument("--skip-build", action="store_true", help="use the binaries already in --build")
    parser.add_argument("--cuda-arch", default=None, help="CMAKE_CUDA_ARCHITECTURES (default: the GPU's)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--repeats", type=int, default=None, help="default 3 (--quick: 1)")
    parser.add_argument("--edges", type=int, default=None, help="W1 edges (default 1,000,000; --quick: 200,000)")
    parser.add_argument("--no-memcheck", action="store_true")
    args = parser.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    edges = args.edges or (200000 if args.quick else 1000000)
    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "gpu_sampler.json")
    bdir = os.path.abspath(args.build)

    found, why = gpus()
    if not found and not args.from_raw:
        print(f"error: no CUDA GPU on this machine ({why}). scripts/reproduce/gpu.py reproduces the GPU "
              "section of docs/benchmarks.md and must run on a machine with an NVIDIA GPU "
              "(the device machine).", file=sys.stderr)
        return 2
    if found:
        print("GPU:", "; ".join(found), flush=True)

    debs = carried_debs()
    p = os.path.abspath(args.prefix)
    env = library_env(p) if debs else dict(os.environ)
    steps = []
    have = all(os.access(os.path.join(bdir, "bin", t), os.X_OK) for t in TARGETS)
    if not args.from_raw and not args.skip_build and not (args.quick and have):
        cfg = ["cmake", "-S", c.ROOT, "-B", bdir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
               "-DSTREAMGNN_WITH_TORCH=OFF", "-DSTREAMGNN_WITH_PYTHON=OFF",
               f"-DCMAKE_CUDA_ARCHITECTURES={cuda_arch(found, args.cuda_arch)}"]
        if debs:
            cfg += [f"-DCMAKE_PREFIX_PATH={p}/usr", *extract_debs(p, rewrite_cmake=False),
                    "-DCMAKE_DISABLE_FIND_PACKAGE_RocksDB=ON"]
        c.run(cfg, env=env)
        c.run(["ninja", "-C", bdir, f"-j{args.jobs}", *TARGETS], env=env)
        steps.append(c.show(cfg))
    elif not args.from_raw:
        for t in TARGETS:
            c.binary(args, t)

    test_rows, summary, memcheck, failed = [], "", [], False
    if not args.from_raw:
        cmd = ["ctest", "-L", "gpu", "--output-on-failure"]
        print("running:", " ".join(cmd), f"(in {bdir})", flush=True)
        proc = subprocess.run(cmd, cwd=bdir, env=env, capture_output=True, text=True)
        sys.stdout.write(proc.stdout[-6000:])
        failed |= proc.returncode != 0
        for m in re.finditer(r"Test\s+#\d+: (\S+) \.+\s*(?:\*+)?\s*(Passed|Failed|Skipped|Not Run|Exception|Timeout)",
                             proc.stdout):
            test_rows.append(f"| {m[1]} | {m[2].lower()} |")
        m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", proc.stdout)
        if m:
            total, bad = int(m[3]), int(m[2])
            summary = f"**Tests (ctest label `gpu`): {total - bad} of {total} passed**"
        else:
            summary = "**Tests (ctest label `gpu`): no result** (see the output above)"
        sanitizer = tool("compute-sanitizer")
        if args.quick or args.no_memcheck:
            memcheck.append("compute-sanitizer memcheck: not run (--quick / --no-memcheck)")
        elif not sanitizer:
            memcheck.append("compute-sanitizer memcheck: not run (compute-sanitizer not found)")
        else:
            for t in TEST_BINARIES:
                mc = [sanitizer, "--tool", "memcheck", os.path.join(bdir, "bin", t)]
                if t == "gpu_sampler_test":
                    mc.append("--gtest_filter=-*OnW1")
                print("running:", c.show(mc), flush=True)
                r = subprocess.run(mc, env=env, capture_output=True, text=True)
                e = re.search(r"ERROR SUMMARY: (\d+) error", r.stdout + r.stderr)
                n = int(e[1]) if e else -1
                failed |= n != 0 or r.returncode != 0
                memcheck.append(f"compute-sanitizer memcheck {t}: " +
                                (f"{n} errors" if n >= 0 else "no summary") + ("" if r.returncode == 0 else
                                                                                 f" (exit {r.returncode})"))
        bench = [os.path.join(bdir, "bin", "bench_gpu_sampler"), "--repeats", str(repeats), "--edges", str(edges),
                 "--out", raw]
        c.run(bench, env=env)
        steps.append(c.show(bench))
    with open(raw) as f:
        rows = json.load(f)

    ingest = next(r for r in rows if r.get("what") == "ingest")
    sample = [r for r in rows if "config" in r]
    mil = lambda x: f"{x / 1e6:.1f} M"  # noqa: E731
    lines = ["# GPU: tests and the GPU sampler against the CPU sampler (workload W1)", "",
             f"Command: `{c.script_line()}`" + (f" on {'; '.join(found)}" if found else ""), ""]
    if steps:
        lines += [f"- `{s}`" for s in steps] + [""]
    if summary:
        lines += [summary + ("; " + "; ".join(memcheck) if memcheck else "") + ".", "", TEST_HEADER, "|---|---|",
                  *test_rows, ""]
    s0 = sample[0]
    lines += [f"W1 sampling: {s0['batches']:,} batches, {s0['roots']:,} roots, CPU = {s0['cpu_threads']} threads, "
              f"median of {repeats} passes; identical GPU and CPU output: "
              + ", ".join(f"{r['config']} {'yes' if r['identical'] else '**no**'}" for r in sample) + ".", "",
              BENCH_HEADER, "|---|---:|---:|---:|---:|"]
    for r in sample:
        lines.append(f"| {r['config']} | {mil(r['cpu_roots_per_s'])} | {mil(r['gpu_roots_per_s'])} | "
                     f"{r['speedup']:.1f}x | {mil(r['gpu_to_host_roots_per_s'])} |")
    n_batches = -(-ingest["edges"] // 100000)
    lines += ["", f"Ingesting W1 ({n_batches} batches of 100,000 edges): CPU store {ingest['cpu_seconds']:.2f} s, "
              f"device mirror {ingest['gpu_seconds']:.2f} s ({ingest['gpu_blocks']:,} blocks, "
              f"{ingest['gpu_device_bytes'] / 1e6:.0f} MB of device memory)."]
    c.write_md(out, NAME, "\n".join(lines))

    plt = c.pyplot()
    if plt is not None:
        fig, ax = plt.subplots(figsize=(7, 4))
        x = range(len(sample))
        for k, (key, label) in enumerate((("cpu_roots_per_s", "CPU"), ("gpu_roots_per_s", "GPU"),
                                          ("gpu_to_host_roots_per_s", "GPU + copy to host"))):
            ax.bar([i + (k - 1) * 0.27 for i in x], [r[key] / 1e6 for r in sample], 0.27, label=label)
        ax.set_xticks(list(x))
        ax.set_xticklabels([r["config"] for r in sample])
        ax.set_ylabel("million roots / s (median)")
        ax.set_title("W1 temporal sampling, GPU vs CPU")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, NAME + ".png"), dpi=120)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
