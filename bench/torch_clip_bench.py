#!/usr/bin/env python3
"""PyTorch eager anchor for `rali bench clip`: the same CLIP image tower (HF CLIPVisionTransformer math, random
weights, float32, no_grad) and the same roofline GEMM, interleaved the same way, so the two JSON outputs compare
directly. Needs only torch (transformers is not used). Run with /usr/bin/python3:

    /usr/bin/python3 bench/torch_clip_bench.py --config vit-l-14-336 --batch 1 --iters 3 [--threads 2]
"""
import argparse
import json
import math
import resource
import statistics
import time

import torch
import torch.nn.functional as F

from blas_check import warn_if_reference
from torch_profile import profiled

PRESETS = {  # vision hidden, mlp, heads, layers, image, patch, projection
    "vit-b-32": (768, 3072, 12, 12, 224, 32, 512),
    "vit-b-16": (768, 3072, 12, 12, 224, 16, 512),
    "vit-l-14": (1024, 4096, 16, 24, 224, 14, 768),
    "vit-l-14-336": (1024, 4096, 16, 24, 336, 14, 768),
}


def from_config(path):
    c = json.load(open(path))
    v = c.get("vision_config", {})
    return (v.get("hidden_size", 768), v.get("intermediate_size", 3072), v.get("num_attention_heads", 12),
            v.get("num_hidden_layers", 12), v.get("image_size", 224), v.get("patch_size", 32),
            c.get("projection_dim", 512))


def make(d, f, heads, layers, image, patch, proj):
    g = torch.Generator().manual_seed(0)
    n = lambda *s: torch.randn(*s, generator=g) * 0.02
    t = (image // patch) ** 2 + 1
    w = dict(patch=n(d, 3, patch, patch), cls=n(d), pos=n(t, d), pre_w=torch.ones(d), pre_b=torch.zeros(d),
             post_w=torch.ones(d), post_b=torch.zeros(d), proj=n(proj, d), layers=[])
    for _ in range(layers):
        w["layers"].append(dict(ln1_w=torch.ones(d), ln1_b=torch.zeros(d), ln2_w=torch.ones(d), ln2_b=torch.zeros(d),
                                q=n(d, d), qb=torch.zeros(d), k=n(d, d), kb=torch.zeros(d), v=n(d, d), vb=torch.zeros(d),
                                o=n(d, d), ob=torch.zeros(d), fc1=n(f, d), fc1b=torch.zeros(f), fc2=n(d, f),
                                fc2b=torch.zeros(d)))
    return w


def forward(w, px, heads, patch, eps=1e-5):
    x = F.conv2d(px, w["patch"], stride=patch).flatten(2).transpose(1, 2)
    b, _, d = x.shape
    x = torch.cat([w["cls"].expand(b, 1, d), x], 1) + w["pos"]
    x = F.layer_norm(x, (d,), w["pre_w"], w["pre_b"], eps)
    hd = d // heads
    for l in w["layers"]:
        h = F.layer_norm(x, (d,), l["ln1_w"], l["ln1_b"], eps)
        t = h.shape[1]
        q = F.linear(h, l["q"], l["qb"]).view(b, t, heads, hd).transpose(1, 2)
        k = F.linear(h, l["k"], l["kb"]).view(b, t, heads, hd).transpose(1, 2)
        v = F.linear(h, l["v"], l["vb"]).view(b, t, heads, hd).transpose(1, 2)
        a = torch.softmax((q @ k.transpose(-1, -2)) * hd ** -0.5, -1)
        x = x + F.linear((a @ v).transpose(1, 2).reshape(b, t, d), l["o"], l["ob"])
        h = F.linear(F.layer_norm(x, (d,), l["ln2_w"], l["ln2_b"], eps), l["fc1"], l["fc1b"])
        x = x + F.linear(h * torch.sigmoid(1.702 * h), l["fc2"], l["fc2b"])
    pooled = F.layer_norm(x[:, 0], (d,), w["post_w"], w["post_b"], eps)
    return pooled @ w["proj"].T


def flops(d, f, layers, image, patch, proj):
    t = (image // patch) ** 2 + 1
    per_layer = 2 * t * d * d * 4 + 2 * 2 * t * t * d + 2 * 2 * t * d * f
    return 2 * (t - 1) * 3 * patch * patch * d + layers * per_layer + 2 * d * proj


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="vit-l-14-336")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--iters", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--bf16", action="store_true", help="the tower under torch.autocast(DEVICE, bfloat16)")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (timings synchronise the GPU)")
    ap.add_argument("--profile", metavar="FILE", help="torch.profiler trace of one more, untimed iteration (Chrome "
                    "JSON, for bench/profile_table.py) and PyTorch's per-op table on stderr")
    a = ap.parse_args()
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    if a.threads:
        torch.set_num_threads(a.threads)
    d, f, heads, layers, image, patch, proj = PRESETS.get(a.config) or from_config(a.config)
    w = make(d, f, heads, layers, image, patch, proj)
    w = {k: ([{kk: vv.to(dev) for kk, vv in l.items()} for l in v] if k == "layers" else v.to(dev)) for k, v in w.items()}
    px = torch.randn(a.batch, 3, image, image, generator=torch.Generator().manual_seed(1)).to(dev)
    fl = flops(d, f, layers, image, patch, proj) * a.batch
    m, k, n = a.batch * ((image // patch) ** 2 + 1), d, f
    reps = max(1, round(fl / (2 * m * k * n)))
    A, B = torch.randn(m, k).to(dev), torch.randn(k, n).to(dev)
    tm, tg = [], []
    with torch.no_grad():
        for i in range(a.warmup + a.iters):
            sync()
            t0 = time.perf_counter()
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
                forward(w, px, heads, patch)
            sync()
            t1 = time.perf_counter()
            for _ in range(reps):
                A @ B
            sync()
            t2 = time.perf_counter()
            if i >= a.warmup:
                tm.append(t1 - t0)
                tg.append(t2 - t1)
        if a.profile:  # one more forward, not timed (the profiler slows every op), as `rali bench clip --profile`
            with profiled(a.profile, dev), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
                forward(w, px, heads, patch)
    sec, gsec = statistics.median(tm), statistics.median(tg)
    gflops, mm = fl / sec / 1e9, reps * 2 * m * k * n / gsec / 1e9
    print(json.dumps(dict(engine="pytorch-eager " + torch.__version__, config=a.config, device=str(dev),
                          threads=torch.get_num_threads(),
                          precision="bf16-autocast" if a.bf16 else "fp32",
                          batch=a.batch, iters=a.iters, images_per_s=a.batch / sec, ms_per_batch=sec * 1e3,
                          gflop_per_image=fl / a.batch / 1e9, gflops=gflops, matmul_gflops=mm,
                          roofline_share=gflops / mm, blas=warn_if_reference()["blas"],
                          peak_mem_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), indent=2))


if __name__ == "__main__":
    main()
