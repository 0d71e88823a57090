"""Dataset loading: JODIE, DyGLib ml_, SNAP, TGL and CSV files, as torch tensors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict

import torch

from . import _streamgnn as _C


@dataclass
class TemporalDataset:
    """A chronological edge stream. Tensors share memory with the loaded C++ dataset.

    src, dst: int64 [E]; t: float64 [E]; labels: int32 [E] or empty; split: int8 [E] (0/1/2 =
    train/val/test, when the file carries it) or empty; edge_feat: float32 [E, d_e];
    node_feat: float32 [N, d_n]. Edge i has edge id i.
    """

    name: str
    num_nodes: int
    num_users: int
    active_nodes: int
    src: torch.Tensor
    dst: torch.Tensor
    t: torch.Tensor
    labels: torch.Tensor
    split: torch.Tensor
    edge_feat: torch.Tensor
    node_feat: torch.Tensor
    cache_hit: bool
    summary: Dict[str, Any] = field(default_factory=dict)

    @property
    def num_events(self) -> int:
        return int(self.src.shape[0])


def load(path: str, format: str = "jodie", cache: bool = True, cache_dir: str = "") -> TemporalDataset:
    """Loads a temporal dataset (format: jodie | ml | snap | tgl | csv).

    The second load of an unchanged file comes from the binary cache. Raises
    FileNotFoundError, or ValueError naming the file and line of malformed input.
    """
    return _wrap(_C.load_dataset(path, format, cache, cache_dir))


def generate_synthetic(num_nodes: int = 1000, num_edges: int = 10000, num_users: int = 0,
                       num_communities: int = 8, zipf_exponent: float = 1.0,
                       p_recent: float = 0.5, p_community: float = 0.35, node_feat_dim: int = 0,
                       edge_feat_dim: int = 0, seed: int = 0) -> TemporalDataset:
    """A power-law temporal graph with a planted, learnable signal: who links to whom next
    depends on community (p_community) and recency (p_recent). Deterministic for a seed.
    num_users > 0 makes it bipartite (users [0, num_users) link to items)."""
    return _wrap(_C.generate_synthetic(num_nodes, num_edges, num_users, num_communities,
                                       zipf_exponent, p_recent, p_community, node_feat_dim,
                                       edge_feat_dim, seed))


def _wrap(d: Dict[str, Any]) -> TemporalDataset:
    tensors = {k: torch.from_numpy(d[k]) for k in
               ("src", "dst", "t", "labels", "split", "edge_feat", "node_feat")}
    return TemporalDataset(name=d["name"], num_nodes=d["num_nodes"], num_users=d["num_users"],
                           active_nodes=d["active_nodes"], cache_hit=d["cache_hit"],
                           summary=json.loads(d["summary"]), **tensors)
