"""TGB's link-prediction protocol from Python (issue 21; docs/models.md, "TGB's protocol"): on a
small set written in TGB's exact layout (tests/data/tgb_wiki, by its make.py), streamgnn's MRR and
Hits@10 equal TGB's own Evaluator (py-tgb) on the same scores, the split equals TGB's rule, and a
damaged negatives file is a clear error."""

import os

import numpy as np
import pytest

import streamgnn

pytestmark = pytest.mark.skipif(not streamgnn._C.has_trainers, reason="built without the LibTorch trainers")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "tests", "data", "tgb_wiki")
EDGES = os.path.join(FIXTURE, "tgbl-wiki_edgelist_v2.csv")


def _config(run_dir, **eval_section):
    return {
        "dataset": {"format": "tgb", "path": EDGES, "cache": False},
        "memory": {"type": "node", "memory_update": "gru", "dim_out": 32, "dim_time": 16},
        "gnn": {"arch": "transformer_attention", "layer": 1, "att_head": 2, "dim_out": 32, "dim_time": 16},
        "sampling": {"layer": 1, "neighbor": [10]},
        "train": {"model": "tgn", "epoch": 2, "batch_size": 20, "lr": 0.002, "inductive_fraction": 0},
        "eval": {"protocol": "tgb", **eval_section},
        "runtime": {"threads": 1},
        "log": {"dir": str(run_dir), "progress": "never"},
    }


def _tgb_split_sizes():
    """TGB's generate_splits on TGB's int timestamps (linkproppred/dataset.py)."""
    t = np.loadtxt(EDGES, delimiter=",", skiprows=1, usecols=2).astype(int)
    val_time, test_time = np.quantile(t, [0.70, 0.85])
    return int(((t > val_time) & (t <= test_time)).sum()), int((t > test_time).sum())


def test_mrr_and_hits_equal_tgbs_evaluator(tmp_path):
    evaluate = pytest.importorskip("tgb.linkproppred.evaluate",
                                   reason="py-tgb (scripts/setup installs it with pip; skipped when offline)")
    streamgnn.train(_config(tmp_path / "run"))
    scores = tmp_path / "scores"
    metrics = streamgnn.load_checkpoint(str(tmp_path / "run" / "best.pt"), scores_dir=str(scores))
    evaluator = evaluate.Evaluator(name="tgbl-wiki", k_value=10)
    for split, expected_rows in zip(("val", "test"), _tgb_split_sizes()):
        pos = np.load(scores / f"{split}_pos.npy")[:, 0]
        neg = np.load(scores / f"{split}_neg.npy")
        assert len(pos) == expected_rows  # every positive of TGB's split, ranked once
        mrr, hits = [], []
        for p, row in zip(pos, neg):
            out = evaluator.eval({"y_pred_pos": np.array([p]), "y_pred_neg": row[~np.isnan(row)],
                                  "eval_metric": ["mrr", "hits@"]})
            mrr.append(out["mrr"])
            hits.append(out["hits@10"])
        assert metrics[f"{split}_mrr"] == pytest.approx(float(np.mean(mrr)), rel=1e-6)
        assert metrics[f"{split}_hits"] == pytest.approx(float(np.mean(hits)), abs=1e-12)
        assert 0 < metrics[f"{split}_mrr"] <= 1


def test_checkpoint_evaluation_takes_only_keys_that_change_no_score(tmp_path):
    streamgnn.train(_config(tmp_path / "run"))
    best = str(tmp_path / "run" / "best.pt")
    whole = streamgnn.load_checkpoint(best)
    one = streamgnn.load_checkpoint(best, overrides=["eval.positives_per_forward=1", "runtime.threads=1"])
    assert (one["val_positives"], one["test_positives"]) == _tgb_split_sizes()
    assert one["eval_s"] > 0
    for key in ("val_mrr", "test_mrr", "val_hits", "test_hits"):
        # The same scores up to BLAS rounding, which can only reorder exact ties.
        assert one[key] == pytest.approx(whole[key], abs=2e-3), key
    with pytest.raises(Exception, match="train.lr"):
        streamgnn.load_checkpoint(best, overrides=["train.lr=0.5"])


def test_damaged_or_missing_negatives_are_clear_errors(tmp_path):
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(b"\x80\x05not a pickle")
    with pytest.raises(Exception, match="bad.pkl"):
        streamgnn.train(_config(tmp_path / "a", val_negatives=str(bad)))
    with pytest.raises(FileNotFoundError, match="absent.pkl"):
        streamgnn.train(_config(tmp_path / "b", test_negatives=str(tmp_path / "absent.pkl")))
