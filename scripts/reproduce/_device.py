"""Shared by the scripts that run on the GPU machine (gpu.py, gpu_training.py): finding the GPU
and the CUDA tools, and the Debian 12 libraries carried there as .deb files in .deps/debs.

The GPU machine has no package registry, none of our Debian libraries and not ../shared; the
scripts take them along: on a Debian 12 host `scripts/reproduce/gpu_training.py --fetch-deps`
downloads them into .deps/debs (the Python wheels of the PyG peer into .deps/wheels, a copy of
the datasets into .deps/datasets), `.deps` travels with the
working tree (it is in .git/info/exclude, never committed), and on the GPU machine
extract_debs() unpacks them into a prefix (never into /) and points Debian's CMake package files,
which hard-code /usr/lib/x86_64-linux-gnu and /usr/include, into that prefix.
"""
import glob
import os
import re
import shutil
import subprocess

import _common as c

DEBS_DIR = os.path.join(c.ROOT, ".deps", "debs")
WHEELS_DIR = os.path.join(c.ROOT, ".deps", "wheels")
# ../shared/datasets is not part of the working tree the GPU machine gets (about 12 MB: carried).
DATASETS_DIR = os.path.join(c.ROOT, ".deps", "datasets")

# What the full LibTorch build needs beyond the GPU machine's own toolchain and PyTorch: the
# -dev packages named in scripts/setup that the trainers and tests link, and the runtime
# libraries they pull in (RocksDB's compression libraries and gflags among them).
BUILD_DEBS = [
    "libtbb-dev", "libtbb12", "libtbbmalloc2", "libtbbbind-2-5", "libhwloc15",
    "libyaml-cpp-dev", "libyaml-cpp0.7", "libcli11-dev", "libspdlog-dev", "libspdlog1.10",
    "libfmt-dev", "libfmt9", "libgtest-dev", "libgmock-dev", "zlib1g-dev", "zlib1g",
    "librocksdb-dev", "librocksdb7.8", "libgflags-dev", "libgflags2.2", "libsnappy-dev",
    "libsnappy1v5", "liblz4-dev", "liblz4-1", "libzstd-dev", "libzstd1", "libbz2-dev", "libbz2-1.0",
    "libmetis-dev", "libmetis5", "nlohmann-json3-dev",
]


def gpus():
    """Names of the visible NVIDIA GPUs ([] when none or no driver), and why none."""
    smi = shutil.which("nvidia-smi")
    if not smi:
        return [], "nvidia-smi not found (no NVIDIA driver)"
    proc = subprocess.run([smi, "--query-gpu=name,compute_cap", "--format=csv,noheader"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return [], (proc.stderr or proc.stdout).strip()
    found = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    return found, "" if found else "nvidia-smi lists no GPU"


def cuda_arch(found, override=None):
    """CMAKE_CUDA_ARCHITECTURES for the first GPU ("9.0" -> "90"), default 90."""
    return override or (found[0].rsplit(",", 1)[-1].strip().replace(".", "") if found else "90")


def tool(name):
    return shutil.which(name) or next((p for p in (f"/usr/local/cuda/bin/{name}",) if os.access(p, os.X_OK)), None)


def debs():
    return sorted(glob.glob(os.path.join(DEBS_DIR, "*.deb")))


def library_env(prefix):
    """The environment with the prefix's libraries first on LD_LIBRARY_PATH."""
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = ":".join([f"{prefix}/usr/lib/x86_64-linux-gnu", f"{prefix}/lib/x86_64-linux-gnu",
                                       env.get("LD_LIBRARY_PATH", "")])
    return env


def extract_debs(prefix, rewrite_cmake=True):
    """Unpacks .deps/debs/*.deb into prefix; with rewrite_cmake, points the CMake package files
    there at the prefix. Returns the CMake arguments that find what was unpacked."""
    files = debs()
    os.makedirs(prefix, exist_ok=True)
    print(f"extracting {len(files)} .deb files of .deps/debs into {prefix}", flush=True)
    for deb in files:
        subprocess.run(["dpkg", "-x", deb, prefix], check=True)
    if rewrite_cmake:
        unprefixed = re.compile(r"(?<![\w/.-])/usr/(lib/x86_64-linux-gnu|include)\b")
        for path in glob.glob(f"{prefix}/usr/lib/x86_64-linux-gnu/cmake/**/*.cmake", recursive=True) + \
                glob.glob(f"{prefix}/usr/share/cmake/**/*.cmake", recursive=True):
            with open(path) as f:
                text = f.read()
            fixed = unprefixed.sub(lambda m: f"{prefix}/usr/{m[1]}", text)
            if fixed != text:
                with open(path, "w") as f:
                    f.write(fixed)
    return [f"-DZLIB_INCLUDE_DIR={prefix}/usr/include",
            f"-DZLIB_LIBRARY={prefix}/lib/x86_64-linux-gnu/libz.so.1"]


def datasets_dir():
    """The carried copy of the datasets when there is one, else the usual folder."""
    return DATASETS_DIR if os.path.isdir(DATASETS_DIR) else c.default_datasets()


def fetch_deps(wheels):
    """On a Debian 12 host: downloads BUILD_DEBS into .deps/debs and `wheels` (pip requirement
    strings, with their dependencies for CPython 3.12 minus those the GPU machine has) into
    .deps/wheels, and copies the datasets into .deps/datasets."""
    if not os.path.isdir(DATASETS_DIR):
        shutil.copytree(c.default_datasets(), DATASETS_DIR)
    os.makedirs(DEBS_DIR, exist_ok=True)
    c.run(["apt-get", "download", *BUILD_DEBS], cwd=DEBS_DIR)
    if wheels:
        os.makedirs(WHEELS_DIR, exist_ok=True)
        c.run(["/usr/bin/python3", "-m", "pip", "download", "--dest", WHEELS_DIR, "--only-binary=:all:",
               "--python-version", "3.12", "--platform", "manylinux2014_x86_64", "--platform",
               "manylinux_2_17_x86_64", "--platform", "any", *wheels])
        # The GPU machine's own numpy, scipy and torch stay (and would exceed the carry limit).
        for f in glob.glob(os.path.join(WHEELS_DIR, "*.whl")):
            if re.match(r"(numpy|scipy|torch|triton|nvidia_\w+)-", os.path.basename(f)):
                os.remove(f)
    print(f"{len(debs())} .deb files in {DEBS_DIR}; carry `.deps` (echo /.deps/ >> .git/info/exclude)")
