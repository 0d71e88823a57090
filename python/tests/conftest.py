import os
import sys

import pytest

DATASETS = os.environ.get(
    "STREAMGNN_DATASETS_DIR",
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets"))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STREAMGNN_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def datasets_dir():
    if not os.path.isdir(DATASETS):
        pytest.skip("shared datasets not found at " + DATASETS)
    return DATASETS
