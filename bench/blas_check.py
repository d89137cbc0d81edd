"""Which BLAS the reference process (Debian's PyTorch, NumPy, scikit-learn) loaded, for every reference bench's JSON.

Why: Debian resolves libblas.so.3 through update-alternatives. With only libblas3 installed that is the Netlib
reference BLAS, which multiplies float32 matrices at ~6 GFLOP/s on a 2-core AMD EPYC where OpenBLAS reaches
105-137 GFLOP/s (docs/PERFORMANCE.md): every fp32 "ours vs PyTorch" or "ours vs scikit-learn" ratio then measures the
BLAS, not the code. PyTorch's bf16 path (oneDNN) does not go through it. The fix is one apt package:

    apt-get install -y libopenblas0-openmp

(the OpenMP build follows torch.set_num_threads; the pthread build keeps a thread pool of its own beside PyTorch's.
If both are installed, Debian prefers pthread: update-alternatives --set libblas.so.3-x86_64-linux-gnu
/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3.) Exit status of `python3 bench/blas_check.py`: 1 on the
reference BLAS.
"""
import sys

# Debian's libblas.so.3 lives in a folder named for its implementation (alternatives): blas/ is Netlib's reference
_FOLDERS = {"blas": "reference (Netlib)", "openblas-openmp": "openblas-openmp", "openblas-pthread": "openblas-pthread",
            "openblas-serial": "openblas-serial", "blis-openmp": "blis-openmp", "blis-pthread": "blis-pthread",
            "blis-serial": "blis-serial", "atlas": "atlas"}
# a BLAS loaded under its own name (a pip wheel's OpenBLAS, MKL)
_OWN_NAMES = [("libopenblas", "openblas"), ("libmkl", "mkl"), ("libblis", "blis")]

FIX = "apt-get install -y libopenblas0-openmp"


def loaded():
    """{"blas": name, "path": file} for the BLAS this process's libblas.so.3 resolves to (or a BLAS loaded under its
    own name), or {"blas": "none loaded"}. Only libblas counts: OpenBLAS's liblapack can sit beside Netlib's libblas."""
    try:
        with open("/proc/self/maps") as f:
            paths = sorted({line.split()[-1] for line in f if "/" in line})
    except OSError:
        return {"blas": "unknown (no /proc/self/maps)"}
    for p in paths:
        if "/libblas.so" in p:
            folder = p.rsplit("/", 2)[-2]
            return {"blas": _FOLDERS.get(folder, folder), "path": p}
    for frag, name in _OWN_NAMES:
        for p in paths:
            if frag in p:
                return {"blas": name, "path": p}
    return {"blas": "none loaded"}


def is_reference(info):
    return info.get("blas", "").startswith("reference")


def warn_if_reference(what="PyTorch's fp32"):
    """Returns loaded(); on the reference BLAS also says on stderr that fp32 ratios are void, and the fix."""
    info = loaded()
    if is_reference(info):
        print("warning: %s matrix products run on Netlib's reference BLAS (%s), ~20x slower than OpenBLAS: fp32 "
              "ratios against it are void. Fix: %s" % (what, info["path"], FIX), file=sys.stderr)
    return info


def report(rows):
    """The line under a report script's table: which BLAS the reference runs used, and a warning on the reference one.
    rows: the scripts' JSON lines ({"run": "pytorch ...", "result": {..., "blas": ...}})."""
    seen = sorted({r["result"].get("blas") for r in rows
                   if not r["run"].startswith("ours") and r["result"].get("blas")})
    line = "\nReference BLAS: %s" % (", ".join(seen) or "not reported")
    if any(b.startswith("reference") for b in seen):
        line += ("\nwarning: Netlib's reference BLAS: the fp32 ratios above are void (bench/blas_check.py says why). "
                 "Fix: " + FIX)
    return line


if __name__ == "__main__":  # python3 bench/blas_check.py: which BLAS Debian's PyTorch would load
    import torch  # noqa: F401  (loads libblas.so.3 as the benches do)
    import json
    print(json.dumps(warn_if_reference()))
    sys.exit(1 if is_reference(loaded()) else 0)
