"""streamgnn: temporal graph storage, sampling and training from Python.

The heavy lifting is C++ (the `_streamgnn` extension). Arrays come back as torch tensors that
share memory with the C++ buffers (no copy); inputs may be torch tensors, NumPy arrays or
sequences. Every long call releases the GIL, and errors raise Python exceptions carrying the
C++ message (ValueError for bad input, FileNotFoundError for a missing file).

    import streamgnn
    ds = streamgnn.datasets.load("wikipedia.csv", format="jodie")
    g = streamgnn.TemporalGraph()
    g.append(ds.src, ds.dst, ds.t)
    sampler = streamgnn.TemporalSampler([10, 10], strategy="recent")
    blocks = sampler.sample(g.snapshot(), ds.src[:600], ds.t[:600])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from . import _streamgnn as _C
from . import datasets

__all__ = [
    "Block",
    "Config",
    "Trainer",
    "NegativeSampler",
    "Snapshot",
    "TemporalGraph",
    "TemporalSampler",
    "datasets",
    "kernel_mean_matching",
    "load_checkpoint",
    "set_thread_budget",
    "train",
    "train_continual",
    "train_static",
]


def _as_numpy(x: Any, dtype: np.dtype) -> np.ndarray:
    """A contiguous 1-D NumPy view of x (no copy when x already has that dtype and layout)."""
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.device.type != "cpu":
            raise ValueError("streamgnn takes CPU tensors; got a tensor on " + str(x.device))
        x = x.numpy()
    return np.ascontiguousarray(x, dtype=dtype)


def set_thread_budget(threads: int) -> None:
    """Threads shared by TBB (sampling, ingestion) and LibTorch; 0 = all cores."""
    _C.set_thread_budget(threads)


class Snapshot:
    """A consistent view of a TemporalGraph: exactly the edges appended before it was taken.

    Holding a snapshot keeps the memory it can reach alive; close it (or use `with`) when done.
    """

    def __init__(self, handle: "_C.Snapshot") -> None:
        self._h = handle

    @property
    def watermark(self) -> int:
        """Visible edges have ids below this."""
        return self._h.watermark

    @property
    def num_nodes(self) -> int:
        return self._h.num_nodes

    def degree(self, node: int, t: float = float("inf")) -> int:
        """Number of visible edges of `node` with time before t."""
        return self._h.degree(node, t)

    def edges(self, node: int, t: float = float("inf")) -> List[Tuple[int, int, float]]:
        """Visible (neighbour, edge id, time) of `node` before t, oldest first."""
        return self._h.edges(node, t)

    def close(self) -> None:
        self._h.close()

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class TemporalGraph:
    """The time-indexed block store (graph/temporal_graph.h).

    Args:
        undirected: store each edge for both endpoints.
        out_of_order: "insert" (merge edges older than their node's newest edge in place) or
            "refuse" (reject the whole batch with ValueError; nothing stored).
        eviction_window: > 0 keeps only edges newer than (newest time - window).
    """

    def __init__(self, undirected: bool = True, out_of_order: str = "insert",
                 eviction_window: float = 0.0, min_block_capacity: int = 8,
                 max_block_capacity: int = 4096) -> None:
        self._h = _C.TemporalGraph(undirected, out_of_order, eviction_window, min_block_capacity,
                                   max_block_capacity)

    def append(self, src: Any, dst: Any, t: Any) -> Tuple[int, int, int]:
        """Appends a batch; returns (first edge id, count, out-of-order inserted).

        Edge ids are assigned in input order. Raises ValueError for a bad batch (nothing stored).
        """
        return self._h.append(_as_numpy(src, np.int64), _as_numpy(dst, np.int64),
                              _as_numpy(t, np.float64))

    def evict_before(self, t: float) -> None:
        """Hides every edge older than t; frees their blocks once older snapshots are closed."""
        self._h.evict_before(t)

    def snapshot(self) -> Snapshot:
        return Snapshot(self._h.snapshot())

    def stats(self) -> Dict[str, Any]:
        """Counts (nodes, edges, out-of-order, evicted) and memory in bytes."""
        return self._h.stats()


@dataclass
class Block:
    """One sampled layer, CSR-shaped: root r's neighbours are [offsets[r], offsets[r+1])."""

    root_nodes: torch.Tensor
    root_times: torch.Tensor
    offsets: torch.Tensor
    neighbors: torch.Tensor
    edges: torch.Tensor
    times: torch.Tensor
    dt: torch.Tensor

    @property
    def num_roots(self) -> int:
        return int(self.root_nodes.shape[0])


class TemporalSampler:
    """Temporal neighbour sampler: `recent` (newest k before the root time) or `uniform`.

    Args:
        fanouts: neighbours per root, one entry per layer.
        reuse: return tensors over the same buffers at every call (no allocation in steady
            state); the previous call's tensors are then overwritten.
    """

    def __init__(self, fanouts: Sequence[int], strategy: str = "recent", prop_time: bool = False,
                 seed: int = 0, reuse: bool = False) -> None:
        self._h = _C.TemporalSampler(list(fanouts), strategy, prop_time, seed, reuse)

    def sample(self, snapshot: Snapshot, nodes: Any, times: Any, batch_key: int = 0) -> List[Block]:
        """Samples every layer for roots (nodes[i], times[i]); same output for the same
        (seed, batch_key) whatever the thread count."""
        layers = self._h.sample(snapshot._h, _as_numpy(nodes, np.int64),
                                _as_numpy(times, np.float64), batch_key)
        return [Block(**{k: torch.from_numpy(v) for k, v in layer.items()}) for layer in layers]


class NegativeSampler:
    """Uniform negative destinations, deterministic per (seed, batch_key)."""

    def __init__(self, handle: "_C.NegativeSampler") -> None:
        self._h = handle

    @staticmethod
    def from_range(begin: int, end: int, seed: int = 0) -> "NegativeSampler":
        return NegativeSampler(_C.NegativeSampler.from_range(begin, end, seed))

    @staticmethod
    def from_candidates(candidates: Any, seed: int = 0) -> "NegativeSampler":
        return NegativeSampler(_C.NegativeSampler.from_candidates(
            _as_numpy(candidates, np.int64).tolist(), seed))

    def sample(self, batch_key: int, count: int) -> torch.Tensor:
        return torch.from_numpy(self._h.sample(batch_key, count))


class Config:
    """A run configuration, parsed and validated exactly as `streamgnn` does.

    Errors raise ValueError naming the file, line and key (or the `--set` override).
    """

    def __init__(self, data: Dict[str, Any], source: str = "", is_file: bool = False,
                 overrides: Sequence[str] = ()) -> None:
        self._data = data
        self._source = source          # the YAML file, or the YAML/JSON text
        self._is_file = is_file
        self._overrides = list(overrides)

    @staticmethod
    def from_yaml(path: str, overrides: Optional[Sequence[str]] = None) -> "Config":
        overrides = list(overrides or [])
        return Config(json.loads(_C.config_from_yaml_file(path, overrides)), path, True, overrides)

    @staticmethod
    def from_dict(d: Dict[str, Any], overrides: Optional[Sequence[str]] = None) -> "Config":
        # JSON is valid YAML flow syntax: the dict goes through the same parser.
        overrides = list(overrides or [])
        text = json.dumps(d)
        return Config(json.loads(_C.config_from_yaml_text(text, "<dict>", overrides)), text, False,
                      overrides)

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(json.dumps(self._data))

    def __getitem__(self, section: str) -> Dict[str, Any]:
        return self._data[section]

    def __repr__(self) -> str:
        return "Config(" + json.dumps(self._data) + ")"


def train(config: Any, overrides: Optional[Sequence[str]] = None, resume: bool = False,
          on_epoch: Optional[Callable[[Dict[str, Any]], None]] = None) -> Dict[str, Any]:
    """Trains a temporal model (TGN, JODIE, APAN, TGAT) exactly as `streamgnn train` does.

    `config` is a YAML path, a Config, or a dict. The GIL is released while C++ trains, so other
    Python threads keep running; `on_epoch(metrics)` runs after every epoch (an exception it
    raises is re-raised when training ends). Returns {"epochs": [...], "best_epoch": k,
    "best": {...}, "stopped_early": bool}; the metrics keys are those of metrics.jsonl.
    """
    if not _C.has_trainers:
        raise NotImplementedError("this build of streamgnn has no trainers (LibTorch was off)")
    if isinstance(config, str):
        source, is_file, base = config, True, []
    elif isinstance(config, Config):
        source, is_file, base = config._source, config._is_file, config._overrides
    else:
        source, is_file, base = json.dumps(config), False, []
    callback = (lambda text: on_epoch(json.loads(text))) if on_epoch else None
    r = _C.train(source, is_file, list(base) + list(overrides or []), resume, callback)
    epochs = [json.loads(e) for e in r["epochs"]]
    return {"epochs": epochs, "best_epoch": r["best_epoch"],
            "best": epochs[r["best_epoch"] - 1] if r["best_epoch"] > 0 else None,
            "stopped_early": r["stopped_early"]}


def _run_static_config(run: Optional[Callable[..., Any]], config: Any,
                       overrides: Optional[Sequence[str]]) -> Any:
    """Calls a C++ static-config entry point with a YAML path or a dict (sent as JSON)."""
    if run is None:
        raise NotImplementedError("this build of streamgnn has no trainers (LibTorch was off)")
    if isinstance(config, str):
        return run(config, True, list(overrides or []))
    return run(json.dumps(config), False, list(overrides or []))


def train_static(config: Any, overrides: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Trains a node classifier on a static graph exactly as `streamgnn static-train` does:
    GCN, GraphSAGE or GAT on a homogeneous dataset, R-GCN, HGT or BG-HGNN on a heterogeneous one
    (docs/static.md, docs/hetero.md). `config` is a YAML path or a dict. Returns
    {"epochs": [...], "selected_epoch": k, "val_acc", "test_acc", "test_macro_f1",
    "train_seconds", "full_graph"}; a bad config raises ValueError naming the key.
    """
    return _run_static_config(_C.train_static if _C.has_trainers else None, config, overrides)


def train_continual(config: Any, overrides: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Runs a graph continual-learning stream exactly as `streamgnn continual-train` does
    (docs/continual.md). `config` is a YAML path or a dict. Returns {"num_tasks", "accuracy":
    acc[i][j] (test accuracy on task j after task i), "average_performance",
    "average_forgetting", "task_seconds", "buffer_size"}; a bad config raises ValueError naming
    the key.
    """
    return json.loads(_run_static_config(_C.train_continual if _C.has_trainers else None, config, overrides))


def kernel_mean_matching(z: Any, x: Any, kernel: str = "linear", sigma: float = 1.0,
                         upper_bound: float = 1.0, epsilon: float = -1.0) -> Tuple[np.ndarray, float]:
    """SEA-ER's importance weights (memory/importance_weights.h): the kernel-mean-matching QP
    min 1/2 b'Kb - kappa'b, 0 <= b_i <= upper_bound, |sum b - n_z| <= n_z epsilon (epsilon < 0:
    upper_bound / sqrt(n_z)), solved by Ipopt, for the rows of z (n_z x d) against those of x
    (n_x x d). Returns (weights, objective). NotImplementedError when built without Ipopt.
    """
    if not _C.has_trainers:
        raise NotImplementedError("this build of streamgnn has no trainers (LibTorch was off)")
    def rows(a: Any) -> np.ndarray:
        a = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a
        return np.ascontiguousarray(a, dtype=np.float32)
    return _C.kernel_mean_matching(rows(z), rows(x), kernel, sigma, upper_bound, epsilon)


class Trainer:
    """A training run with per-epoch callbacks: Trainer(cfg).add_callback(fn).fit()."""

    def __init__(self, config: Any, overrides: Optional[Sequence[str]] = None) -> None:
        self.config = config
        self.overrides = list(overrides or [])
        self._callbacks: List[Callable[[Dict[str, Any]], None]] = []

    def add_callback(self, fn: Callable[[Dict[str, Any]], None]) -> "Trainer":
        self._callbacks.append(fn)
        return self

    def fit(self, resume: bool = False) -> Dict[str, Any]:
        def on_epoch(metrics: Dict[str, Any]) -> None:
            for fn in self._callbacks:
                fn(metrics)
        return train(self.config, self.overrides, resume, on_epoch)


def load_checkpoint(path: str, scores_dir: Optional[str] = None,
                    overrides: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """Re-evaluates a checkpoint written by training (checkpoint.pt or best.pt): the validation and
    test metrics of the epoch it was taken after, the positives ranked and the seconds the passes
    took (eval_s). With scores_dir, also writes the ranked scores there: {val,test}_pos.npy
    [P, 1] and {val,test}_neg.npy [P, K] (NaN past each row's negatives), e.g. to check the MRR
    with TGB's own Evaluator. overrides ("key=value") may set only the keys that change no score:
    eval.positives_per_forward and runtime.threads."""
    if not _C.has_trainers:
        raise NotImplementedError("this build of streamgnn has no trainers (LibTorch was off)")
    return json.loads(_C.evaluate_checkpoint(path, scores_dir or "", list(overrides or [])))
