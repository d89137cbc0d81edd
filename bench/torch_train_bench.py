#!/usr/bin/env python3
"""PyTorch eager anchor for `rali bench train`: the alignment stage's training step on the same CLIP image tower
(the forward of bench/torch_clip_bench.py, random weights), the same loss (symmetric InfoNCE of the normalised
image embeddings against frozen text embeddings, fixed logit scale 2.6592), the same optimiser (AdamW, lr 1e-5,
betas (0.9, 0.98), eps 1e-6, weight decay 0.05 on tensors of rank >= 2 only, global-norm clipping at 1.0,
zero_grad after the step), the same batch and threads. Warm-up steps are not timed; the JSON fields are those of
`rali bench train --json`. Run with Debian's torch:

    /usr/bin/python3 bench/torch_train_bench.py --config vit-b-16 --batch 8 --steps 3 --threads 2 [--bf16]

--bf16: forward and loss under torch.autocast("cpu", dtype=torch.bfloat16); the weights, their gradients and the
AdamW state stay fp32 (master weights), as autocast does.
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_clip_bench import PRESETS, forward, from_config, make  # noqa: E402  (one tower definition)
from torch_profile import profiled  # noqa: E402
from blas_check import warn_if_reference  # noqa: E402

PRESETS = dict(PRESETS, demo=(64, 256, 4, 2, 64, 8, 64))  # DemoClipFactory.Config.defaults()
LOGIT_SCALE = 2.6592  # CLIP's initial logit_scale, fixed in the alignment (learnLogitScale off)


def leaves(w):
    out = [v for k, v in w.items() if k != "layers"]
    for layer in w["layers"]:
        out.extend(layer.values())
    return out


def loss_fn(img, txt):
    img = img.float()
    img = img / img.norm(dim=1, keepdim=True)
    txt = txt / txt.norm(dim=1, keepdim=True)
    logits = img @ txt.T * torch.tensor(LOGIT_SCALE, device=img.device).exp()
    target = torch.arange(img.shape[0], device=img.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="demo")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--bf16", action="store_true", help="torch.autocast(DEVICE, bfloat16) with fp32 master weights")
    ap.add_argument("--device", default="cpu", help="cpu or cuda (timings synchronise the GPU)")
    ap.add_argument("--profile", metavar="FILE", help="torch.profiler trace of one more, untimed iteration (Chrome "
                    "JSON, for bench/profile_table.py) and PyTorch's per-op table on stderr")
    a = ap.parse_args()
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    if a.batch < 2:
        ap.error("--batch must be at least 2 (the contrastive loss needs negatives)")
    if a.threads:
        torch.set_num_threads(a.threads)
    d, f, heads, layers, image, patch, proj = PRESETS.get(a.config) or from_config(a.config)
    w = make(d, f, heads, layers, image, patch, proj)
    w = {k: ([{kk: vv.to(dev) for kk, vv in l.items()} for l in v] if k == "layers" else v.to(dev)) for k, v in w.items()}
    params = leaves(w)
    for p in params:
        p.requires_grad_(True)
    opt = torch.optim.AdamW([dict(params=[p for p in params if p.dim() >= 2], weight_decay=0.05),
                             dict(params=[p for p in params if p.dim() < 2], weight_decay=0.0)],
                            lr=1e-5, betas=(0.9, 0.98), eps=1e-6)
    g = torch.Generator().manual_seed(1)
    px = torch.randn(a.batch, 3, image, image, generator=g).to(dev)
    txt = torch.randn(a.batch, proj, generator=g).to(dev)
    times, fwd, bwd, upd, losses = [], 0.0, 0.0, 0.0, []
    for i in range(a.warmup + a.steps):
        sync()
        t0 = time.perf_counter()
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
            loss = loss_fn(forward(w, px, heads, patch), txt)
        losses.append(loss.item())
        t1 = time.perf_counter()
        loss.backward()
        sync()
        t2 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        sync()
        t3 = time.perf_counter()
        if i >= a.warmup:
            times.append(t3 - t0)
            fwd, bwd, upd = fwd + t1 - t0, bwd + t2 - t1, upd + t3 - t2
    if a.profile:  # one more step, not timed (the profiler slows every op), as `rali bench train --profile`
        with profiled(a.profile, dev):
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
                loss = loss_fn(forward(w, px, heads, patch), txt)
            loss.item()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad()
    sec, total = statistics.median(times), fwd + bwd + upd
    print(json.dumps(dict(engine="pytorch-eager " + torch.__version__, config=a.config, device=str(dev),
                          precision="bf16-autocast" if a.bf16 else "fp32", threads=torch.get_num_threads(),
                          batch=a.batch, steps=a.steps, warmup=a.warmup, ms_per_step=sec * 1e3,
                          images_per_s=a.batch / sec,
                          shares=dict(forward=fwd / total, backward=bwd / total, optimizer=upd / total),
                          trainable_params=sum(p.numel() for p in params), blas=warn_if_reference()["blas"],
                          peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          first_loss=losses[0], last_loss=losses[-1],
                          load_average=open("/proc/loadavg").read().split()[0]), indent=2))


if __name__ == "__main__":
    main()
