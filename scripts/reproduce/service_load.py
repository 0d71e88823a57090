#!/usr/bin/env python3
"""Reproduces docs/benchmarks.md, "Ingestion service under load": `streamgnn serve` in its own
process on loopback (--sync every_batch), one client stream with up to 8 batches of 1,000 edges
in flight, W1-style Zipf edges for 60 s as fast as the server acknowledges; then the same batches
through StreamStore::Ingest in-process and through TemporalGraph::AppendEdges alone (the
ceilings), all in one run of bench_service_load.

Writes results/service_load.md (the docs' table), results/service_load.png, raw JSON
bench/results/service_load.json. About 80 s (60 s of load plus the ceilings) and ~3.3 GB of
server RSS. --quick: 2 s of load over at most 1M generated edges (about 10 s).

    scripts/build --target bench_service_load streamgnn && scripts/reproduce/service_load.py
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as c  # noqa: E402

NAME = "service_load"
HEADER = "| path | edges/s | ack latency p50 / p99 | server peak RSS |"


def count(n):
    """10000000 -> 10M, 522000 -> 0.52M."""
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n / 1e6:.2f}M"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_common_args(parser)
    parser.add_argument("--seconds", type=float, default=None, help="default 60 (--quick: 2)")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--window", type=int, default=8)
    parser.add_argument("--sync", default="every_batch", choices=["every_batch", "interval"])
    parser.add_argument("--max-edges", type=int, default=None,
                        help="edges generated for the run (default: the bench's own, 10M; --quick: 1M)")
    args = parser.parse_args()
    seconds = args.seconds or (2 if args.quick else 60)
    max_edges = args.max_edges or (1_000_000 if args.quick else None)

    out = c.out_dir(args)
    raw = c.raw_path(args, NAME, "service_load.json")
    c.binary(args, "streamgnn")  # the bench starts the server from the streamgnn it was built with
    cmd = [c.binary(args, "bench_service_load"), "--seconds", f"{seconds:g}", "--batch", str(args.batch),
           "--window", str(args.window), "--sync", args.sync, "--out", raw]
    if max_edges:
        cmd += ["--max-edges", str(max_edges)]
    if not args.from_raw:
        c.run(cmd)
    with open(raw) as f:
        r = json.load(f)

    acked = int(r["edges_acked"])
    base = min(max_edges or 10_000_000, 10_000_000)
    ceiling = min(acked, base)
    mib = r["server_peak_rss_mb"]
    per_edge = mib * 2**20 / acked if acked else float("nan")
    edges_m = f"{acked / 1e6:.0f}M" if acked >= 10_000_000 else f"{acked / 1e6:.1f}M"
    lines = ["# Ingestion service under load", "",
             f"Command: `{c.show(cmd)}` (`--sync {r['sync']}`, batches of {r['batch']:,} edges, "
             f"window {r['window']}).", "",
             HEADER, "|---|---|---|---|",
             f"| gRPC on loopback, {r['seconds']:.0f} s, {acked:,} edges acknowledged | "
             f"{c.millions(r['edges_per_s'])} | {r['ack_p50_ms']:.1f} ms / {r['ack_p99_ms']:.1f} ms | "
             f"{mib:,.0f} MiB ({edges_m} edges: ~{per_edge:.0f} B/edge incl. RocksDB memtables) |",
             f"| in-process `StreamStore::Ingest` (first {count(ceiling)} edges) | "
             f"{c.millions(r['in_process_store_edges_per_s'])} | | |",
             f"| in-process `TemporalGraph::AppendEdges` (first {count(ceiling)} edges) | "
             f"{c.millions(r['in_process_graph_append_edges_per_s'])} | | |", "",
             f"The service holds {100 * r['edges_per_s'] / r['in_process_store_edges_per_s']:.0f}% of the durable "
             f"in-process rate and {100 * r['edges_per_s'] / r['in_process_graph_append_edges_per_s']:.0f}% of the "
             "bare block store's append rate."]
    c.write_md(out, NAME, "\n".join(lines))

    plt = c.pyplot()
    if plt is None:
        return 0
    fig, ax = plt.subplots(figsize=(6, 3.5))
    names = ["gRPC loopback", "StreamStore::Ingest", "AppendEdges"]
    vals = [r["edges_per_s"], r["in_process_store_edges_per_s"], r["in_process_graph_append_edges_per_s"]]
    ax.barh(names, [v / 1e6 for v in vals])
    ax.set_xlabel("million edges / s")
    ax.set_title(f"ingestion, --sync {r['sync']}, batch {r['batch']}")
    fig.tight_layout()
    fig.savefig(os.path.join(out, NAME + ".png"), dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
