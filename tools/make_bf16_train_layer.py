#!/usr/bin/env python3
"""Writes engine/src/main/resources/dev/rali/engine/clip/bf16_train_layer.pt: a TorchScript module (code only, no
weights) holding one CLIP encoder layer for bf16 mixed-precision TRAINING, which ClipVisionTrainer runs through
DJL with autograd on (alignment.precision / `rali bench train --precision bf16`).

Why a separate module from bf16_layer.pt (inference): training keeps q, k, v as separate fp32 master weights
(no fused, pre-scaled copy) and needs every cast inside the graph, so gradients flow back to the fp32 weights:
the same thing torch.autocast("cpu", dtype=torch.bfloat16) does in eager PyTorch. DJL 0.36 cannot hold bf16
tensors (NDArray.toType(BFLOAT16) aborts the JVM); only fp32 tensors cross the JNI. Regenerate with Debian's torch:

    /usr/bin/python3 tools/make_bf16_train_layer.py

Math = ClipGraph.layer (transformers' CLIPEncoderLayer, q scaled before q·kᵀ): the residual stream and both layer
norms in fp32; q/k/v/out projections, q·kᵀ, softmax, p·v, fc1, the activation and fc2 in bf16 (fp32
accumulation inside the bf16 GEMMs); each branch widened to fp32 before it is added to the residual.
w: ln1 w/b, q w/b, k w/b, v w/b, out w/b, ln2 w/b, fc1 w/b, fc2 w/b (all fp32); meta: [heads, act, eps] (float64).
"""
import os
from typing import List

import torch
import torch.nn.functional as F


class Bf16TrainLayer(torch.nn.Module):

    def forward(self, h: torch.Tensor, w: List[torch.Tensor], meta: torch.Tensor) -> torch.Tensor:
        heads, act, eps = int(meta[0].item()), int(meta[1].item()), float(meta[2].item())
        bf = torch.bfloat16
        b, t, d = h.shape[0], h.shape[1], h.shape[2]
        hd = d // heads
        x = F.layer_norm(h, [d], w[0], w[1], eps).to(bf).reshape(b * t, d)
        q = (F.linear(x, w[2].to(bf), w[3].to(bf)) * (hd ** -0.5)).reshape(b, t, heads, hd).transpose(1, 2)
        k = F.linear(x, w[4].to(bf), w[5].to(bf)).reshape(b, t, heads, hd).transpose(1, 2)
        v = F.linear(x, w[6].to(bf), w[7].to(bf)).reshape(b, t, heads, hd).transpose(1, 2)
        p = torch.softmax(torch.matmul(q, k.transpose(-1, -2)), -1)
        ctx = torch.matmul(p, v).transpose(1, 2).reshape(b * t, d)
        r = h + F.linear(ctx, w[8].to(bf), w[9].to(bf)).reshape(b, t, d).float()
        x = F.layer_norm(r, [d], w[10], w[11], eps).to(bf).reshape(b * t, d)
        x = F.linear(x, w[12].to(bf), w[13].to(bf))
        if act == 0:
            x = x * torch.sigmoid(x * 1.702)
        elif act == 1:
            x = F.gelu(x)
        else:
            x = F.gelu(x, approximate="tanh")
        return r + F.linear(x, w[14].to(bf), w[15].to(bf)).reshape(b, t, d).float()


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "engine/src/main/resources/dev/rali/engine/clip/bf16_train_layer.pt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.jit.script(Bf16TrainLayer()).save(out)
    print("wrote", out, os.path.getsize(out), "bytes, torch", torch.__version__)


if __name__ == "__main__":
    main()
