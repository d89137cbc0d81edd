#!/usr/bin/env python3
"""Builds a tiny synthetic "official RALI release" for the Java importer's tests.

Layout as released with Q-Insight's demo_rali_score.py: best/ (HF CLIP config only here), basis.npz, pca.pkl
(joblib-pickled sklearn PCA), ckpt.pt (torch.save zip with clip.* and scorer.* tensors). scikit-learn and joblib
are not needed: stand-in classes carry the exact module/class names, and a pure-Python pickler reproduces
joblib's NumpyPickler layout (a NumpyArrayWrapper record, then the array's raw bytes after a frame commit, with
the 1-byte alignment padding of joblib >= 1.2). Expected scores are computed with their formula in torch.

Usage: python3 bench/make_official_fixture.py engine/src/test/resources/fixtures/official-release
"""
import io
import json
import os
import pickle
import sys
import types
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F

D, M, K = 8, 4, 6


def fake_module(name):
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sub = ".".join(parts[:i])
        if sub not in sys.modules:
            sys.modules[sub] = types.ModuleType(sub)
    return sys.modules[name]


pca_mod = fake_module("sklearn.decomposition._pca")
jl_mod = fake_module("joblib.numpy_pickle")


class PCA:
    pass


PCA.__module__ = "sklearn.decomposition._pca"
PCA.__qualname__ = "PCA"
pca_mod.PCA = PCA


class NumpyArrayWrapper:
    def __init__(self, subclass, shape, order, dtype, allow_mmap=False, numpy_array_alignment_bytes=16):
        self.subclass = subclass
        self.shape = shape
        self.order = order
        self.dtype = dtype
        self.allow_mmap = allow_mmap
        self.numpy_array_alignment_bytes = numpy_array_alignment_bytes


NumpyArrayWrapper.__module__ = "joblib.numpy_pickle"
NumpyArrayWrapper.__qualname__ = "NumpyArrayWrapper"
jl_mod.NumpyArrayWrapper = NumpyArrayWrapper


class JoblibLikePickler(pickle._Pickler):
    """joblib.numpy_pickle.NumpyPickler.save: wrapper record, frame commit, padding, raw array bytes."""

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, np.ndarray) and not obj.dtype.hasobject:
            order = "F" if obj.flags.f_contiguous and not obj.flags.c_contiguous else "C"
            wrapper = NumpyArrayWrapper(type(obj), obj.shape, order, obj.dtype)
            pickle._Pickler.save(self, wrapper)
            if self.proto >= 4:
                self.framer.commit_frame(force=True)
            # like joblib: straight to the file handle, outside any pickle frame
            fh = self.file_handle
            pad = 16 - ((fh.tell() + 1) % 16)
            fh.write(bytes([pad]))
            if pad:
                fh.write(b"\xff" * pad)
            fh.write(obj.tobytes(order=order))
            return
        return pickle._Pickler.save(self, obj, save_persistent_id)


def joblib_dump(obj, path):
    buf = io.BytesIO()
    p = JoblibLikePickler(buf, protocol=4)
    p.file_handle = buf
    p.dump(obj)
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())


def main(out):
    os.makedirs(os.path.join(out, "best"), exist_ok=True)
    rng = np.random.default_rng(7)
    torch.manual_seed(7)

    # pca.pkl: the fitted PCA (float64 like sklearn), components_ stored Fortran-ordered to test that path
    mean = rng.normal(0, 0.5, D)
    comps = np.linalg.qr(rng.normal(size=(D, M)))[0].T  # [M, D], orthonormal rows
    pca = PCA()
    pca.__dict__.update({
        "n_components": M, "copy": True, "whiten": False, "svd_solver": "auto", "tol": 0.0,
        "iterated_power": "auto", "n_oversamples": 10, "power_iteration_normalizer": "auto", "random_state": None,
        "n_features_in_": D, "_fit_svd_solver": "full", "mean_": mean, "noise_variance_": np.float64(0.0123),
        "n_samples_": 100, "components_": np.asfortranarray(comps), "n_components_": M,
        "explained_variance_": np.sort(rng.uniform(0.1, 1.0, M))[::-1].copy(),
        "explained_variance_ratio_": np.full(M, 0.2), "singular_values_": np.ones(M),
        "feature_names_in_": np.array(["f%d" % i for i in range(D)], dtype=object),  # object array: plain pickle
        "_rali_test_labels": np.array(["low", "high"]),  # test-only: a '<U4' array joblib writes raw (skipped)
        "_sklearn_version": "1.3.2",
    })
    joblib_dump(pca, os.path.join(out, "pca.pkl"))

    # basis.npz: initial prototypes (bucketed k-means) as float32
    vectors = rng.normal(size=(K, M)).astype(np.float32)
    scores = np.linspace(1.2, 4.8, K).astype(np.float32)
    np.savez(os.path.join(out, "basis.npz"), vectors=vectors, scores=scores)

    # ckpt.pt: trained scorer (differs from the basis), per-dimension pca_scale, components as a strided view
    comps_t = torch.tensor(comps * 0.9 + 0.01, dtype=torch.float32)
    comps_view = comps_t.t().contiguous().t()  # same values, stride (1, M): tests strided storage reads
    state = OrderedDict()
    state["clip.visual_projection.weight"] = torch.randn(3, 5).half()
    state["clip.logit_scale"] = torch.tensor(4.6052)
    state["scorer.pca_scale"] = torch.tensor(rng.uniform(0.5, 2.0, D), dtype=torch.float32) * torch.tensor(
        [1, -1, 1, 1, -1, 1, 1, 1], dtype=torch.float32)
    state["scorer.pca_components"] = comps_view
    state["scorer.prototypes"] = torch.tensor(vectors + rng.normal(0, 0.1, (K, M)).astype(np.float32))
    state["scorer.proto_scores"] = torch.tensor(scores + 0.05)
    state["scorer.logit_scale"] = torch.tensor(1 / 0.07)
    state._metadata = OrderedDict([("", {"version": 1})])  # as nn.Module.state_dict() sets it
    torch.save({"state_dict": state, "epoch": 3, "best_plcc": 0.91}, os.path.join(out, "ckpt.pt"))

    with open(os.path.join(out, "best", "config.json"), "w") as fh:
        json.dump({"model_type": "clip", "note": "placeholder: the importer test reads no CLIP weights from best/"}, fh)

    # expected: their forward (demo_rali_score.py) on random embeddings
    emb = torch.tensor(rng.normal(0, 1, (5, D)), dtype=torch.float32)

    def forward(e, mean_, scale, comp, protos, pscores, logit):
        x = ((e - mean_) / scale.abs()) @ comp.t()
        x = F.normalize(x, dim=-1)
        p = F.normalize(protos, dim=-1)
        w = torch.softmax(x @ p.t() * logit, dim=-1)
        return (w * pscores).sum(-1)

    mean_t = torch.tensor(mean, dtype=torch.float32)
    full = forward(emb, mean_t, state["scorer.pca_scale"], state["scorer.pca_components"], state["scorer.prototypes"],
                   state["scorer.proto_scores"], state["scorer.logit_scale"])
    init = forward(emb, mean_t, torch.ones(1), torch.tensor(comps, dtype=torch.float32), torch.tensor(vectors),
                   torch.tensor(scores), torch.tensor(1 / 0.07))
    with open(os.path.join(out, "expected.json"), "w") as fh:
        json.dump({"embeddings": emb.tolist(), "scores": full.tolist(), "scores_without_ckpt": init.tolist(),
                   "pca_mean": mean.tolist(), "pca_components_pkl": comps.tolist(),
                   "pca_scale": state["scorer.pca_scale"].tolist(),
                   "clip_visual_projection": state["clip.visual_projection.weight"].float().tolist(),
                   "dims": {"D": D, "M": M, "K": K}}, fh, indent=1)

    # refused inputs: a pickle that would run os.system, and a torch checkpoint that would call builtins.eval
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with open(os.path.join(out, "evil.pkl"), "wb") as fh:
        pickle.dump(Evil(), fh, protocol=2)

    class EvilEval:
        def __reduce__(self):
            return (eval, ("1+1",))

    torch.save({"state_dict": {"x": EvilEval()}}, os.path.join(out, "evil.pt"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "engine/src/test/resources/fixtures/official-release")
