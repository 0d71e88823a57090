import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import torch

import streamgnn


# ---- datasets -----------------------------------------------------------------------------------

@pytest.mark.parametrize("rel, fmt, events, active, labels1", [
    ("wikipedia_jodie/wikipedia.csv", "jodie", 157474, 9227, 217),
    ("uci_dyglib/ml_uci.csv", "ml", 59835, 1899, 0),
    ("bitcoin_alpha/soc-sign-bitcoinalpha.csv.gz", "snap", 24186, 3783, None),
    ("collegemsg/CollegeMsg.txt", "snap", 59835, 1899, None),
])
def test_datasets_load_with_readme_counts(datasets_dir, rel, fmt, events, active, labels1):
    ds = streamgnn.datasets.load(os.path.join(datasets_dir, rel), format=fmt)
    assert ds.num_events == events
    assert ds.active_nodes == active
    assert ds.src.dtype == torch.int64 and ds.t.dtype == torch.float64
    assert bool((ds.t[1:] >= ds.t[:-1]).all())
    if labels1 is not None:
        assert int((ds.labels == 1).sum()) == labels1
    again = streamgnn.datasets.load(os.path.join(datasets_dir, rel), format=fmt)
    assert again.cache_hit and torch.equal(again.dst, ds.dst)


def test_bad_inputs_raise_with_the_cpp_message(tmp_path):
    with pytest.raises(FileNotFoundError):
        streamgnn.datasets.load(str(tmp_path / "missing.csv"), format="jodie")
    bad = tmp_path / "bad.csv"
    bad.write_text("u,i,ts,label\n0,1,5,0\n0,x,6,0\n")
    with pytest.raises(ValueError, match=r"bad.csv:3"):
        streamgnn.datasets.load(str(bad), format="jodie")
    with pytest.raises(ValueError, match="format"):
        streamgnn.datasets.load(str(bad), format="parquet")


# ---- graph and samplers --------------------------------------------------------------------------

def _random_stream(n_nodes=50, n_edges=3000, seed=0):
    rng = np.random.default_rng(seed)
    src = rng.integers(0, n_nodes, n_edges)
    dst = rng.integers(0, n_nodes, n_edges)
    t = np.sort(rng.integers(0, n_edges // 3, n_edges)).astype(np.float64)  # ties on purpose
    return src, dst, t


def _brute_recent(src, dst, t, node, time, k):
    """The k newest edges of `node` strictly before `time` (undirected), ties: larger id first."""
    cand = [(t[i], i, dst[i] if src[i] == node else src[i])
            for i in range(len(src)) if (src[i] == node or dst[i] == node) and t[i] < time]
    cand.sort(key=lambda c: (c[0], c[1]), reverse=True)
    return [(c[2], c[1], c[0]) for c in cand[:k]]


def test_sampler_matches_brute_force_from_python():
    src, dst, t = _random_stream()
    g = streamgnn.TemporalGraph()
    for b in range(0, len(src), 500):  # torch and numpy inputs alike
        g.append(torch.from_numpy(src[b:b + 500]), dst[b:b + 500], t[b:b + 500])
    snap = g.snapshot()
    assert snap.watermark == len(src)
    rng = np.random.default_rng(1)
    roots = rng.integers(0, 50, 200)
    times = rng.integers(0, 1000, 200).astype(np.float64)
    sampler = streamgnn.TemporalSampler([5, 3], strategy="recent")
    blocks = sampler.sample(snap, roots, times, batch_key=3)
    assert len(blocks) == 2
    b0 = blocks[0]
    for r in range(len(roots)):
        lo, hi = int(b0.offsets[r]), int(b0.offsets[r + 1])
        got = list(zip(b0.neighbors[lo:hi].tolist(), b0.edges[lo:hi].tolist(), b0.times[lo:hi].tolist()))
        assert got == _brute_recent(src, dst, t, roots[r], times[r], 5)
        assert torch.allclose(b0.dt[lo:hi], torch.tensor(times[r] - np.array(b0.times[lo:hi]), dtype=torch.float32))
    assert torch.equal(blocks[1].root_nodes, b0.neighbors)


def test_uniform_is_deterministic_and_without_replacement():
    src, dst, t = _random_stream()
    g = streamgnn.TemporalGraph()
    g.append(src, dst, t)
    snap = g.snapshot()
    s = streamgnn.TemporalSampler([8], strategy="uniform", seed=7)
    roots = torch.arange(50)
    times = torch.full((50,), 900.0, dtype=torch.float64)
    a = s.sample(snap, roots, times, batch_key=1)[0]
    b = s.sample(snap, roots, times, batch_key=1)[0]
    assert torch.equal(a.edges, b.edges)
    for r in range(50):
        e = a.edges[a.offsets[r]:a.offsets[r + 1]]
        assert len(set(e.tolist())) == len(e)


def test_sampler_tensors_come_back_without_a_copy():
    src, dst, t = _random_stream()
    g = streamgnn.TemporalGraph()
    g.append(src, dst, t)
    snap = g.snapshot()
    s = streamgnn.TemporalSampler([10], reuse=True)
    roots = torch.arange(40)
    times = torch.full((40,), 1000.0, dtype=torch.float64)
    first = s.sample(snap, roots, times)[0]
    ptr = first.neighbors.data_ptr()
    second = s.sample(snap, roots, times, batch_key=2)[0]
    assert second.neighbors.data_ptr() == ptr  # same C++ buffer, no allocation, no copy
    assert first.neighbors.data_ptr() == ptr   # the earlier tensor views it too
    # A dataset's tensors are views of the loaded arrays: slicing shares storage.
    ds_like = torch.from_numpy(np.arange(10))
    assert ds_like[2:].data_ptr() == ds_like.data_ptr() + 16


def test_refused_batch_raises_and_stores_nothing():
    g = streamgnn.TemporalGraph(out_of_order="refuse")
    g.append([0, 1], [1, 2], [10.0, 20.0])
    with pytest.raises(ValueError, match="older than the newest edge"):
        g.append([2], [3], [15.0])
    stats = g.stats()
    assert stats["num_edges"] == 2 and stats["out_of_order_refused"] == 1
    with pytest.raises(ValueError, match="not a finite number"):
        g.append([0], [1], [float("nan")])
    with pytest.raises(ValueError, match="out_of_order"):
        streamgnn.TemporalGraph(out_of_order="sometimes")


def test_negative_sampler():
    neg = streamgnn.NegativeSampler.from_range(10, 20, seed=3)
    a = neg.sample(0, 1000)
    assert a.dtype == torch.int64 and int(a.min()) >= 10 and int(a.max()) < 20
    assert torch.equal(a, neg.sample(0, 1000))
    c = streamgnn.NegativeSampler.from_candidates(torch.tensor([5, 7, 5]))
    assert set(c.sample(1, 100).tolist()) <= {5, 7}


def test_a_python_thread_runs_while_cpp_works():
    n = 3_000_000
    rng = np.random.default_rng(0)
    src = rng.integers(0, 100_000, n)
    dst = rng.integers(0, 100_000, n)
    t = np.arange(n, dtype=np.float64)
    g = streamgnn.TemporalGraph()
    ticks = []
    done = threading.Event()

    def ingest():
        g.append(src, dst, t)
        done.set()

    worker = threading.Thread(target=ingest)
    worker.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    assert g.stats()["num_edges"] == n
    assert len(ticks) >= 5, "the main thread was blocked while C++ ingested (GIL not released)"


# ---- config -------------------------------------------------------------------------------------

def test_config_validation_names_file_line_and_key(tmp_path):
    p = tmp_path / "run.yaml"
    p.write_text("sampling:\n  layer: 2\n  neighbor: [10, 10]\n")
    cfg = streamgnn.Config.from_yaml(str(p), overrides=["train.lr=0.001"])
    assert cfg["sampling"]["neighbor"] == [10, 10]
    assert cfg["train"]["lr"] == pytest.approx(0.001)
    p.write_text("sampling:\n  layr: 2\n")
    with pytest.raises(ValueError, match=r"run.yaml:2:3: key 'sampling.layr'"):
        streamgnn.Config.from_yaml(str(p))
    with pytest.raises(ValueError, match=r"key 'train.batch_size'"):
        streamgnn.Config.from_dict({"train": {"batch_size": 0}})
    with pytest.raises(ValueError, match=r"--set sampling.strategy=newest"):
        streamgnn.Config.from_dict({}, overrides=["sampling.strategy=newest"])


# ---- examples -----------------------------------------------------------------------------------

def test_example_sampler_feeds_a_plain_pytorch_model():
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    script = os.path.join(root, "examples", "python", "sampler_to_pytorch.py")
    out = subprocess.run([sys.executable, script, "--edges", "20000", "--epochs", "2"],
                         capture_output=True, text=True, env=dict(os.environ), timeout=300)
    assert out.returncode == 0, out.stderr
    assert "test AP" in out.stdout


# ---- training ------------------------------------------------------------------------------------

def _tiny_run(tmp_path):
    return {
        "dataset": {"format": "synthetic", "cache": False,
                    "synthetic": {"num_nodes": 200, "num_edges": 3000, "num_communities": 4,
                                  "node_feat_dim": 8, "seed": 1}},
        "memory": {"dim_out": 32, "dim_time": 32},
        "gnn": {"dim_out": 32, "dim_time": 32},
        "train": {"model": "tgn", "epoch": 2, "batch_size": 200, "lr": 0.001, "patience": 0},
        "runtime": {"threads": 1},
        "log": {"dir": str(tmp_path / "run"), "progress": "never"},
    }


@pytest.mark.skipif(not streamgnn._C.has_trainers, reason="built without the LibTorch trainers")
def test_train_from_python_with_callbacks_and_checkpoint(tmp_path):
    seen = []
    ticks = []
    result = {}

    def run():
        result["r"] = streamgnn.Trainer(_tiny_run(tmp_path)).add_callback(seen.append).fit()

    worker = threading.Thread(target=run)
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    r = result["r"]
    assert [e["epoch"] for e in seen] == [1, 2]
    assert len(r["epochs"]) == 2 and 0.0 < r["best"]["test_ap"] <= 1.0
    assert len(ticks) >= 5, "the main thread was blocked while training (GIL not released)"
    again = streamgnn.load_checkpoint(str(tmp_path / "run" / "best.pt"))
    assert again["test_ap"] == pytest.approx(r["best"]["test_ap"])
    with pytest.raises(ValueError, match="key 'train.model'"):
        streamgnn.train(_tiny_run(tmp_path), overrides=["train.model=gpt"])


@pytest.mark.skipif(not streamgnn._C.has_trainers, reason="built without the LibTorch trainers")
def test_train_static_heterogeneous_from_python():
    config = {
        "dataset": {"format": "hetero_sbm", "row_normalize": False,
                    "hetero_sbm": {"nodes_per_type": 200, "num_relations": 4, "edges_per_relation": 800,
                                   "feature_dim": 8, "feature_noise": 2.0}},
        "model": {"name": "bghgnn", "hidden": 16, "heads": 2, "dropout": 0.1, "code_dim": 16},
        "train": {"epoch": 30, "lr": 0.01, "weight_decay": 0, "patience": 0},
        "runtime": {"threads": 1},
    }
    r = streamgnn.train_static(config)
    assert r["full_graph"] and len(r["epochs"]) == 30
    assert r["test_acc"] > 0.5 and r["test_macro_f1"] > 0.4  # 4 classes: chance is 0.25
    assert r["epochs"][-1]["loss"] < r["epochs"][0]["loss"]
    with pytest.raises(ValueError, match="renamed: did you mean 'train.epoch'"):
        streamgnn.train_static(config, overrides=["train.epochs=3"])
    # Typed fan-out mini-batches through the same call.
    r = streamgnn.train_static(config, overrides=["train.batch_size=16", "sampling.neighbor=[6,3]"])
    assert not r["full_graph"] and r["test_acc"] > 0.5
