#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into corpus/<target>/seed-* (deterministic).

Run with Debian's python (numpy): /usr/bin/python3 tests/fuzz/make_seeds.py. The seeds are small
valid (and a few nearly valid) files of each format; libFuzzer mutates from them. Crash
regression inputs (corpus/<target>/crash-*) are added by hand and never rewritten here. The
binary dataset cache and checkpoint seeds come from the C++ writers: see tests/fuzz/README.md.
"""
import gzip
import io
import pathlib
import pickle
import subprocess

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = REPO.parent / "shared" / "datasets"
SEP = b"\n--next-file--\n"  # fuzz::kFileSeparator


def put(target, name, data):
    folder = HERE / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


def head(path, lines):
    with open(path, "rb") as f:
        return b"".join(f.readline() for _ in range(lines))


def npy(array, version=None):
    out = io.BytesIO()
    if version is None:
        np.save(out, array)
    else:
        np.lib.format.write_array(out, array, version=version)
    return out.getvalue()


def npz(compressed, **arrays):
    out = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(out, **arrays)
    return out.getvalue()


def proto(message, text):
    """The binary protobuf of `text` (text format) as a streamgnn.service.<message>."""
    return subprocess.run(
        ["protoc", f"--encode=streamgnn.service.{message}", "--proto_path", str(REPO / "service/proto"),
         "streamgnn.proto"], input=text.encode(), capture_output=True, check=True).stdout


def main():
    rng = np.random.default_rng(0)
    # JODIE
    put("jodie_fuzz", "wikipedia", head(DATA / "wikipedia_jodie" / "wikipedia.csv", 16))
    put("jodie_fuzz", "features", "user_id,item_id,timestamp,state_label,features\n"
        "0,0,1.5,0,0.1,0.2\n1,1,2.0,1,-0.3,4e-2\n0,1,2.0,0,1,2\n2,0,7.25,0,0,0\n")
    put("jodie_fuzz", "offset_ids", "0,3,0,0\n1,4,1,0\n2,3,1,1\n")
    # ml_ with companions (edge features row 0 is padding; node features row = id)
    csv = ",u,i,ts,label,idx\n" + "".join(
        f"{k},{1 + k % 3},{4 + k % 2},{10 * k},{k % 2},{k + 1}\n" for k in range(6))
    put("ml_fuzz", "with_npy", csv.encode() + SEP + npy(rng.random((7, 3)).astype(np.float64))
        + SEP + npy(rng.random((6, 2)).astype(np.float32)))
    put("ml_fuzz", "uci_head", head(DATA / "uci_dyglib" / "ml_uci.csv", 20))
    # SNAP
    college = head(DATA / "collegemsg" / "CollegeMsg.txt", 20)
    put("snap_fuzz", "collegemsg", college)
    put("snap_fuzz", "collegemsg_gz", gzip.compress(college, mtime=0))
    put("snap_fuzz", "bitcoin", head(DATA / "bitcoin_alpha" / "soc-sign-bitcoinalpha.csv", 20))
    put("snap_fuzz", "comments", "# comment\n% other\nsrc dst t\n1 2 5\n2 3 4\n")
    # TGL
    put("tgl_fuzz", "indexed", ",src,dst,time,int_roll,ext_roll\n" + "".join(
        f"{k},{k % 4},{4 + k % 3},{k * 2.5},0,{0 if k < 6 else 1 if k < 8 else 2}\n" for k in range(10)))
    put("tgl_fuzz", "plain", "src,dst,time\n0,1,0\n1,2,1\n2,0,1\n")
    # generic CSV: first byte = option bits (csv_fuzz.cc)
    put("csv_fuzz", "header", b"\x01src,dst,t\n0,1,1\n1,2,2\n2,0,3\n")
    put("csv_fuzz", "label_split_feats", b"\x79a,b,t,label,split,f0,f1\n0,1,1,0,0,0.5,1\n"
        b"1,2,2,1,1,0.25,2\n2,3,3,0,2,0,3\n")
    put("csv_fuzz", "spaces_remap", b"\x06 100 200 1.0\n200 300 2\n\t300  100 3\n")
    # TGB edge lists: first byte = layout (tgb_edgelist_fuzz.cc)
    put("tgb_edgelist_fuzz", "wiki", b"\x00" + head(REPO / "tests/data/tgb_wiki/tgbl-wiki_edgelist_v2.csv", 12))
    put("tgb_edgelist_fuzz", "coin", b"\x01day,src,dst,w\n1,0xa,0xb,2.5\n2,0xb,0xc,0\n2,0xa,0xc,1\n")
    put("tgb_edgelist_fuzz", "comment", b"\x02ts,src,dst,num_words,score\n1,a,b,10,3\n2,b,c,0,-1\n")
    put("tgb_edgelist_fuzz", "review", b"\x03ts,src,dst,w\n5,u1,i1,4\n6,u2,i1,5\n")
    # .npy
    put("npy_fuzz", "f4_2d", npy(rng.random((3, 4)).astype(np.float32)))
    put("npy_fuzz", "i8_1d", npy(np.arange(5, dtype=np.int64)))
    put("npy_fuzz", "bool", npy(np.array([True, False, True])))
    put("npy_fuzz", "f8_v2", npy(rng.random((2, 2)), version=(2, 0)))
    put("npy_fuzz", "u1_3d", npy(np.arange(8, dtype=np.uint8).reshape(2, 2, 2)))
    put("npy_fuzz", "strings", npy(np.array(["ab", "c"])))
    put("npy_fuzz", "big_endian", npy(np.arange(3, dtype=">i4")))
    put("npy_fuzz", "scalar", npy(np.float32(2.5)))
    # .npz (gnn-benchmark layout: adj_*, attr_*, labels)
    adj = dict(adj_data=np.ones(4, np.float32), adj_indices=np.array([1, 0, 2, 1], np.int32),
               adj_indptr=np.array([0, 1, 3, 4], np.int32), adj_shape=np.array([3, 3]),
               attr_data=np.ones(3, np.float32), attr_indices=np.array([0, 1, 1], np.int32),
               attr_indptr=np.array([0, 1, 2, 3], np.int32), attr_shape=np.array([3, 2]),
               labels=np.array([0, 1, 1]))
    put("npz_fuzz", "stored", npz(False, **adj))
    put("npz_fuzz", "deflate", npz(True, **adj))
    put("npz_fuzz", "scipy_csr", npz(False, data=np.ones(2), indices=np.array([0, 1]),
                                     indptr=np.array([0, 1, 2]), shape=np.array([2, 2]),
                                     format=np.array("csr")))
    # pickles (protocol 2, as Planetoid's; protocol 4, as TGB's)
    gaps = REPO / "tests" / "data" / "planetoid_gaps"
    for part in ["x", "graph", "ty", "allx"]:
        put("pickle_fuzz", f"planetoid_{part}", (gaps / f"ind.gaps.{part}").read_bytes())
    put("pickle_fuzz", "tgb_val", (REPO / "tests/data/tgb_wiki/tgbl-wiki_val_ns_v2.pkl").read_bytes())
    put("pickle_fuzz", "mixed_p2", pickle.dumps({"a": [1, 2.5, None, True], "b": (b"x", "y"),
                                                 "c": np.arange(4).reshape(2, 2)}, protocol=2))
    put("pickle_fuzz", "array_p4", pickle.dumps(np.linspace(0, 1, 5, dtype=np.float32), protocol=4))
    # Planetoid sets: x, y, tx, ty, allx, ally, graph, test.index
    order = ["x", "y", "tx", "ty", "allx", "ally", "graph", "test.index"]
    put("planetoid_fuzz", "gaps", SEP.join((gaps / f"ind.gaps.{p}").read_bytes() for p in order))
    put("planetoid_text_fuzz", "six_nodes", SEP.join(s.encode() for s in [
        "0\t1\n1\t2\n2\t3\n4\t5\n", "0\t0\n1\t1\n2\t0\t0.5\n3\t2\n4\t1\n5\t0\n",
        "0\t0\n1\t1\n2\t0\n3\t1\n4\t0\n5\t-1\n", "0\n1\n", "2\n", "3\n4\n"]))
    put("ogb_fuzz", "five_nodes", SEP.join(s.encode() for s in [
        "0,1\n1,2\n3,4\n", "0\n1\n0\nnan\n1\n", "0.5,1\n1,2\n-1,0\n0,0\n2,2\n", "5\n",
        "0\n1\n", "2\n", "4\n"]))
    put("ogb_fuzz", "no_features", SEP.join(s.encode() for s in [
        "0,1\n", "0\n1\n", "", "", "0\n", "1\n", ""]))
    # HGB: node.dat (id, name, type, attributes), link.dat (src, dst, link type, weight),
    # label.dat and label.dat.test (id, name, type, label)
    put("hgb_fuzz", "two_types", SEP.join(s.encode() for s in [
        "0\tp0\t0\t0.5,1\n1\tp1\t0\t1,0\n2\tp2\t0\t0,0\n3\ta0\t1\n4\ta1\t1\n",
        "0\t3\t0\t1.0\n1\t3\t0\t1.0\n2\t4\t0\t1.0\n0\t1\t1\t1.0\n",
        "0\tp0\t0\t1\n1\tp1\t0\t0\n", "2\tp2\t0\t1\n"]))
    # MAGNN: node_types.npy, adjM.npz (scipy CSR), features_<type>.npz, labels.npy, split
    def csr(dense):
        dense = np.asarray(dense, np.float32)
        rows, cols = np.nonzero(dense)
        indptr = np.searchsorted(rows, np.arange(dense.shape[0] + 1)).astype(np.int32)
        return npz(False, data=dense[rows, cols], indices=cols.astype(np.int32), indptr=indptr,
                   shape=np.array(dense.shape), format=np.array("csr"))
    types = np.array([0, 0, 0, 1, 2])
    adj = np.zeros((5, 5))
    for u, v in [(0, 3), (1, 3), (2, 4), (0, 4)]:
        adj[u, v] = adj[v, u] = 1
    put("magnn_fuzz", "three_types", SEP.join([
        npy(types), csr(adj), csr([[1, 0], [0, 1], [1, 1]]), csr([[0.5, 0.5]]), csr([[1.0]]),
        npy(np.array([0, 1, 0])),
        npz(False, train_idx=np.array([0]), val_idx=np.array([1]), test_idx=np.array([2]))]))
    # HAN's .mat: MATLAB v5 (compressed and not) and v4
    import scipy.io
    han = dict(feature=np.array([[1.0, 0], [0, 1], [1, 1], [0, 0]]),
               label=np.array([[1.0, 0], [0, 1], [1, 0], [0, 1]]),
               PAP=np.array([[1.0, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]),
               PLP=np.array([[1.0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 1, 0], [0, 0, 0, 1]]),
               train_idx=np.array([[0.0, 1]]), val_idx=np.array([[2.0]]), test_idx=np.array([[3.0]]))
    for name, options in [("v5", dict(format="5")), ("v5_zlib", dict(format="5", do_compression=True)),
                          ("v4", dict(format="4"))]:
        out = io.BytesIO()
        scipy.io.savemat(out, han, **options)
        put("han_mat_fuzz", name, out.getvalue())
    # OGB heterogeneous: types a (labelled, with features) and b, relation a___r___b
    put("ogb_hetero_fuzz", "two_types", SEP.join(s.encode() for s in [
        "a,b\n3,2\n", "a,r,b\n", "0,0\n1,1\n2,0\n", "3\n", "a,b\nTrue,False\n", "0\n1\n0\n",
        "0.5,1\n1,0\n0,0\n", "0\n", "1\n", "2\n"]))
    # TGB negatives
    for split in ["val", "test"]:
        put("tgb_negatives_fuzz", split,
            (REPO / f"tests/data/tgb_wiki/tgbl-wiki_{split}_ns_v2.pkl").read_bytes())
    put("tgb_negatives_fuzz", "lists", pickle.dumps({(1, 2, 3): [4, 5], (1, 3, 4): np.array([2])},
                                                    protocol=4))
    # configs: the examples, and overrides
    for name in ["tgn.yaml", "jodie_pres.yaml", "tgn_mspipe.yaml", "gcn_cora.yaml",
                 "continual_cora.yaml", "bghgnn_acm.yaml", "stream_quickstart.yaml"]:
        put("config_fuzz", name.removesuffix(".yaml"), (REPO / "examples" / name).read_bytes())
    put("config_fuzz", "overrides", b"gnn:\n  arch: tgn\n" + SEP +
        b"train.lr=0.001\nsampling.neighbor=[10,10]\ndataset.format=synthetic\n")
    put("config_fuzz", "tgl_lists", b"sampling:\n  - layer: 1\n    neighbor: [10]\n"
        b"train:\n  - epoch: 2\n    batch_size: 100\n")

    # service requests: first byte = call (service_fuzz.cc), then the message
    put("service_fuzz", "ingest", b"\x00" + proto("EdgeBatch", "src: [1, 2, 3] dst: [4, 5, 6] "
                                                  "time: [1, 2, 3] first_edge_id: -1"))
    put("service_fuzz", "ingest_features", b"\x00" + proto(
        "EdgeBatch", "src: [7] dst: [8] time: [9] feature_dim: 2 features: [0.5, 1] first_edge_id: -1"))
    put("service_fuzz", "sample", b"\x01" + proto("SampleRequest", "nodes: [1, 4] times: [10, 10] "
                                                  "fanouts: [2, 2] strategy: 'uniform' seed: 3"))
    put("service_fuzz", "embed", b"\x02" + proto("EmbedRequest", "nodes: [0, 1, 2]"))
    put("service_fuzz", "read_edges", b"\x03" + proto("ReadEdgesRequest", "first_edge_id: 0 count: 3"))


if __name__ == "__main__":
    main()
