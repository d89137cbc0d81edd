"""Reference for ScoreDefinitionReferenceTest: the score definition (paper Eq. 3, released-scorer form) trained
with PyTorch autograd + torch.optim.Adam in float64, with the batch order of ScoreDefinition.permutation
(java.util.Random re-implemented below). Run: python3 make_score_definition_reference.py (writes
score_definition_reference.safetensors next to this file). Needs torch and numpy; no downloads."""
import json
import os
import struct

import numpy as np
import torch

MASK48 = (1 << 48) - 1


class JavaRandom:
    def __init__(self, seed):
        self.seed = (seed ^ 0x5DEECE66D) & MASK48

    def next(self, bits):
        self.seed = (self.seed * 0x5DEECE66D + 0xB) & MASK48
        return self.seed >> (48 - bits)

    def next_int(self, bound):
        r = self.next(31)
        m = bound - 1
        if bound & m == 0:
            return (bound * r) >> 31
        u = r
        r = u % bound
        while u - r + m >= 2 ** 31:  # Java's int overflow test
            u = self.next(31)
            r = u % bound
        return r


def permutation(n, seed, epoch):
    s = (seed * 0x9E3779B97F4A7C15 + epoch) & ((1 << 64) - 1)
    rnd = JavaRandom(s)
    p = list(range(n))
    for i in range(n - 1, 0, -1):
        j = rnd.next_int(i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def train(z, s, mu0, f0, tau, loss_kind, epochs, batch, lr, seed, learn_tau):
    x = torch.tensor(z, dtype=torch.float64)
    x = x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)
    t = torch.tensor(s, dtype=torch.float64)
    mu = torch.tensor(mu0, dtype=torch.float64, requires_grad=True)
    f = torch.tensor(f0, dtype=torch.float64, requires_grad=True)
    # logit scale a = 1/tau trained in log space (theta = ln a), as ScoreDefinition does
    theta = torch.tensor([np.log(1.0 / tau)], dtype=torch.float64, requires_grad=learn_tau)
    params = [mu, f] + ([theta] if learn_tau else [])
    opt = torch.optim.Adam(params, lr=lr, betas=(0.9, 0.999), eps=1e-8)
    n = len(s)
    perms = []
    for epoch in range(1, epochs + 1):
        order = permutation(n, seed, epoch)
        perms.append(order)
        for b in range(0, n, batch):
            idx = torch.tensor(order[b:b + batch])
            mh = mu / mu.norm(dim=1, keepdim=True).clamp_min(1e-12)
            a = theta.exp()
            w = torch.softmax(a * (x[idx] @ mh.T), dim=1)
            pred = w @ f
            if loss_kind == "MSE":
                loss = ((pred - t[idx]) ** 2).mean()
            else:  # PLCC: 1 - Pearson r of the batch
                p = pred - pred.mean()
                q = t[idx] - t[idx].mean()
                loss = 1 - (p * q).sum() / (p.norm() * q.norm())
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():
                theta.clamp_(np.log(1e-3), np.log(100))
    return mu.detach().numpy(), f.detach().numpy(), float(theta.exp().item()), perms


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        dtype = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}[arr.dtype]
        data = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(h)))
        out.write(h)
        for b in blobs:
            out.write(b)


def main():
    rng = np.random.default_rng(7)
    n, m, k = 40, 6, 5
    s = 1 + 4 * rng.random(n)
    z = rng.standard_normal((n, m)).astype(np.float32)
    z[:, 0] += (s - 3).astype(np.float32)
    mu0 = rng.standard_normal((k, m)).astype(np.float32)
    f0 = (1 + 4 * rng.random(k)).astype(np.float32)
    settings = dict(tau=0.5, epochs=3, batch=16, lr=3e-2, seed=11, learn_tau=True)
    tensors = {"z": z, "s": s, "mu0": mu0, "f0": f0}
    for kind in ("MSE", "PLCC"):
        mu, f, a, perms = train(z, s.astype(np.float64), mu0.astype(np.float64), f0.astype(np.float64),
                                settings["tau"], kind, settings["epochs"], settings["batch"], settings["lr"],
                                settings["seed"], settings["learn_tau"])
        tensors[kind.lower() + "_mu"] = mu
        tensors[kind.lower() + "_f"] = f
        tensors[kind.lower() + "_a"] = np.array([a])
    tensors["perms"] = np.array(perms, dtype=np.int64)
    meta = {k2: str(v) for k2, v in settings.items()}
    meta["torch"] = torch.__version__
    write_safetensors(os.path.join(os.path.dirname(os.path.abspath(__file__)), "score_definition_reference.safetensors"),
                      tensors, meta)


if __name__ == "__main__":
    main()
