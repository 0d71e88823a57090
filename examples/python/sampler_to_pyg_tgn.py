"""streamgnn's block store, temporal sampler and negative sampler feeding a TGN built from
PyTorch Geometric modules (TGNMemory, IdentityMessage, LastAggregator, TransformerConv).

Division of labour: streamgnn holds the edge stream (TemporalGraph, appended batch by batch as
the events arrive), draws the negatives (NegativeSampler, deterministic per batch) and samples
each root's 10 most recent earlier neighbours (TemporalSampler, `recent`); PyG keeps the node
memory and computes the embeddings:

  - memory: TGNMemory with the identity message [s_u, s_v, e, phi(dt)] and the last-message
    aggregator; a GRU updates a node's memory from its pending message when it is next read,
    so a batch's predictions see the messages of earlier batches only (TGN's order);
  - embedding: one TransformerConv layer (2 heads) per root occurrence (sources, destinations,
    negatives), over a bipartite graph built from the sampler's block: neighbour rows ->
    root rows, edge attribute = the memory's time encoding of the sampler's dt (root time - edge
    time) concatenated with the edge features;
  - link predictor ReLU(W_src z_u + W_dst z_v) -> linear, BCE with one negative per edge.

Trained on the first 70% of a chronological stream, memory reset every epoch; validation (15%)
and test (15%) continue from the end-of-training memory; AP per evaluation batch, averaged.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/sampler_to_pyg_tgn.py
    PYTHONPATH=build/python /usr/bin/python3 examples/python/sampler_to_pyg_tgn.py \\
        --data ../shared/datasets/wikipedia_jodie/wikipedia.csv --format jodie --epochs 1

Needs torch_geometric (pure Python is enough: `/usr/bin/python3 -m pip install
--break-system-packages torch_geometric==2.4.0` on Debian's python3-torch 1.13) and
scikit-learn. The default data is a generated 60k-event stream (communities + recency signal).
On uci_dyglib (`--data ../shared/datasets/uci_dyglib/ml_uci.csv --format ml --threads 1`) two
epochs gave test AP 0.68 then 0.70 (no inductive masking here). bench/peers/pyg_tgn.py is the same model with PyG's own neighbour
loader instead of streamgnn's sampler (the peer benchmark, docs/benchmarks.md).
"""

import argparse
import time

import numpy as np
import torch
from sklearn.metrics import average_precision_score
from torch.nn import Linear
from torch_geometric.nn import TGNMemory, TransformerConv
from torch_geometric.nn.models.tgn import IdentityMessage, LastAggregator

import streamgnn


class TGN(torch.nn.Module):
    def __init__(self, num_nodes: int, dim_edge: int, dim: int = 100, heads: int = 2,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.memory = TGNMemory(num_nodes, dim_edge, dim, dim,
                                message_module=IdentityMessage(dim_edge, dim, dim),
                                aggregator_module=LastAggregator())
        self.conv = TransformerConv((dim, dim), dim // heads, heads=heads, dropout=dropout,
                                    edge_dim=dim + dim_edge)
        self.lin_src, self.lin_dst, self.lin_out = Linear(dim, dim), Linear(dim, dim), Linear(dim, 1)
        self.assoc = torch.empty(num_nodes, dtype=torch.long)

    def embed(self, block: streamgnn.Block, edge_feat: torch.Tensor) -> torch.Tensor:
        """One embedding per root of the block (a streamgnn TemporalSampler layer)."""
        n_id = torch.cat([block.root_nodes, block.neighbors]).unique()
        self.assoc[n_id] = torch.arange(n_id.numel())
        mem, _ = self.memory(n_id)  # applies pending messages (with gradient when training)
        counts = block.offsets[1:] - block.offsets[:-1]
        target = torch.repeat_interleave(torch.arange(block.num_roots), counts)
        edge_index = torch.stack([torch.arange(block.neighbors.numel()), target])
        edge_attr = torch.cat([self.memory.time_enc(block.dt.float()), edge_feat[block.edges]], dim=1)
        x_nbr = mem[self.assoc[block.neighbors]]
        x_root = mem[self.assoc[block.root_nodes]]
        return self.conv((x_nbr, x_root), edge_index, edge_attr)

    def score(self, z_src: torch.Tensor, z_dst: torch.Tensor) -> torch.Tensor:
        return self.lin_out(torch.relu(self.lin_src(z_src) + self.lin_dst(z_dst))).view(-1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", help="edge file; default: a generated stream")
    parser.add_argument("--format", default="jodie", help="jodie | ml | snap | tgl | csv")
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--edges", type=int, default=60000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    streamgnn.set_thread_budget(args.threads)

    if args.data:
        ds = streamgnn.datasets.load(args.data, format=args.format)
    else:
        ds = streamgnn.datasets.generate_synthetic(num_nodes=args.nodes, num_edges=args.edges, seed=1)
    E = ds.num_events
    # TGNMemory keeps integer times: use milliseconds when the stream's times are fractional.
    t_mem = ds.t.long() if torch.equal(ds.t, ds.t.round()) else (ds.t * 1000).round().long()
    # No edge features: one zero column (TGNMemory's raw message needs a width).
    edge_feat = ds.edge_feat if ds.edge_feat.shape[1] > 0 else torch.zeros(E, 1)
    train_end, val_end = int(0.70 * E), int(0.85 * E)
    train_dst = torch.unique(ds.dst[:train_end])
    train_neg = streamgnn.NegativeSampler.from_candidates(train_dst, seed=1)
    eval_neg = streamgnn.NegativeSampler.from_candidates(torch.unique(ds.dst), seed=2)
    sampler = streamgnn.TemporalSampler([10], strategy="recent")
    model = TGN(ds.num_nodes, edge_feat.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def batches(graph, lo, hi, negatives):
        """Appends each batch to the store, then samples its roots' earlier neighbours."""
        for start in range(lo, hi, args.batch):
            end = min(start + args.batch, hi)
            n = end - start
            graph.append(ds.src[start:end], ds.dst[start:end], ds.t[start:end])
            neg = negatives.sample(start, n)
            roots = torch.cat([ds.src[start:end], ds.dst[start:end], neg])
            with graph.snapshot() as snap:  # neighbours strictly before each root's time
                block = sampler.sample(snap, roots, ds.t[start:end].repeat(3), batch_key=start)[0]
            yield start, end, n, block

    def step(start, end, n, block):
        z = model.embed(block, edge_feat)
        pos, neg = model.score(z[:n], z[n:2 * n]), model.score(z[:n], z[2 * n:])
        model.memory.update_state(ds.src[start:end], ds.dst[start:end], t_mem[start:end],
                                  edge_feat[start:end])
        return pos, neg

    for epoch in range(1, args.epochs + 1):
        model.train()
        model.memory.reset_state()
        graph = streamgnn.TemporalGraph()  # a fresh store each epoch, filled as the stream replays
        t0, total = time.perf_counter(), 0.0
        for start, end, n, block in batches(graph, 0, train_end, train_neg):
            opt.zero_grad()
            pos, neg = step(start, end, n, block)
            loss = bce(pos, torch.ones_like(pos)) + bce(neg, torch.zeros_like(neg))
            loss.backward()
            opt.step()
            model.memory.detach()
            total += float(loss) * n
        train_s = time.perf_counter() - t0

        model.eval()  # flushes the pending messages into the memory
        aps = {}
        with torch.no_grad():
            for name, lo, hi in (("val", train_end, val_end), ("test", val_end, E)):
                ap = []
                for start, end, n, block in batches(graph, lo, hi, eval_neg):
                    pos, neg = step(start, end, n, block)
                    scores = torch.cat([pos, neg]).sigmoid().numpy()
                    ap.append(average_precision_score(np.r_[np.ones(n), np.zeros(n)], scores))
                aps[name] = float(np.mean(ap))
        print(f"epoch {epoch}: loss {total / train_end:.4f}  val AP {aps['val']:.4f}  "
              f"test AP {aps['test']:.4f}  train {train_s:.1f} s")
    print(f"test AP {aps['test']:.4f}")


if __name__ == "__main__":
    main()
