#!/usr/bin/env python3
"""Writes a tiny TGB link-prediction set in TGB's exact layout, for
tests/datasets/tgb_test.cc: tgbl-wiki_edgelist_v2.csv (header, then
user_id,item_id,timestamp,state_label,features; float timestamps and item ids that restart at 0,
as the real file) and the evaluation negatives tgbl-wiki_{val,test}_ns_v2.pkl, written the way
TGB's NegativeEdgeGenerator and save_pkl write them: a dict from (src, dst, t) NumPy int64
scalars (TGB's ids: items shifted by max(user) + 1; timestamps cast to int) to NumPy int64
arrays, pickled at the highest protocol. The split is TGB's generate_splits (quantiles 0.70 and
0.85 of the int timestamps; train <= val_time < val <= test_time < test). Every third test edge
has 5 negatives instead of 6 (TGB allows fewer when a node has few candidates).

    /usr/bin/python3 tests/data/tgb_wiki/make.py
"""
import os
import pickle

import numpy as np

rng = np.random.default_rng(4)
E, USERS, ITEMS = 200, 12, 9
users = rng.integers(0, USERS, E)
items = rng.integers(0, ITEMS, E)
ts = np.sort(rng.integers(0, 1000, E)).astype(np.float64) + 0.25  # truncated by TGB
feat = rng.normal(size=(E, 3)).round(4)
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "tgbl-wiki_edgelist_v2.csv"), "w") as f:
    f.write("user_id,item_id,timestamp,state_label,comma_separated_list_of_features\n")
    for i in range(E):
        f.write(f"{users[i]},{items[i]},{ts[i]},{int(i % 17 == 0)},{feat[i, 0]},{feat[i, 1]},{feat[i, 2]}\n")

# TGB's reading (load_edgelist_wiki, pre_process, generate_splits).
src = users.astype(int)
dst = items + int(src.max()) + 1
t = ts.astype(int)
val_time, test_time = np.quantile(t, [0.70, 0.85])
masks = {"val": (t > val_time) & (t <= test_time), "test": t > test_time}
for split, mask in masks.items():
    table = {}
    for k, i in enumerate(np.nonzero(mask)[0]):
        count = 5 if split == "test" and k % 3 == 0 else 6
        candidates = np.array([v for v in range(int(src.max()) + 1, int(dst.max()) + 1) if v != dst[i]])
        table[(np.int64(src[i]), np.int64(dst[i]), np.int64(t[i]))] = candidates[:count].astype(np.int64)
    with open(os.path.join(here, f"tgbl-wiki_{split}_ns_v2.pkl"), "wb") as f:
        pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)
