"""Graph continual learning from Python (issue 20; docs/continual.md): SEA-ER's kernel-mean-matching
weights against cvxopt's QP solver (the solver of KMM's reference code), and a stream run."""

import numpy as np
import pytest

import streamgnn

pytestmark = pytest.mark.skipif(not streamgnn._C.has_trainers, reason="built without the LibTorch trainers")


def _cvxopt_kmm(z, x, kernel, sigma, bound):
    """The QP of memory/importance_weights.h written out for cvxopt.solvers.qp."""
    cvxopt = pytest.importorskip("cvxopt", reason="python3-cvxopt (scripts/setup installs it)")
    z, x = z.astype(np.float64), x.astype(np.float64)
    if kernel == "linear":
        k, kx = z @ z.T, z @ x.T
    else:
        def rbf(a, b):
            d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T
            return np.exp(-np.maximum(d2, 0) / (2 * sigma * sigma))
        k, kx = rbf(z, z), rbf(z, x)
    nz, nx = len(z), len(x)
    kappa = kx.sum(1) * nz / nx
    eps = bound / np.sqrt(nz)
    g = np.vstack([np.ones((1, nz)), -np.ones((1, nz)), np.eye(nz), -np.eye(nz)])
    h = np.concatenate([[nz * (1 + eps)], [nz * (eps - 1)], bound * np.ones(nz), np.zeros(nz)])
    cvxopt.solvers.options.update(show_progress=False, abstol=1e-10, reltol=1e-10, feastol=1e-10)
    sol = cvxopt.solvers.qp(cvxopt.matrix(k), cvxopt.matrix(-kappa), cvxopt.matrix(g), cvxopt.matrix(h))
    assert sol["status"] == "optimal"
    beta = np.array(sol["x"]).ravel()
    return beta, 0.5 * beta @ k @ beta - kappa @ beta


@pytest.mark.parametrize("kernel", ["linear", "rbf"])
def test_kmm_weights_match_cvxopt(kernel):
    rng = np.random.default_rng(7)
    # Replayed rows from two clusters, current rows near one of them: the weights must favour it.
    z = np.vstack([rng.normal(0, 1, (15, 6)), rng.normal(3, 1, (15, 6))]).astype(np.float32)
    x = rng.normal(2.5, 1, (40, 6)).astype(np.float32)
    sigma = 2.0
    ours, objective = streamgnn.kernel_mean_matching(z, x, kernel=kernel, sigma=sigma)
    ref, ref_objective = _cvxopt_kmm(z, x, kernel, sigma, 1.0)
    eps = 1 / np.sqrt(len(z))
    assert ours.shape == (30,)
    assert np.all(ours >= -1e-7) and np.all(ours <= 1 + 1e-7)
    assert abs(ours.sum() - 30) <= 30 * eps + 1e-6
    assert objective == pytest.approx(ref_objective, rel=1e-6, abs=1e-6)
    if kernel == "rbf":
        # Strictly convex (the RBF Gram matrix is positive definite): one minimiser.
        np.testing.assert_allclose(ours, ref, atol=1e-4)
    # With the linear kernel K has rank <= 6 < 30, so the minimiser is not unique: the
    # objectives agree; the weights still favour the cluster the current rows sit in.
    assert ours[15:].mean() > ours[:15].mean()


def test_kmm_bad_input_raises():
    z = np.zeros((4, 3), dtype=np.float32)
    with pytest.raises(ValueError, match="same number of columns"):
        streamgnn.kernel_mean_matching(z, np.zeros((4, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="'linear' or 'rbf'"):
        streamgnn.kernel_mean_matching(z, z, kernel="poly")
    with pytest.raises(ValueError):
        streamgnn.kernel_mean_matching(np.zeros((0, 3), dtype=np.float32), z)


def test_train_continual_from_python():
    config = {
        "dataset": {"format": "sbm", "row_normalize": False,
                    "sbm": {"num_nodes": 400, "num_classes": 4, "avg_degree": 6, "feature_dim": 8,
                            "feature_noise": 1.0}},
        "model": {"name": "gcn", "hidden": 16},
        "train": {"epoch": 30, "lr": 0.01},
        "runtime": {"threads": 1},
        "continual": {"strategy": "replay", "classes_per_task": 2},
    }
    r = streamgnn.train_continual(config)
    acc = r["accuracy"]
    assert [len(row) for row in acc] == [1, 2]
    assert all(0 <= a <= 1 for row in acc for a in row)
    assert r["average_performance"] == pytest.approx(sum(acc[-1]) / 2)
    assert r["average_forgetting"] == pytest.approx(acc[0][0] - acc[1][0])
    assert len(r["task_seconds"]) == 2 and r["buffer_size"][0] == 0 and r["buffer_size"][1] == 20
    with pytest.raises(ValueError, match="continual"):
        streamgnn.train_continual(config, overrides=["continual.strategy=forget"])
