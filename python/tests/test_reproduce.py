"""The reproduce scripts (scripts/reproduce/) run end to end in --quick mode, and each table they
write has the header row of the docs table it regenerates and one row per configuration of that
table (same first-column labels where the labels do not carry measured numbers).

A script whose binary is not built, whose dataset is missing or which needs a GPU is skipped
with the reason (pytest -rs shows it)."""
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCRIPTS = os.path.join(ROOT, "scripts", "reproduce")
BUILD = os.environ.get("STREAMGNN_BUILD_DIR") or os.path.join(ROOT, "build")


def _tables(text):
    """[(header row, [first cell of each body row])] of every markdown table in text."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-:| ]+\|$", lines[i + 1]):
            header, cells, i = lines[i].strip(), [], i + 2
            while i < len(lines) and lines[i].startswith("|"):
                cells.append(lines[i].split("|")[1].strip())
                i += 1
            out.append((header, cells))
        else:
            i += 1
    return out


def _normalize(header):
    # Headers that name the seed count: the docs' full runs against --quick's fewer seeds.
    header = re.sub(r"\(\d+ seeds\)", "(N seeds)", header)
    return re.sub(r"\(seeds [\d, ]+\)", "(seeds ...)", header)


def _doc_section(doc, heading):
    text = open(os.path.join(ROOT, "docs", doc)).read()
    start = next((m.end() for m in re.finditer(r"^## (.*)$", text, re.M) if m[1].startswith(heading)), None)
    assert start is not None, f"docs/{doc} has no section '## {heading}'"
    end = re.search(r"^## ", text[start:], re.M)
    return text[start:start + end.start()] if end else text[start:]


def _need(*binaries):
    for b in binaries:
        path = os.path.join(BUILD, "bin", b)
        if not os.access(path, os.X_OK):
            pytest.skip(f"{path} is not built")


def _has_gpu():
    smi = shutil.which("nvidia-smi")
    if not smi:
        return False
    proc = subprocess.run([smi, "-L"], capture_output=True, text=True)
    return proc.returncode == 0 and "GPU" in proc.stdout


def _run(script, out, *extra, timeout=300):
    cmd = [sys.executable, os.path.join(SCRIPTS, script), "--quick", "--build", BUILD, "--out", str(out), *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert proc.returncode == 0, f"{' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert "running: " in proc.stdout  # every script prints the commands it runs
    return proc


# script, binaries, docs file, docs section, number of docs tables checked, compare first cells
CASES = [
    ("temporal_store_w1.py", ["bench_temporal_store"], "benchmarks.md", "Temporal block store vs T-CSR", 2, True),
    ("feature_cache_hit_rate.py", ["bench_cache_hit_rate"], "benchmarks.md", "Feature cache", 5, True),
    ("service_load.py", ["bench_service_load", "streamgnn"], "benchmarks.md", "Ingestion service under load", 1,
     False),
    ("static_accuracy.py", ["streamgnn"], "static.md", "Measured", 2, True),
    ("temporal_accuracy.py", ["streamgnn"], "models.md", "Measured", 2, True),
    ("continuous_learning.py", ["streamgnn"], "continuous.md", "Benchmark", 2, False),
    ("hetero_scaling.py", ["bench_hetero_scaling"], "hetero.md", "Scaling with the number of relation types", 2,
     True),
    ("hetero_accuracy.py", ["streamgnn"], "hetero.md", "Accuracy over seeds", 1, True),
    ("continual_learning.py", ["streamgnn"], "continual.md", "Results", 1, True),
    ("tgb_eval_speed.py", ["streamgnn"], "benchmarks.md", "TGB evaluation", 1, True),
]


TAKES_DATASETS = {"feature_cache_hit_rate.py", "static_accuracy.py", "temporal_accuracy.py",
                  "continuous_learning.py", "hetero_accuracy.py", "continual_learning.py"}


@pytest.mark.parametrize("script, binaries, doc, section, n_tables, same_labels", CASES,
                         ids=[c[0] for c in CASES])
def test_script_writes_the_docs_tables(request, tmp_path, script, binaries, doc, section, n_tables, same_labels):
    _need(*binaries)
    # The conftest fixture skips (visibly) where ../shared/datasets is missing.
    data = ["--datasets", request.getfixturevalue("datasets_dir")] if script in TAKES_DATASETS else []
    _run(script, tmp_path, *data)
    name = script[:-3]
    written = _tables(open(tmp_path / f"{name}.md").read())
    expected = _tables(_doc_section(doc, section))
    assert len(expected) == n_tables, f"docs/{doc} '{section}' now has {len(expected)} tables"
    for header in dict.fromkeys(_normalize(h) for h, _ in expected):
        want = [cells for h, cells in expected if _normalize(h) == header]
        got = [cells for h, cells in written if _normalize(h) == header]
        assert len(got) == len(want), (f"{name}.md: {len(got)} table(s) with the docs header\n{header}\n"
                                       f"(docs: {len(want)}); its headers: {[h for h, _ in written]}")
        for g, w in zip(got, want):
            assert len(g) == len(w), f"{header}: rows {g} against the docs' {w}"
            if same_labels:
                assert g == w, f"{header}: rows {g} against the docs' {w}"
    if script in ("temporal_store_w1.py", "feature_cache_hit_rate.py", "service_load.py", "hetero_scaling.py"):
        assert (tmp_path / f"{name}.json").exists()  # --quick keeps the raw JSON beside the table


def test_cora_sweep_quick(tmp_path, datasets_dir):
    _need("streamgnn")
    _run("cora_batch_fanout_sweep.py", tmp_path)
    (header, cells), = _tables(open(tmp_path / "cora_batch_fanout_sweep.md").read())
    assert header == "| batch size | fan-out | test accuracy (%) | training time (s) | time to best val (s) |"
    assert cells == ["32", "32", "all", "all (full graph)"]


@pytest.mark.parametrize("script", ["gpu.py", "gpu_training.py"])
def test_gpu_scripts_fail_clearly_without_a_gpu(tmp_path, script):
    if _has_gpu():
        pytest.skip("a GPU is present: the scripts run there instead")
    proc = subprocess.run([sys.executable, os.path.join(SCRIPTS, script), "--quick", "--build", BUILD,
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "no CUDA GPU" in proc.stderr
    assert not list(tmp_path.glob("*.md"))


def test_gpu_quick(tmp_path):
    if not _has_gpu():
        pytest.skip("needs an NVIDIA GPU (scripts/reproduce/gpu.py runs on the device machine)")
    _need("bench_gpu_sampler", "gpu_sampler_test", "gpu_feature_cache_test", "gpu_spmm_test")
    _run("gpu.py", tmp_path, timeout=600)
    written = [cells for h, cells in _tables(open(tmp_path / "gpu.md").read())]
    header, cells = next(t for t in _tables(_doc_section("benchmarks.md", "GPU")) if t[0].startswith("| config |"))
    assert header in open(tmp_path / "gpu.md").read()
    assert cells in written
