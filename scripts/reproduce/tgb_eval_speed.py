#!/usr/bin/env python3
"""Reproduces docs/benchmarks.md, "TGB evaluation": TGB's one-vs-many evaluation (every
validation and test positive ranked against 999 fixed negatives) of a TGN checkpoint on a
generated stream of 100,000 events in tgbl-wiki's file layout, timed two ways in one run:

  batched       eval.positives_per_forward 0: the candidates of a whole evaluation batch (200
                positives, 200,400 roots) in one forward;
  one at a time eval.positives_per_forward 1: one forward per positive (its 1,000 candidates and
                its random negative), as TGB's example loops score them.

Both read and write node memory once per batch of 200, so they compute the same scores (the
table reports the largest MRR difference). The stream: users and items drawn from Zipf(1.0)
popularities over permuted ids, strictly increasing integer timestamps, random edge features;
TGB's split (quantiles 0.70 and 0.85 of the timestamps) and, per val/test edge, 999 distinct
items other than its destination, pickled as TGB's NegativeEdgeGenerator saves them
(tgbl-wiki_{val,test}_ns_v2.pkl). The data is written once under --data.

Steps: `streamgnn train examples/tgn_wikipedia.yaml` for one epoch on it (TGB's protocol; its
best.pt is reused by later runs unless --retrain), then `streamgnn eval best.pt --set
eval.positives_per_forward=...` --repeats times per way, in alternating order; the time is the
eval passes' own (eval_s), without loading; peak RSS is the whole eval process's.

    scripts/build --target streamgnn && /usr/bin/python3 scripts/reproduce/tgb_eval_speed.py

Writes results/tgb_eval_speed.md, raw JSON bench/results/tgb_eval_speed.json. --quick: 3,000
events, 99 negatives, one repeat.
"""

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "tgb_eval_speed"
HEADER = ("| evaluation | s per 1,000 positives (min..max) | one at a time / batched | peak RSS | val MRR | "
          "test MRR |")
WAYS = [("batched", 0), ("one at a time", 1)]


def zipf_ids(rng, n, size):
    """size ids in [0, n) drawn from Zipf(1.0) popularity over a random permutation of the ids."""
    weights = 1.0 / np.arange(1, n + 1)
    return rng.permutation(n)[rng.choice(n, size=size, p=weights / weights.sum())]


def generate(d, events, users, items, edge_dim, negatives, seed=1):
    """Writes tgbl-wiki_edgelist_v2.csv and its negatives pickles in TGB's layout into d."""
    rng = np.random.default_rng(seed)
    u = zipf_ids(rng, users, events)
    i = zipf_ids(rng, items, events)
    ts = np.arange(events, dtype=np.int64) * 20 + rng.integers(0, 20, events)
    feat = rng.normal(size=(events, edge_dim)).astype(np.float32)
    rows = np.column_stack([u, i, ts, np.zeros(events, dtype=np.int64)])
    with open(os.path.join(d, "tgbl-wiki_edgelist_v2.csv"), "w") as f:
        f.write("user_id,item_id,timestamp,state_label,comma_separated_list_of_features\n")
        for r, x in zip(rows, feat):
            f.write(",".join(map(str, r)) + "," + ",".join(f"{v:.4f}" for v in x) + "\n")
    # TGB's ids (items after max(user) + 1) and split (generate_splits).
    src, dst = u, i + u.max() + 1
    val_time, test_time = np.quantile(ts, [0.70, 0.85])
    first_item = u.max() + 1
    for split, mask in {"val": (ts > val_time) & (ts <= test_time), "test": ts > test_time}.items():
        table = {}
        for e in np.nonzero(mask)[0]:
            pick = rng.choice(items - 1, size=negatives, replace=False)
            pick[pick >= i[e]] += 1  # skip the positive's own item
            table[(np.int64(src[e]), np.int64(dst[e]), np.int64(ts[e]))] = (pick + first_item).astype(np.int64)
        with open(os.path.join(d, f"tgbl-wiki_{split}_ns_v2.pkl"), "wb") as f:
            pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)


def run_measured(cmd):
    """(stdout, peak RSS in GB) of cmd, which must succeed."""
    print("running:", c.show(cmd), flush=True)
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([str(x) for x in cmd], stdout=out, stderr=subprocess.STDOUT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {c.show(cmd)}\n{text[-4000:]}")
    return text, usage.ru_maxrss / 2**20  # KiB on Linux


def spread(xs):
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}..{max(xs):.2f})"


def table(r):
    lines = [HEADER, "|---|---|---|---|---|---|"]
    base = statistics.median(r["ways"]["batched"]["s_per_1000"])
    for label, _ in WAYS:
        w = r["ways"][label]
        ratio = statistics.median(w["s_per_1000"]) / base
        lines.append(f"| {label} | {spread(w['s_per_1000'])} | {ratio:.2f}x | {max(w['peak_rss_gb']):.1f} GB | "
                     f"{w['val_mrr']:.4f} | {w['test_mrr']:.4f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.add_argument("--events", type=int, default=None, help="default 100000 (--quick: 3000)")
    parser.add_argument("--users", type=int, default=8000)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--edge-dim", type=int, default=172, help="edge feature width (tgbl-wiki's: 172)")
    parser.add_argument("--negatives", type=int, default=None, help="per positive; default 999 (--quick: 99)")
    parser.add_argument("--repeats", type=int, default=None, help="evaluations per way; default 3 (--quick: 1)")
    parser.add_argument("--retrain", action="store_true",
                        help="train again even if <data>/run/best.pt exists (it is reused otherwise)")
    parser.add_argument("--threads", type=int, default=0, help="runtime.threads (0 = all cores)")
    parser.add_argument("--data", default=None,
                        help="folder of the generated files (default: $STREAMGNN_CACHE_DIR or "
                             "~/.cache/streamgnn, under tgb_eval_speed/; --quick: under --out)")
    args = parser.parse_args()
    events = args.events or (3000 if args.quick else 100_000)
    negatives = args.negatives or (99 if args.quick else 999)
    repeats = args.repeats or (1 if args.quick else 3)
    users, items, edge_dim = (200, 300, 8) if args.quick else (args.users, args.items, args.edge_dim)
    if negatives >= items:
        sys.exit(f"error: {negatives} negatives need more than {items} items")

    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "tgb_eval_speed.json")
    if not args.from_raw:
        streamgnn = c.binary(args, "streamgnn")
        cache = os.environ.get("STREAMGNN_CACHE_DIR") or os.path.expanduser("~/.cache/streamgnn")
        where = os.path.join(out, NAME + "_data") if args.quick else os.path.join(cache, NAME)
        d = os.path.abspath(args.data or os.path.join(where, f"e{events}_u{users}_i{items}_f{edge_dim}_n{negatives}"))
        os.makedirs(d, exist_ok=True)
        if not os.path.exists(os.path.join(d, "tgbl-wiki_test_ns_v2.pkl")):
            t0 = time.time()
            generate(d, events, users, items, edge_dim, negatives)
            print(f"generated {events} events and their negatives in {d} ({time.time() - t0:.0f} s)")
        run_dir = os.path.join(d, "run")
        common = ["--set", f"runtime.threads={args.threads}"]
        if args.retrain or not os.path.exists(os.path.join(run_dir, "best.pt")):
            c.run([streamgnn, "train", os.path.join(c.ROOT, "examples", "tgn_wikipedia.yaml"),
               "--set", "dataset.format=tgb", "--set", f"dataset.path={d}/tgbl-wiki_edgelist_v2.csv",
                   "--set", "dataset.name=tgbl-wiki", "--set", "eval.protocol=tgb",
                   "--set", "train.inductive_fraction=0", "--set", "train.epoch=1",
                   "--set", f"log.dir={run_dir}", "--set", "log.progress=never", *common], capture=True)
        ways = {label: {"positives_per_forward": ppf, "s_per_1000": [], "eval_s": [], "peak_rss_gb": []}
                for label, ppf in WAYS}
        for rep in range(repeats):
            for label, ppf in (WAYS if rep % 2 == 0 else WAYS[::-1]):
                text, rss = run_measured([streamgnn, "eval", os.path.join(run_dir, "best.pt"),
                                          "--set", f"eval.positives_per_forward={ppf}", *common])
                s = json.loads(text.strip().splitlines()[-1])
                positives = s["val_positives"] + s["test_positives"]
                w = ways[label]
                w["eval_s"].append(s["eval_s"])
                w["peak_rss_gb"].append(rss)
                w["s_per_1000"].append(1000 * s["eval_s"] / positives)
                w.update(val_mrr=s["val_mrr"], test_mrr=s["test_mrr"], positives=positives)
        r = {"command": c.script_line(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
             "events": events, "users": users, "items": items, "edge_dim": edge_dim,
             "negatives": negatives, "repeats": repeats, "threads": args.threads, "ways": ways,
             "load_average": os.getloadavg()[0]}
        with open(raw, "w") as f:
            json.dump(r, f, indent=1)
    with open(raw) as f:
        r = json.load(f)
    b, o = r["ways"]["batched"], r["ways"]["one at a time"]
    delta = max(abs(b["val_mrr"] - o["val_mrr"]), abs(b["test_mrr"] - o["test_mrr"]))
    text = (f"Run of {r['date']}: {r['events']:,} events ({r['users']:,} users, {r['items']:,} items, "
            f"{r['edge_dim']} edge features), {b['positives']:,} val+test positives x "
            f"{r['negatives']} negatives, {r['repeats']} repeats, load average {r['load_average']:.1f} "
            f"at the end.\n\n{table(r)}\n\nLargest MRR difference between the two: {delta:.2e}.\n\n"
            f"    {r['command']}\n")
    c.write_md(out, NAME, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
