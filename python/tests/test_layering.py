"""scripts/check_layering.py: the tree keeps DESIGN.md's layering, and the checker reports what it
must (a forbidden arrow, a LibTorch header in a LibTorch-free module) on small fixture trees."""
import importlib.util
import os

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
_spec = importlib.util.spec_from_file_location("check_layering", os.path.join(ROOT, "scripts", "check_layering.py"))
layering = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(layering)


def _tree(tmp_path, files):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path)


def test_the_tree_keeps_the_layering():
    assert layering.violations(ROOT) == []


def test_an_upward_include_is_reported_with_its_place(tmp_path):
    root = _tree(tmp_path, {
        "graph/store.h": '#pragma once\n#include "core/status.h"\n#include "models/gcn.h"\n',
        "models/gcn.h": '#include "memory/node_memory.h"\n#include "graph/store.h"\n',
    })
    found = layering.violations(root)
    assert [(rel, line) for rel, line, _ in found] == [(os.path.join("graph", "store.h"), 3)]
    assert "graph/ includes models/" in found[0][2] and "may include only core" in found[0][2]
    assert layering.main(["check_layering.py", root]) == 1


def test_a_libtorch_header_in_a_torch_free_module_is_reported(tmp_path):
    root = _tree(tmp_path, {
        "sampling/s.cc": "#include <torch/torch.h>\n",
        "trainers/t.cc": "#include <torch/torch.h>\n#include \"datasets/temporal_dataset.h\"\n",
    })
    found = layering.violations(root)
    assert len(found) == 1 and found[0][0] == os.path.join("sampling", "s.cc")
    assert "LibTorch" in found[0][2]


def test_downward_includes_pass(tmp_path):
    root = _tree(tmp_path, {
        "service/s.cc": '#include "trainers/continuous.h"\n#include "graph/g.h"\n',
        "apps/main.cc": '#include "bench/temporal_trace.h"\n#include "service/server.h"\n',
        "memory/m.h": '#include "sampling/temporal_sampler.h"\n',
    })
    assert layering.violations(root) == []
    assert layering.main(["check_layering.py", root]) == 0
