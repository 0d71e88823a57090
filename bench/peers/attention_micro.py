#!/usr/bin/python3
"""Forward + backward cost of one TGN attention layer on a wikipedia-sized batch (600 roots x 10
neighbour slots, width 100, one thread), in streamgnn's formulation (models/modules.cc
TemporalAttention: per slot, W_k and W_v on [h_nbr, phi(dt)]; query on [h_root, phi(0)]) and as
PyG's TransformerConv over N unique nodes and 6,000 edges (edge attribute [phi(dt), 1 zero
column]). Milliseconds of CPU per batch. docs/benchmarks.md, "TGN against PyG".

    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 /usr/bin/python3 bench/peers/attention_micro.py
"""
import time, torch
from torch_geometric.nn import TransformerConv
torch.set_num_threads(1); torch.manual_seed(0)
R, K, D = 600, 10, 100
# streamgnn (models/modules.cc TemporalAttention): per slot, W_k and W_v on [h_nbr, e(0), phi(dt)]
wq, wk, wv, wo = torch.nn.Linear(2*D, D), torch.nn.Linear(2*D, D), torch.nn.Linear(2*D, D), torch.nn.Linear(2*D, D)
tw = torch.nn.Linear(1, D)
def sg(h_root, h_nbr, dt):
    q = wq(torch.cat([h_root, torch.cos(tw(torch.zeros(R,1)))], 1)).view(R,1,2,D//2)
    kv = torch.cat([h_nbr, torch.cos(tw(dt.unsqueeze(-1)))], 2)
    k = wk(kv).view(R,K,2,D//2); v = wv(kv).view(R,K,2,D//2)
    a = torch.softmax(torch.nn.functional.leaky_relu((q*k).sum(3), 0.2), 1)
    agg = (a.unsqueeze(3)*v).sum(1).reshape(R, D)
    return torch.relu(wo(torch.cat([agg, h_root], 1)))
# PyG: TransformerConv over N unique nodes, E real edges, edge_attr = [phi(dt), msg(1)]
conv = TransformerConv(D, D//2, heads=2, edge_dim=D+1)
def pyg(x, ei, dt):
    return conv(x, ei, torch.cat([torch.cos(tw(dt.unsqueeze(-1))), torch.zeros(dt.numel(),1)], 1))
def bench(f, *a, n=30):
    for _ in range(3): f(*a).sum().backward()
    t=time.process_time()
    for _ in range(n): f(*a).sum().backward()
    return (time.process_time()-t)/n*1000
hr = torch.randn(R, D, requires_grad=True); hn = torch.randn(R, K, D, requires_grad=True); dt = torch.rand(R, K)*1e4
print("streamgnn-style attention fwd+bwd ms/batch:", round(bench(sg, hr, hn, dt), 2))
for N in (1000, 2000):
    x = torch.randn(N, D, requires_grad=True); E = R*K
    ei = torch.stack([torch.randint(N, (E,)), torch.randint(R, (E,))])
    print(f"PyG TransformerConv N={N} E={E} fwd+bwd ms/batch:", round(bench(pyg, x, ei, torch.rand(E)*1e4), 2))
