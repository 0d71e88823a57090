#!/usr/bin/python3
r"""TGN's GEMM and kernel FLOPs per training batch, counted from the batch shapes a run measured
(metrics.jsonl: batch_roots, batch_unique_nodes, batch_memory_updates, batch_slots) for two
formulations of the same model (docs/models.md):

  before  K and V projected for every padded neighbour slot ([R * k, 200] x [200, 100] each),
          the GRU on every unique node's row, [mail, phi] concatenated (gradient for all 300
          input columns), the link predictor's source projection once per destination set;
  after   K and V folded into the root side (two [R, 100] x [100, 201] GEMMs), per-slot dot
          products and weighted sums over valid slots only, the GRU on rows with mail with W_ih
          split (no gradient for the mail columns), the source projection once.

A multiply-add counts 2 FLOPs; the backward pass counts a gradient for every weight and for every
input that needs one. Elementwise work (time encodings, softmax, GRU gates) is left out: it is
memory-bound and small next to the GEMMs. TGN as examples/tgn.yaml: memory, time and
embedding 100, 2 heads, 10 neighbours, no edge features.

    build/bin/streamgnn train examples/tgn.yaml --set train.epoch=1 --set log.dir=/tmp/t
    /usr/bin/python3 bench/peers/tgn_flops.py /tmp/t/metrics.jsonl --neighbors 10
"""

import argparse
import json


def gemm(m, k, n):
    return 2.0 * m * k * n


def before(s, a):
    d, t, out, k = a.memory, a.time, a.out, a.neighbors
    mail = 2 * d + a.edge
    rows, roots, slots = s["batch_unique_nodes"], s["batch_roots"], s["batch_roots"] * k
    kv_in, events = d + a.edge + t, roots / 3
    fwd = {
        "gru": gemm(rows, mail + t, 3 * d) + gemm(rows, d, 3 * d),
        "attention": gemm(roots, d + t, out) + 2 * gemm(slots, kv_in, out) + gemm(roots, out + d, out),
        "predictor": 2 * gemm(events, out, out) + 2 * gemm(events, out, out) + 2 * gemm(events, out, 1),
    }
    bwd = {
        # weights, and the concatenated [mail, phi] input (phi needs a gradient)
        "gru": 2 * gemm(rows, mail + t, 3 * d) + gemm(rows, d, 3 * d),
        "attention": 2 * fwd["attention"],
        "predictor": 2 * fwd["predictor"],
    }
    return fwd, bwd


def after(s, a):
    d, t, out, heads = a.memory, a.time, a.out, a.heads
    mail = 2 * d + a.edge
    rows, roots, slots = s["batch_memory_updates"], s["batch_roots"], s["batch_slots"]
    x = d + a.edge + t + 1
    events = roots / 3
    fwd = {
        "gru": gemm(rows, mail, 3 * d) + gemm(rows, t, 3 * d) + gemm(rows, d, 3 * d),
        # q; W_k^T q and W_v (sum a x) per head; SegmentDot and SegmentMix; W_o
        "attention": gemm(roots, d, out) + 2 * gemm(roots, out, x) + 2 * 2.0 * slots * heads * x
        + gemm(roots, out + d, out),
        "predictor": gemm(events, out, out) + 2 * gemm(events, out, out) + 2 * gemm(events, out, 1),
    }
    bwd = {
        # weights of the three parts, and the gradient of phi through W_time
        "gru": gemm(rows, mail, 3 * d) + 2 * gemm(rows, t, 3 * d) + gemm(rows, d, 3 * d),
        "attention": 2 * fwd["attention"],
        "predictor": 2 * fwd["predictor"],
    }
    return fwd, bwd


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("metrics", help="metrics.jsonl of a training run")
    p.add_argument("--epoch", type=int, default=1)
    p.add_argument("--memory", type=int, default=100)
    p.add_argument("--time", type=int, default=100)
    p.add_argument("--out", type=int, default=100)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--edge", type=int, default=0, help="edge feature width")
    p.add_argument("--neighbors", type=int, default=10)
    a = p.parse_args()
    with open(a.metrics) as f:
        s = [json.loads(line) for line in f if line.strip()][a.epoch - 1]
    print(f"per batch: {s['batch_roots']:.0f} roots, {s['batch_unique_nodes']:.0f} unique nodes, "
          f"{s['batch_memory_updates']:.0f} with mail, {s['batch_slots']:.0f} sampled neighbours "
          f"(of {s['batch_roots'] * a.neighbors:.0f} padded slots)")
    print("| part | before fwd | before bwd | after fwd | after bwd |")
    print("|---|---:|---:|---:|---:|")
    (bf, bb), (af, ab) = before(s, a), after(s, a)
    for part in bf:
        print(f"| {part} | {bf[part] / 1e6:.0f} M | {bb[part] / 1e6:.0f} M | {af[part] / 1e6:.0f} M | "
              f"{ab[part] / 1e6:.0f} M |")
    tb, ta = sum(bf.values()) + sum(bb.values()), sum(af.values()) + sum(ab.values())
    print(f"| total | {sum(bf.values()) / 1e6:.0f} M | {sum(bb.values()) / 1e6:.0f} M | "
          f"{sum(af.values()) / 1e6:.0f} M | {sum(ab.values()) / 1e6:.0f} M |")
    print(f"forward + backward: before {tb / 1e9:.2f} GFLOP, after {ta / 1e9:.2f} GFLOP "
          f"({ta / tb:.2f}x)")


if __name__ == "__main__":
    main()
