#!/usr/bin/python3
"""PyG's TGN on a JODIE or DyGLib `ml_` edge stream, with streamgnn's protocol: the peer of
`streamgnn train` in bench/peers/run_tgn_peer.py (docs/benchmarks.md, "TGN against PyG").

Model, built from PyTorch Geometric's documented TGN parts as PyG's TGN example assembles them:
  TGNMemory(IdentityMessage, LastAggregator; GRU memory), memory/time/embedding width 100;
  LastNeighborLoader keeping each node's 10 most recent neighbours (inserted after each batch,
  so a batch sees the events of earlier batches only); one TransformerConv layer (2 heads of 50,
  dropout 0.1) over [time encoding of (neighbour's last update - edge time), edge message];
  link predictor ReLU(W_src z_u + W_dst z_v) -> linear; BCE with logits on one positive and one
  negative per event; Adam, lr 1e-4; batch 200. The data has no edge features: the raw message
  is one zero column (PyG's TGNMemory needs a width).

Protocol, the one streamgnn's trainer uses (trainers/temporal_trainer.cc, docs/models.md):
  - split by time quantiles (numpy.quantile, linear): train ts <= q(0.70), val <= q(0.85), test
    after;
  - inductive masking: int(0.1 x #active nodes) nodes drawn among those active after the
    training period lose all their training events. The draw replicates streamgnn's
    (core::RngStream, Philox4x32-10, seed 2020, partial Fisher-Yates), so both sides train on
    exactly the same events; the counts are printed and checked by the driver;
  - negatives: one per positive, same source and time, uniform over the unique destinations of
    the (masked) training events for training, of all events for evaluation; evaluation negatives
    fixed across epochs (drawn from a generator with a fixed seed);
  - memory and neighbour state reset at every epoch; validation then test continue from the
    end-of-training memory; the neighbour state for evaluation holds every training event
    (masked ones included), then each val/test batch after it is scored;
  - AP / ROC-AUC: scikit-learn's, per evaluation batch of 200, averaged over batches; inductive
    metrics over the val/test events with a node never seen in the masked training events.

Differences that remain (PyG's modules as they are): the attention's time input is PyG's
(neighbour's last memory update - edge time) rather than (query time - edge time); embeddings are
computed once per unique node of the batch's subgraph rather than per root occurrence.

    /usr/bin/python3 bench/peers/pyg_tgn.py --dataset wikipedia --epochs 1 --threads 2

Prints one JSON object per epoch ({"epoch", "train_s", "eval_s" (wall), "train_cpu_s",
"eval_cpu_s" (CPU time of the process, all threads), "train_loss", "val_ap", ...,
"test_ap", "test_auc", ...}) and a final one with "summary": true.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from sklearn.metrics import average_precision_score, roc_auc_score
from torch.nn import Linear
from torch_geometric.nn import TGNMemory, TransformerConv
from torch_geometric.nn.models.tgn import IdentityMessage, LastAggregator, LastNeighborLoader

HERE = os.path.dirname(os.path.abspath(__file__))
DATASETS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "datasets"))
KNOWN = {
    "wikipedia": (os.path.join(DATASETS, "wikipedia_jodie", "wikipedia.csv"), "jodie"),
    "uci": (os.path.join(DATASETS, "uci_dyglib", "ml_uci.csv"), "ml"),
}

# ---- data -----------------------------------------------------------------------------------


def load_stream(path, fmt):
    """(src, dst, t) as int64 arrays, node ids as streamgnn's loaders assign them."""
    table = np.genfromtxt(path, delimiter=",", skip_header=1, usecols=(0, 1, 2) if fmt == "jodie" else (1, 2, 3))
    src, dst = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
    ts = table[:, 2]
    if fmt == "jodie" and dst.min() <= src.max():  # items numbered from 0: put them after the users
        dst = dst + src.max() + 1
    if np.any(np.diff(ts) < 0):
        raise ValueError(f"{path}: events are not in time order")
    if np.any(ts != np.round(ts)):
        raise ValueError(f"{path}: PyG's TGNMemory keeps integer times; this file has fractional ones")
    return src, dst, ts.astype(np.int64)


# ---- streamgnn's random stream (core/rng.h), to draw the same masked nodes ------------------

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1


def mix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def philox4x32_10(ctr, key):
    c0, c1, c2, c3 = ctr
    k0, k1 = key & M32, key >> 32
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (p1 >> 32) ^ c1 ^ k0, p1 & M32, (p0 >> 32) ^ c3 ^ k1, p0 & M32
        k0 = (k0 + 0x9E3779B9) & M32
        k1 = (k1 + 0xBB67AE85) & M32
    return c0, c1, c2, c3


class RngStream:
    def __init__(self, seed, stream, item):
        self.key = mix64(seed) ^ stream
        self.item = item
        self.position = 0
        self.spare = None

    def next_u64(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        v = philox4x32_10((self.position & M32, self.position >> 32, self.item & M32, self.item >> 32), self.key)
        self.position += 1
        self.spare = (v[3] << 32) | v[2]
        return (v[1] << 32) | v[0]

    def below(self, n):
        m = self.next_u64() * n
        if (m & M64) < n:
            threshold = ((1 << 64) - n) % n
            while (m & M64) < threshold:
                m = self.next_u64() * n
        return m >> 64


def make_split(src, dst, ts, val_fraction, test_fraction, inductive_fraction):
    tv, tt = np.quantile(ts.astype(np.float64), [1 - val_fraction - test_fraction, 1 - test_fraction])
    part = np.where(ts <= tv, 0, np.where(ts <= tt, 1, 2))
    all_nodes = np.unique(np.concatenate([src, dst]))
    later = np.unique(np.concatenate([src[part != 0], dst[part != 0]])).tolist()
    k = min(int(inductive_fraction * len(all_nodes)), len(later))
    rng = RngStream(2020, 0, 0)  # trainers/temporal_trainer.cc: kInductiveSeed
    masked = np.zeros(int(max(src.max(), dst.max())) + 1, dtype=bool)
    for i in range(k):
        j = i + rng.below(len(later) - i)
        later[i], later[j] = later[j], later[i]
        masked[later[i]] = True
    train_all = np.nonzero(part == 0)[0]
    keep = ~masked[src[train_all]] & ~masked[dst[train_all]]
    train = train_all[keep]
    seen = np.zeros_like(masked)
    seen[src[train]] = True
    seen[dst[train]] = True
    inductive = (part != 0) & (~seen[src] | ~seen[dst])
    return {
        "train_all": train_all, "train": train, "val": np.nonzero(part == 1)[0],
        "test": np.nonzero(part == 2)[0], "inductive": inductive, "masked_nodes": k,
        "train_destinations": np.unique(dst[train]), "all_destinations": np.unique(dst),
    }


# ---- model ----------------------------------------------------------------------------------


class AttentionEmbedding(torch.nn.Module):
    """One TransformerConv layer over the sampled temporal neighbourhood."""

    def __init__(self, dim_in, dim_out, dim_msg, time_enc, heads=2, dropout=0.1, output="pyg"):
        super().__init__()
        self.time_enc = time_enc
        self.conv = TransformerConv(dim_in, dim_out // heads, heads=heads, dropout=dropout,
                                    edge_dim=dim_msg + time_enc.out_channels)
        # output "tgl": TGL's (and streamgnn's) LayerNorm(ReLU(Dropout(.))) on the layer's output,
        # a model difference tested in docs/benchmarks.md; "pyg": the convolution's output as is.
        self.output = output
        self.dropout = torch.nn.Dropout(dropout)
        self.norm = torch.nn.LayerNorm(dim_out) if output == "tgl" else None

    def forward(self, x, last_update, edge_index, t, msg):
        dt = (last_update[edge_index[0]] - t).to(x.dtype)
        z = self.conv(x, edge_index, torch.cat([self.time_enc(dt), msg], dim=-1))
        return self.norm(torch.relu(self.dropout(z))) if self.norm is not None else z


class LinkScore(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.src = Linear(dim, dim)
        self.dst = Linear(dim, dim)
        self.out = Linear(dim, 1)

    def forward(self, z_src, z_dst):
        return self.out(torch.relu(self.src(z_src) + self.dst(z_dst))).view(-1)


# ---- training -------------------------------------------------------------------------------


class Run:
    def __init__(self, args):
        path, fmt = (args.path, args.format) if args.path else KNOWN[args.dataset]
        self.src_np, self.dst_np, self.ts_np = load_stream(path, fmt)
        self.split = make_split(self.src_np, self.dst_np, self.ts_np, args.val_fraction,
                                args.test_fraction, args.inductive_fraction)
        # On a GPU, as PyG's TGN example runs: modules, neighbour loader and event tensors on the
        # device; negatives drawn on the host (the same draws as on the CPU) and copied.
        self.device = dev = torch.device(args.device)
        self.src = torch.from_numpy(self.src_np).to(dev)
        self.dst = torch.from_numpy(self.dst_np).to(dev)
        self.ts = torch.from_numpy(self.ts_np).to(dev)
        self.num_nodes = int(max(self.src_np.max(), self.dst_np.max())) + 1
        self.num_events = len(self.src_np)
        self.msg = torch.zeros(self.num_events, args.msg_dim, device=dev)  # no edge features: zero columns
        self.batch = args.batch
        self.seed = args.seed
        torch.manual_seed(args.seed)
        d = args.dim
        self.memory = TGNMemory(self.num_nodes, args.msg_dim, d, d,
                                message_module=IdentityMessage(args.msg_dim, d, d),
                                aggregator_module=LastAggregator())
        if args.time_init == "tgat":
            # streamgnn's (TGAT's, TGL's) time encoding start: w_i = 10^(-9 i / (d - 1)), b = 0,
            # in place of PyG's random Linear(1, d) (a model difference, docs/benchmarks.md).
            with torch.no_grad():
                lin = self.memory.time_enc.lin
                lin.weight.copy_(torch.pow(10.0, -9.0 * torch.arange(lin.out_features) /
                                           max(lin.out_features - 1, 1)).view(-1, 1))
                lin.bias.zero_()
        self.gnn = AttentionEmbedding(d, d, args.msg_dim, self.memory.time_enc, dropout=args.dropout,
                                      output=args.output)
        self.score = LinkScore(d)
        for module in (self.memory, self.gnn, self.score):
            module.to(dev)
        params = set(self.memory.parameters()) | set(self.gnn.parameters()) | set(self.score.parameters())
        self.opt = torch.optim.Adam(params, lr=args.lr)
        self.loader = LastNeighborLoader(self.num_nodes, size=args.neighbors, device=dev)
        # The loader numbers inserted events 0, 1, ...; this maps them back to event ids.
        self.inserted = torch.empty(self.num_events, dtype=torch.long, device=dev)
        self.assoc = torch.empty(self.num_nodes, dtype=torch.long, device=dev)
        self.train_pool = torch.from_numpy(self.split["train_destinations"])
        self.eval_pool = torch.from_numpy(self.split["all_destinations"])
        self.inductive = torch.from_numpy(self.split["inductive"])

    def insert(self, ev):
        ev = ev.to(self.device)
        start = self.loader.cur_e_id
        self.inserted[start:start + len(ev)] = ev
        self.loader.insert(self.src[ev], self.dst[ev])

    def logits(self, ev, neg):
        ev, neg = ev.to(self.device), neg.to(self.device)
        src, dst = self.src[ev], self.dst[ev]
        n_id = torch.cat([src, dst, neg]).unique()
        n_id, edge_index, e_id = self.loader(n_id)
        self.assoc[n_id] = torch.arange(n_id.numel(), device=self.device)
        mem, last_update = self.memory(n_id)
        rows = self.inserted[e_id]
        z = self.gnn(mem, last_update, edge_index, self.ts[rows], self.msg[rows])
        z_src = z[self.assoc[src]]
        return self.score(z_src, z[self.assoc[dst]]), self.score(z_src, z[self.assoc[neg]])

    def train_epoch(self, epoch):
        self.memory.train()
        self.gnn.train()
        self.score.train()
        self.memory.reset_state()
        self.loader.reset_state()
        gen = torch.Generator().manual_seed(1000003 * self.seed + epoch)
        events = torch.from_numpy(self.split["train"])
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        total, batches = 0.0, 0
        for ev in events.split(self.batch):
            self.opt.zero_grad()
            neg = self.train_pool[torch.randint(len(self.train_pool), (len(ev),), generator=gen)]
            pos_out, neg_out = self.logits(ev, neg)
            loss = bce(pos_out, torch.ones_like(pos_out)) + bce(neg_out, torch.zeros_like(neg_out))
            ev = ev.to(self.device)
            self.memory.update_state(self.src[ev], self.dst[ev], self.ts[ev], self.msg[ev])
            self.insert(ev)
            loss.backward()
            self.opt.step()
            self.memory.detach()
            total += float(loss)
            batches += 1
        return total / max(batches, 1)

    @torch.no_grad()
    def evaluate(self, events, gen):
        self.memory.eval()  # applies the pending messages of the last training batches
        self.gnn.eval()
        self.score.eval()
        aps, aucs, iaps, iaucs = [], [], [], []
        for ev in torch.from_numpy(events).split(self.batch):
            neg = self.eval_pool[torch.randint(len(self.eval_pool), (len(ev),), generator=gen)]
            pos_out, neg_out = self.logits(ev, neg)
            y = np.concatenate([np.ones(len(ev)), np.zeros(len(ev))])
            s = torch.cat([pos_out, neg_out]).sigmoid().cpu().numpy()
            aps.append(average_precision_score(y, s))
            aucs.append(roc_auc_score(y, s))
            ind = self.inductive[ev].numpy()
            if ind.any():
                yi = np.concatenate([np.ones(ind.sum()), np.zeros(ind.sum())])
                si = np.concatenate([s[:len(ev)][ind], s[len(ev):][ind]])
                iaps.append(average_precision_score(yi, si))
                iaucs.append(roc_auc_score(yi, si))
            ev = ev.to(self.device)
            self.memory.update_state(self.src[ev], self.dst[ev], self.ts[ev], self.msg[ev])
            self.insert(ev)
        mean = lambda v: float(np.mean(v)) if v else float("nan")
        return mean(aps), mean(aucs), mean(iaps), mean(iaucs)

    def eval_epoch(self):
        # Evaluation samples over every training event (masked ones included): rebuild the
        # neighbour state from them in training-sized chronological batches.
        self.loader.reset_state()
        for ev in torch.from_numpy(self.split["train_all"]).split(self.batch):
            self.insert(ev)
        gen = torch.Generator().manual_seed(12345)  # the same evaluation negatives every epoch
        val = self.evaluate(self.split["val"], gen)
        test = self.evaluate(self.split["test"], gen)
        return val, test


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dataset", choices=sorted(KNOWN), default="wikipedia")
    p.add_argument("--path", help="edge file (overrides --dataset)")
    p.add_argument("--format", choices=["jodie", "ml"], default="jodie")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu | cuda (PyG's TGN example on a GPU)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=200)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--dim", type=int, default=100, help="memory, time and embedding width")
    p.add_argument("--neighbors", type=int, default=10)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--msg-dim", type=int, default=1, help="zero edge-feature columns")
    p.add_argument("--val-fraction", type=float, default=0.15)
    p.add_argument("--test-fraction", type=float, default=0.15)
    p.add_argument("--inductive-fraction", type=float, default=0.1)
    p.add_argument("--time-init", choices=["pyg", "tgat"], default="pyg",
                   help="time encoder start: PyG's random Linear(1, d), or TGAT's fixed frequencies")
    p.add_argument("--output", choices=["pyg", "tgl"], default="pyg",
                   help="attention output: the convolution's as is, or TGL's LayerNorm(ReLU(Dropout(.)))")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    t0 = time.perf_counter()
    run = Run(args)
    sp = run.split
    print(json.dumps({"setup": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "device": str(run.device),
                      "num_nodes": run.num_nodes, "events": run.num_events,
                      "train_all": len(sp["train_all"]), "train": len(sp["train"]),
                      "masked_nodes": sp["masked_nodes"], "val": len(sp["val"]), "test": len(sp["test"]),
                      "setup_s": round(time.perf_counter() - t0, 3)}), flush=True)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = run.train_epoch(epoch)
        if run.device.type == "cuda":
            torch.cuda.synchronize()
        t1, c1 = time.perf_counter(), time.process_time()
        (vap, vauc, viap, viauc), (tap, tauc, tiap, tiauc) = run.eval_epoch()
        t2, c2 = time.perf_counter(), time.process_time()
        rec = {"epoch": epoch, "train_s": round(t1 - t0, 3), "eval_s": round(t2 - t1, 3),
               "train_cpu_s": round(c1 - c0, 3), "eval_cpu_s": round(c2 - c1, 3),
               "train_loss": loss, "val_ap": vap, "val_auc": vauc, "val_inductive_ap": viap,
               "val_inductive_auc": viauc, "test_ap": tap, "test_auc": tauc,
               "test_inductive_ap": tiap, "test_inductive_auc": tiauc}
        epochs.append(rec)
        print(json.dumps(rec), flush=True)
    print(json.dumps({"summary": True, "epochs": epochs}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
