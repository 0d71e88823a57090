#!/usr/bin/env python3
"""Writes ind.gaps.* : a small Planetoid set in Kipf's layout with CiteSeer's quirk (test ids with
gaps: isolated test nodes that have no tx/ty row), for tests/datasets/planetoid_pickle_test.cc.
Node v's feature row has the single value v + 1 at column v % 6 and its label is v % 3, so the
test can check every row landed on its node. Pickled with protocol 2 from Python 3 (NumPy bytes
go through _codecs.encode, SciPy's class is scipy.sparse._csr.csr_matrix).

    /usr/bin/python3 tests/data/planetoid_gaps/make.py
"""
import collections
import os
import pickle

import numpy as np
import scipy.sparse as sp

N_ALL, N_Y, WIDTH, CLASSES = 520, 20, 6, 3
GAPS = {523, 527}
TEST = [v for v in range(N_ALL, N_ALL + 12) if v not in GAPS]
N = N_ALL + 12
ORDER = [TEST[i] for i in np.random.default_rng(0).permutation(len(TEST))]  # file order


def features(nodes):
    m = np.zeros((len(nodes), WIDTH), dtype=np.float32)
    for r, v in enumerate(nodes):
        m[r, v % WIDTH] = v + 1
    return sp.csr_matrix(m)


def labels(nodes):
    m = np.zeros((len(nodes), CLASSES), dtype=np.int32)
    for r, v in enumerate(nodes):
        m[r, v % CLASSES] = 1
    return m


graph = collections.defaultdict(list)
for v in range(N):
    w = (v * 7 + 3) % N
    if v in GAPS or w in GAPS:
        continue
    graph[v].append(w)
    graph[w].append(v)
graph[5].append(5)  # a self-loop, dropped on load

here = os.path.dirname(os.path.abspath(__file__))
objects = {"x": features(range(N_Y)), "y": labels(range(N_Y)), "allx": features(range(N_ALL)),
           "ally": labels(range(N_ALL)), "tx": features(ORDER), "ty": labels(ORDER), "graph": graph}
for part, obj in objects.items():
    with open(os.path.join(here, f"ind.gaps.{part}"), "wb") as f:
        pickle.dump(obj, f, protocol=2)
with open(os.path.join(here, "ind.gaps.test.index"), "w") as f:
    f.write("".join(f"{v}\n" for v in ORDER))
