"""Reference for AttentionRollout (Abnar & Zuidema 2020), NumPy only.

Attentions follow a fixed rule so Java can rebuild the same inputs:
  a[l, h, i, j] = exp(sin(1 + 0.7 l + 1.3 h + 0.37 i + 0.61 j)), each row normalised, stored as float32.
Rollout: per layer A = mean over heads, A' = 0.5 A + 0.5 I with rows renormalised, R = A'_L ... A'_1.
Writes the expected matrix as JSON (engine/src/test/resources/dev/rali/engine/analysis/saliency/rollout.json):
    python3 bench/attention_rollout.py > engine/src/test/resources/dev/rali/engine/analysis/saliency/rollout.json
"""
import json

import numpy as np

L, H, T = 3, 2, 5


def attentions():
    l, h, i, j = np.meshgrid(np.arange(L), np.arange(H), np.arange(T), np.arange(T), indexing="ij")
    a = np.exp(np.sin(1 + 0.7 * l + 1.3 * h + 0.37 * i + 0.61 * j))
    return (a / a.sum(-1, keepdims=True)).astype(np.float32)


def rollout(att):
    r = np.eye(T)
    for layer in att.astype(np.float64):
        a = 0.5 * layer.mean(0) + 0.5 * np.eye(T)
        a = a / a.sum(-1, keepdims=True)
        r = a @ r
    return r


if __name__ == "__main__":
    print(json.dumps({"layers": L, "heads": H, "tokens": T, "rollout": rollout(attentions()).tolist()}))
