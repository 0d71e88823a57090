#!/usr/bin/env python3
"""Writes graph.npz: a valid three-node gnn-benchmark archive whose sparse attributes claim
2^40 columns, for tests/datasets/static_dataset_test.cc (densifying them would need 12 TB; the
loader must refuse with ResourceExhausted before allocating).

    /usr/bin/python3 tests/data/npz_huge_attr/make.py
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
np.savez(os.path.join(here, "graph.npz"),
         adj_data=np.ones(2, np.float32), adj_indices=np.array([1, 0], np.int32),
         adj_indptr=np.array([0, 1, 2, 2], np.int32), adj_shape=np.array([3, 3]),
         attr_data=np.ones(1, np.float32), attr_indices=np.array([2**40 - 1], np.int64),
         attr_indptr=np.array([0, 1, 1, 1], np.int32), attr_shape=np.array([3, 2**40]),
         labels=np.array([0, 1, 1]))
