#!/usr/bin/env python3
"""Reproduces docs/continuous.md, "Benchmark": continuous learning inside the service.

wikipedia_jodie is streamed through `streamgnn serve --learn` on loopback (TGN,
examples/tgn_wikipedia.yaml; warm-up: the first 30 % of the edges, 5 epochs; then windows of
10,000 edges, each scored before it is trained on, one pass) at a fixed rate, once per replay
ratio (0, 0.1, 0.5); the learner lags behind the stream and never coalesces (max_lag 1000), so
every window is 10,000 edges. Per run: the prequential AP of every window (read from
<data-dir>/learner/windows.jsonl), the time to incorporate a window (its training), and the ack
latency the ingest client saw while the learner trained; one more run without --learn gives the
ack latency of ingestion alone. Then the baselines: TGN trained offline on the whole file
(`streamgnn train`, its test AP on the last 15 % of the time, compared with the prequential AP
of the windows that end in the last 15 % of the edges), and retraining from scratch on all edges so far (the
same 5 epochs on a prefix of the file) after windows 1, 6 and 11, against the time the learner
took to incorporate that window.

Writes results/continuous_learning.md (the docs' tables), results/continuous_learning.png (AP
per window) and the raw records results/continuous_learning.json. About 10 minutes on 2 cores.
--quick: the first 12,000 edges, warm-up 6,000 with 1 epoch, windows of 2,000, retraining after
windows 1, 2 and 3: checks the pipeline in a minute or two; its numbers mean nothing.

    scripts/build && scripts/reproduce/continuous_learning.py
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "continuous_learning"
RUN_HEADER = ("| replay ratio | windows | mean prequential AP | AP of the last 15 % | "
              "incorporate a window, median s | ack p50 / p99 while learning (ms) |")
RETRAIN_HEADER = "| edges so far | retrain from scratch (s) | incorporate the window (s) | speed-up |"
CONFIG = os.path.join(c.ROOT, "examples", "tgn_wikipedia.yaml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prefix_file(src, edges, folder):
    """The header and first `edges` rows of a JODIE csv."""
    path = os.path.join(folder, f"wikipedia_{edges}.csv")
    with open(src) as f, open(path, "w") as out:
        for i, line in enumerate(f):
            if i > edges:
                break
            out.write(line)
    return path


def serve_and_ingest(args, p, data, replay, learn, work):
    """One server run; returns (ingest report, window records)."""
    folder = tempfile.mkdtemp(dir=work)
    port = free_port()
    serve = [c.binary(args, "streamgnn"), "serve", "--data-dir", folder, "--listen", f"127.0.0.1:{port}",
             "--max-nodes", "9228"]
    if learn:
        serve += ["--learn", CONFIG, "--set", f"train.epoch={p['epochs']}", "--set", "train.patience=0",
                  "--set", f"continuous.warmup_events={p['warmup']}", "--set", f"continuous.window={p['window']}",
                  "--set", f"continuous.replay_ratio={replay}", "--set", "continuous.max_lag=1000",
                  "--set", "log.level=warn"]
    print("running:", c.show(serve), flush=True)
    log = open(os.path.join(folder, "server.log"), "w")
    server = subprocess.Popen(serve, stdout=log, stderr=subprocess.STDOUT)
    try:
        stats = [c.binary(args, "streamgnn"), "stats", "--server", f"127.0.0.1:{port}"]
        for _ in range(200):
            if subprocess.run(stats, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        ingest = [c.binary(args, "streamgnn"), "ingest", "--server", f"127.0.0.1:{port}", "--file", data,
                  "--format", "jodie", "--batch", "500", "--rate", str(p["rate"])]
        report = json.loads(c.run(ingest, capture=True).stdout.strip().splitlines()[-1])
        windows = []
        if learn:
            expect = (p["edges"] - p["warmup"]) // p["window"]
            deadline = time.time() + p["timeout"]
            while time.time() < deadline:
                s = json.loads(subprocess.run(stats, capture_output=True, text=True).stdout)
                if s["learner_error"]:
                    sys.exit(f"learner error: {s['learner_error']}")
                if s["learned_windows"] >= expect:
                    break
                time.sleep(0.5)
            else:
                sys.exit(f"the learner did not reach {expect} windows in {p['timeout']} s")
            with open(os.path.join(folder, "learner", "windows.jsonl")) as f:
                windows = [json.loads(line) for line in f]
        return report, windows
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        log.close()


def train_seconds(args, p, data, work, tag):
    """`streamgnn train` on `data`: (sum of the epochs' training times, the best epoch's test AP)."""
    log = os.path.join(work, f"train_{tag}")
    cmd = [c.binary(args, "streamgnn"), "train", CONFIG, "--set", f"dataset.path={data}",
           "--set", f"train.epoch={p['epochs']}", "--set", "train.patience=0", "--set", f"log.dir={log}",
           "--set", "log.progress=never", "--set", "train.checkpoint=false", "--set", "dataset.cache=false"]
    c.run(cmd, capture=True)
    with open(os.path.join(log, "metrics.jsonl")) as f:
        epochs = [json.loads(line) for line in f]
    with open(os.path.join(log, "summary.json")) as f:
        summary = json.load(f)
    return sum(e["train_s"] for e in epochs), summary["test_ap"]


def mean_ap(windows, after=0):
    """Events-weighted prequential AP of the windows that end after edge `after`."""
    ws = [w for w in windows if w["first_event"] + w["events"] > after]
    n = sum(w["events"] for w in ws)
    return sum(w["prequential_ap"] * w["events"] for w in ws) / n if n else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser, raw=False)
    parser.add_argument("--datasets", default=c.default_datasets())
    args = parser.parse_args()
    out = c.out_dir(args)
    source = os.path.join(args.datasets, "wikipedia_jodie", "wikipedia.csv")
    if not os.path.exists(source):
        sys.exit(f"error: {source} not found")
    if args.quick:
        p = dict(edges=12000, warmup=6000, window=2000, epochs=1, replays=[0, 0.1, 0.5], retrain=[1, 2, 3],
                 rate=20000, timeout=300)
    else:
        p = dict(edges=157474, warmup=47242, window=10000, epochs=5, replays=[0, 0.1, 0.5], retrain=[1, 6, 11],
                 rate=20000, timeout=3600)
    work = tempfile.mkdtemp(prefix="streamgnn_continuous_")
    try:
        data = source if not args.quick else prefix_file(source, p["edges"], work)
        alone, _ = serve_and_ingest(args, p, data, 0, False, work)
        runs = {}
        for replay in p["replays"]:
            report, windows = serve_and_ingest(args, p, data, replay, True, work)
            runs[replay] = {"ingest": report, "windows": windows}
        offline_s, offline_ap = train_seconds(args, p, data, work, "offline")
        test_start = int(p["edges"] * 0.85)  # the TGN protocol's test period: the last 15 % of the time
        retrain = []
        base = runs[0]["windows"]
        for k in p["retrain"]:
            edges = p["warmup"] + k * p["window"]
            secs, _ = train_seconds(args, p, prefix_file(source, edges, work), work, f"prefix{edges}")
            retrain.append({"edges": edges, "retrain_s": secs, "incorporate_s": base[k - 1]["train_s"]})
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = []
    for replay, r in runs.items():
        ws, ing = r["windows"], r["ingest"]
        rows.append(f"| {replay:g} | {len(ws)} | {mean_ap(ws):.4f} | {mean_ap(ws, test_start):.4f} | "
                    f"{statistics.median(w['train_s'] for w in ws):.2f} | "
                    f"{ing['ack_p50_ms']:.1f} / {ing['ack_p99_ms']:.1f} |")
    retrain_rows = [f"| {r['edges']:,} | {r['retrain_s']:.1f} | {r['incorporate_s']:.2f} | "
                    f"{r['retrain_s'] / r['incorporate_s']:.1f}x |" for r in retrain]
    text = "\n".join([
        f"# Continuous learning through the service ({'--quick, numbers mean nothing' if args.quick else 'wikipedia'})",
        "", f"`{c.script_line()}`", "",
        f"TGN, warm-up {p['warmup']:,} edges x {p['epochs']} epochs, windows of {p['window']:,}, ingest at "
        f"{p['rate']:,} edges/s in batches of 500. Offline training on the whole file: test AP "
        f"{offline_ap:.4f} (its test period: the last 15 % of the time; the windows compared with it: those ending after edge {test_start:,}). Ingestion alone (no --learn): ack p50 / p99 "
        f"{alone['ack_p50_ms']:.1f} / {alone['ack_p99_ms']:.1f} ms.", "",
        RUN_HEADER, "|---|---|---|---|---|---|", *rows, "",
        "Retraining from scratch on every edge so far (the same epochs) against incorporating one window "
        "(replay 0):", "",
        RETRAIN_HEADER, "|---|---|---|---|", *retrain_rows])
    c.write_md(out, NAME, text)
    with open(os.path.join(out, NAME + ".json"), "w") as f:
        json.dump({"params": p, "offline_test_ap": offline_ap, "offline_train_s": offline_s,
                   "ingest_alone": alone, "runs": {str(k): v for k, v in runs.items()}, "retrain": retrain}, f, indent=1)
    plt = c.pyplot()
    if plt:
        fig, ax = plt.subplots(figsize=(7, 4))
        for replay, r in runs.items():
            ax.plot([w["window"] for w in r["windows"]], [w["prequential_ap"] for w in r["windows"]], marker="o",
                    label=f"replay {replay:g}")
        ax.axhline(offline_ap, color="grey", linestyle="--", label="offline test AP")
        ax.set_xlabel("window")
        ax.set_ylabel("prequential AP")
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, NAME + ".png"), dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
