#!/usr/bin/env python3
"""Reference values for the analysis tests (engine/src/test/resources/analysis/reference.json).

MMD² is computed directly in NumPy (unbiased estimator, RBF kernel exp(-d²/(2σ²)), σ = median pairwise Euclidean
distance of the pooled sample); trustworthiness by scikit-learn's sklearn.manifold.trustworthiness on the same
coordinates. Run with Debian's python3 (python3-numpy, python3-sklearn):

    /usr/bin/python3 bench/analysis_reference.py > engine/src/test/resources/analysis/reference.json
"""
import json
import numpy as np
from sklearn.manifold import trustworthiness

rng = np.random.default_rng(20261203)

# two samples for MMD²: slightly shifted Gaussians in 6-D
a = rng.normal(size=(40, 6))
b = rng.normal(size=(35, 6)) + np.array([1.5, 0, 0, 0, 0, 0])
pooled = np.vstack([a, b])
d = np.sqrt(((pooled[:, None, :] - pooled[None, :, :]) ** 2).sum(-1))
sigma = float(np.median(d[np.triu_indices(len(pooled), 1)]))
k = np.exp(-d ** 2 / (2 * sigma ** 2))
m, n = len(a), len(b)
kaa, kbb, kab = k[:m, :m], k[m:, m:], k[:m, m:]
mmd2 = (kaa.sum() - np.trace(kaa)) / (m * (m - 1)) + (kbb.sum() - np.trace(kbb)) / (n * (n - 1)) - 2 * kab.mean()

# a high-dimensional cloud and a deliberately imperfect 2-D map of it (first two coordinates plus noise)
x = rng.normal(size=(80, 10))
y = x[:, :2] + 0.5 * rng.normal(size=(80, 2))
trust = {str(kk): float(trustworthiness(x, y, n_neighbors=kk)) for kk in (1, 5, 10)}

print(json.dumps({
    "mmd": {"a": a.tolist(), "b": b.tolist(), "sigma": sigma, "mmd2": float(mmd2)},
    "trustworthiness": {"x": x.tolist(), "y": y.tolist(), "by_k": trust},
}))
