#!/usr/bin/python3
r"""TGN against PyG in the same run (issue 3): PyG's TGN (bench/peers/pyg_tgn.py) and
`streamgnn train` with the same hyperparameters, split, negatives and data, on wikipedia_jodie
and uci_dyglib, N repeats, interleaved (repeat r runs every side once before repeat r+1 starts),
one process at a time. Writes bench/results/tgn_peer.json (after every run, so an interrupted
run keeps what it measured) and prints a markdown table (docs/benchmarks.md, "TGN against PyG").

    scripts/build --target streamgnn          # (or an existing build/bin/streamgnn)
    /usr/bin/python3 bench/peers/run_tgn_peer.py --repeats 3 --epochs 1   # PyG and streamgnn at 1 and 2 threads

streamgnn side: examples/tgn_wikipedia.yaml / examples/tgn.yaml (memory, time and embedding 100,
10 most recent neighbours, 1 layer, 2 heads, batch 200, Adam lr 1e-4, dropout 0.1) with
`--set train.epoch=E --set train.seed=r --set runtime.threads=T
 --set train.intra_batch_neighbors=false` (PyG's neighbour loader sees earlier batches only);
--streamgnn-intra-threads adds streamgnn with its default intra-batch neighbours.
PyG side: torch.set_num_threads(T), OMP/MKL/OPENBLAS_NUM_THREADS=T and, above 1 thread,
OMP_WAIT_POLICY=PASSIVE (its best setting); streamgnn runs with none of these variables set
(the engine sizes its pools itself). Both sides use seed r.
Per run: wall seconds of each training pass, its CPU seconds (PyG: time.process_time(); streamgnn:
/proc/PID/stat read when the trainer logs the split and the end of the first training pass),
the whole process's CPU seconds, the load average before and after, and the per-epoch metrics.
Needs Debian's /usr/bin/python3 (python3-torch 1.13) with torch_geometric 2.4 and scikit-learn.

On a GPU (issue 16): --device cuda runs PyG's TGN with its modules, loader and events on the
device (pyg_tgn.py --device cuda) and streamgnn with runtime.device=cuda; the thread counts
then size the host side (sampling, LibTorch's CPU pools), e.g.
    bench/peers/run_tgn_peer.py --device cuda --pyg-threads 16 --streamgnn-threads 16 \
        --out bench/results/tgn_peer_gpu.json
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DATASETS = os.path.normpath(os.path.join(ROOT, "..", "shared", "datasets"))
SETS = {
    "wikipedia": {"config": "examples/tgn_wikipedia.yaml", "file": "wikipedia_jodie/wikipedia.csv",
                  "format": "jodie"},
    "uci": {"config": "examples/tgn.yaml", "file": "uci_dyglib/ml_uci.csv", "format": "ml"},
}


def load():
    return [round(x, 2) for x in os.getloadavg()]


THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY",
               "GOMP_SPINCOUNT", "OPENBLAS_THREAD_TIMEOUT")


def pyg_env(threads):
    """PyG's best setting (issue 15): OpenMP (LibTorch intra-op), MKL and OpenBLAS (Debian's
    LibTorch calls OpenBLAS, whose own pool otherwise has one thread per core) sized to the
    thread count, and with more than one thread OMP_WAIT_POLICY=PASSIVE (GNU OpenMP's spinning
    workers otherwise make 2 threads 2.5-2.9x slower than 1)."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               OPENBLAS_NUM_THREADS=str(threads))
    if threads > 1:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def streamgnn_env():
    """streamgnn sets its pools itself (runtime.threads): no thread-related variable at all."""
    return {k: v for k, v in os.environ.items() if k not in THREAD_VARS}


def execute(args, cmd, env):
    """Runs cmd (under `nice -n N` when --nice is given); returns (completed process, CPU seconds)."""
    prefix = ["nice", "-n", str(args.nice)] if args.nice is not None else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(prefix + cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, round(cpu, 2)


def run_pyg(args, name, seed, threads):
    spec = SETS[name]
    cmd = [sys.executable, os.path.join(HERE, "pyg_tgn.py"), "--path", os.path.join(args.data_dir, spec["file"]),
           "--format", spec["format"], "--epochs",
           str(args.epochs), "--threads", str(threads), "--seed", str(seed), "--device", args.device]
    proc, cpu = execute(args, cmd, pyg_env(threads))
    out = proc.stdout
    setup, epochs = None, []
    for line in out.splitlines():
        rec = json.loads(line)
        if rec.get("setup"):
            setup = rec
        elif not rec.get("summary"):
            epochs.append(rec)
    return {"command": " ".join(cmd), "split": setup, "epochs": epochs, "process_cpu_s": cpu}


def proc_cpu(pid):
    """CPU seconds (user + system, all threads) of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_streamgnn(args, binary, name, seed, threads, tmp, intra_batch=False):
    spec = SETS[name]
    log_dir = os.path.join(tmp, f"{name}_t{threads}_s{seed}")
    sets = [f"train.epoch={args.epochs}", f"train.seed={seed}", f"runtime.threads={threads}",
            f"runtime.device={args.device}",
            f"train.intra_batch_neighbors={'true' if intra_batch else 'false'}",
            f"dataset.path={os.path.join(args.data_dir, spec['file'])}", f"log.dir={log_dir}"]
    cmd = [binary, "train", spec["config"]]
    for s in sets:
        cmd += ["--set", s]
    # The trainer logs "split: ..." before the first epoch and a progress line ending in "(done)"
    # when an epoch's training pass ends (before evaluation): the process CPU time read at those
    # lines gives each training pass's CPU seconds (the LibTorch, TBB and OpenBLAS threads).
    prefix = ["nice", "-n", str(args.nice)] if args.nice is not None else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(prefix + cmd, cwd=ROOT, env=streamgnn_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    split, marks, err = None, [], []
    for line in proc.stderr:
        err.append(line)
        if "split:" in line and split is None:
            split = line.split("[info] ", 1)[-1].strip()
            marks.append(proc_cpu(proc.pid))
        elif line.rstrip().endswith("(done)"):
            marks.append(proc_cpu(proc.pid))
            marks.append(None)  # the next pass starts after evaluation: not measured
    stdout = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{''.join(err[-20:])}{stdout}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2)
    with open(os.path.join(log_dir, "metrics.jsonl")) as f:
        epochs = [json.loads(l) for l in f if l.strip()]
    if len(marks) >= 2 and marks[0] is not None and marks[1] is not None:
        epochs[0]["train_cpu_s"] = round(marks[1] - marks[0], 2)
    shutil.rmtree(log_dir, ignore_errors=True)
    shown = " ".join([args.streamgnn, "train", spec["config"]] + [f"--set {s}" for s in sets[:6]])
    return {"command": shown, "split": split, "epochs": epochs, "process_cpu_s": cpu}


def summarize(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s, digits):
    if s is None:
        return "-"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}..{s['max']:.{digits}f})"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--datasets", default="wikipedia,uci")
    p.add_argument("--streamgnn", default="build/bin/streamgnn")
    p.add_argument("--streamgnn-threads", default="1,2", help="runtime.threads values to run")
    p.add_argument("--pyg-threads", default="1,2",
                   help="torch.set_num_threads values to run (the reference is the fastest)")
    p.add_argument("--streamgnn-intra-threads", default="",
                   help="also run streamgnn with its default train.intra_batch_neighbors=true at these thread counts")
    p.add_argument("--out", default="bench/results/tgn_peer.json")
    p.add_argument("--data-dir", default=DATASETS, help="folder holding wikipedia_jodie/ and uci_dyglib/")
    p.add_argument("--nice", type=int, help="run both sides under nice -n N (e.g. -20 on a shared host)")
    p.add_argument("--first-seed", type=int, default=0, help="repeat r uses seed first_seed + r")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                   help="where both sides train (PyG: --device, streamgnn: runtime.device)")
    args = p.parse_args()
    args.data_dir = os.path.abspath(args.data_dir)
    names = args.datasets.split(",")
    ints = lambda text: [int(t) for t in text.split(",") if t]
    sg_threads = ints(args.streamgnn_threads)

    tmp = tempfile.mkdtemp(prefix="tgn_peer_")
    binary = os.path.join(tmp, "streamgnn")  # a private copy: a rebuild mid-run cannot change it
    shutil.copy2(os.path.join(ROOT, args.streamgnn), binary)
    pyg_threads = ints(args.pyg_threads)
    sides = ([("pyg", t) for t in pyg_threads] + [("streamgnn", t) for t in sg_threads] +
             [("streamgnn_intra_batch", t) for t in ints(args.streamgnn_intra_threads)])
    runs = []
    out = os.path.join(ROOT, args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    def write(done):
        table = []
        for name in names:
            # The reference: PyG at its best thread count (lowest median training time).
            pyg_train, pyg_cpu, pyg_best = None, None, None
            for t in pyg_threads:
                pyg = [x for x in runs if x["dataset"] == name and x["side"] == "pyg" and x["threads"] == t]
                train = summarize([statistics.mean(e["train_s"] for e in x["epochs"]) for x in pyg])
                if train and (pyg_train is None or train["median"] < pyg_train["median"]):
                    pyg_train, pyg_best = train, t
                    pyg_cpu = summarize([x["epochs"][0].get("train_cpu_s") for x in pyg])
            for side, threads in sides:
                rs = [x for x in runs if x["dataset"] == name and x["side"] == side and x["threads"] == threads]
                if not rs:
                    continue
                row = {"dataset": name, "side": side, "threads": threads, "repeats": len(rs),
                       "pyg_reference_threads": pyg_best,
                       "train_s": summarize([statistics.mean(e["train_s"] for e in x["epochs"]) for x in rs]),
                       "process_cpu_s": summarize([x["process_cpu_s"] for x in rs]),
                       "train_cpu_s": summarize([x["epochs"][0].get("train_cpu_s") for x in rs]),
                       "eval_s": summarize([x["epochs"][-1]["eval_s"] for x in rs]),
                       "test_ap": summarize([x["epochs"][-1]["test_ap"] for x in rs]),
                       "test_auc": summarize([x["epochs"][-1]["test_auc"] for x in rs]),
                       "test_inductive_ap": summarize([x["epochs"][-1]["test_inductive_ap"] for x in rs])}
                if side != "pyg":
                    row["stages_s"] = {k[5:-2]: statistics.median(x["epochs"][-1][k] for x in rs)
                                       for k in rs[0]["epochs"][-1] if k.startswith("time_")}
                row["time_vs_pyg"] = row["train_s"]["median"] / pyg_train["median"] if pyg_train else None
                row["train_cpu_vs_pyg"] = (row["train_cpu_s"]["median"] / pyg_cpu["median"]
                                           if pyg_cpu and row["train_cpu_s"] else None)
                table.append(row)

        result = {"benchmark": "tgn_peer", "started": started, "finished": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                  "host": {"machine": platform.machine(), "cpus": os.cpu_count(), "python": sys.version.split()[0]},
                  "device": args.device, "epochs": args.epochs, "repeats": args.repeats,
                  "pyg_threads": pyg_threads,
                  "streamgnn_threads": sg_threads, "nice": args.nice,
                  "thread_env": {"pyg": "OMP_NUM_THREADS=MKL_NUM_THREADS=OPENBLAS_NUM_THREADS=threads, "
                                 "OMP_WAIT_POLICY=PASSIVE above 1 thread",
                                 "streamgnn": "none of " + ", ".join(THREAD_VARS)},
                  "table": table, "runs": runs}
        try:
            import torch, torch_geometric  # noqa: E401
            result["host"].update(torch=torch.__version__, torch_geometric=torch_geometric.__version__)
            if args.device == "cuda" and torch.cuda.is_available():
                result["host"]["gpu"] = torch.cuda.get_device_name(0)
        except ImportError:
            pass
        result["complete"] = done
        with open(out, "w") as f:
            json.dump(result, f, indent=1)
        return table

    for r in range(args.first_seed, args.first_seed + args.repeats):
        for name in names:
            for side, threads in sides:
                before = load()
                t0 = time.perf_counter()
                if side == "pyg":
                    res = run_pyg(args, name, r, threads)
                else:
                    res = run_streamgnn(args, binary, name, r, threads, tmp, side == "streamgnn_intra_batch")
                res.update(side=side, dataset=name, threads=threads, seed=r, repeat=r,
                           wall_s=round(time.perf_counter() - t0, 2), load_before=before, load_after=load(),
                           at=time.strftime("%H:%M:%S", time.gmtime()))
                last = res["epochs"][-1]
                train_s = statistics.mean(e["train_s"] for e in res["epochs"])
                print(f"[{res['at']}] repeat {r} {name:9s} {side:9s} t{threads}: train {train_s:6.2f} s/epoch  "
                      f"eval {last['eval_s']:5.2f} s  train cpu {res['epochs'][0].get('train_cpu_s', float('nan')):6.1f} s  "
                      f"process cpu {res['process_cpu_s']:6.1f} s  test AP {last['test_ap']:.4f}  load {before} -> {res['load_after']}",
                      flush=True)
                runs.append(res)
                write(False)  # partial results survive an interrupted run
    shutil.rmtree(tmp, ignore_errors=True)
    table = write(True)
    print(f"\n{args.repeats} repeats, {args.epochs} epoch(s), median (min..max); written to {args.out}\n")
    if pyg_threads:
        print("time / PyG: median train time over PyG's at its fastest thread count (pyg_reference_threads)")
    print("| dataset | side | threads | train s/epoch (wall) | time / PyG | train CPU s | CPU / PyG | eval s | "
          "test AP | test AUC | test inductive AP |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in table:
        print(f"| {row['dataset']} | {row['side']} | {row['threads']} | {fmt(row['train_s'], 1)} | "
              f"{row['time_vs_pyg'] or float('nan'):.2f} | {fmt(row['train_cpu_s'], 1)} | "
              f"{row['train_cpu_vs_pyg'] or float('nan'):.2f} | {fmt(row['eval_s'], 1)} | {fmt(row['test_ap'], 3)} | "
              f"{fmt(row['test_auc'], 3)} | {fmt(row['test_inductive_ap'], 3)} |")
    for row in table:
        if row["side"] != "pyg":
            stages = ", ".join(f"{k} {v:.1f}" for k, v in row["stages_s"].items())
            print(f"{row['side']} {row['dataset']} t{row['threads']} stage seconds (median): {stages}")


if __name__ == "__main__":
    main()
