"""Reference for CompressionTest: PCA as the released code's sklearn PCA computes it (centred, n-1 denominator, not
whitened), here with numpy's eigh; each component's largest-|.| entry made positive. Writes pca_reference.safetensors."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_score_definition_reference import write_safetensors  # noqa: E402


def main():
    rng = np.random.default_rng(3)
    n, d, m = 60, 10, 4
    scales = np.linspace(3, 0.2, d)
    x = (rng.standard_normal((n, d)) * scales + 5).astype(np.float32)
    mix = np.linalg.qr(rng.standard_normal((d, d)))[0]
    x = (x @ mix.T).astype(np.float32)
    xd = x.astype(np.float64)
    mean = xd.mean(axis=0)
    cov = (xd - mean).T @ (xd - mean) / (n - 1)
    vals, vecs = np.linalg.eigh(cov)
    order = np.argsort(vals)[::-1][:m]
    comps = vecs[:, order].T
    for r in range(m):
        if comps[r, np.argmax(np.abs(comps[r]))] < 0:
            comps[r] = -comps[r]
    z = (xd - mean) @ comps.T
    write_safetensors(os.path.join(os.path.dirname(os.path.abspath(__file__)), "pca_reference.safetensors"),
                      {"x": x, "mean": mean, "components": comps, "explained_variance": vals[order], "z": z},
                      {"m": str(m), "numpy": np.__version__})


if __name__ == "__main__":
    main()
