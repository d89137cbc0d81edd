#!/usr/bin/env python3
"""Writes engine/src/main/resources/dev/rali/engine/clip/bf16_layer.pt: a TorchScript module (code only, no
weights) holding one CLIP encoder layer in bfloat16, which ClipModel runs through DJL for --precision bf16.

Why TorchScript: DJL 0.36's JNI maps no bfloat16 dtype (NDArray.toType(BFLOAT16) aborts the JVM), but a
TorchScript method can cast and compute in bf16 inside libtorch; only fp32 tensors cross the JNI. The module
is plain source that libtorch 2.7.1 compiles on load. Regenerate with Debian's torch:

    /usr/bin/python3 tools/make_bf16_layer.py

The math is ClipGraph.layer (transformers' CLIPEncoderLayer, quick_gelu, q pre-scaled in the fused QKV weight):
the residual stream and both layer norms in fp32; each block computes in the dtype of the weights it is given
(Java hands them over per Precision: bf16 = QKV, q·kᵀ, softmax, p·v, out_proj, fc1, quick_gelu, fc2 in bf16;
bf16-mlp = the attention block in fp32, fc1, quick_gelu, fc2 in bf16), fp32 accumulation inside the bf16 GEMMs;
each branch widened to fp32 before it is added to the residual.
"""
import os
from typing import List

import torch
import torch.nn.functional as F


class Bf16Layer(torch.nn.Module):

    @torch.jit.export
    def to_bf16(self, x: torch.Tensor) -> torch.Tensor:
        return x.to(torch.bfloat16)

    def forward(self, h: torch.Tensor, w: List[torch.Tensor], heads: int, eps: float, act: int) -> torch.Tensor:
        # w: ln1 w/b (fp32), qkv w/b (q rows pre-scaled), out w/b, ln2 w/b (fp32), fc1 w/b, fc2 w/b; the attention
        # block runs in qkv's dtype, the MLP in fc1's (bf16 or fp32, chosen by the caller)
        b, t, d = h.shape[0], h.shape[1], h.shape[2]
        hd = d // heads
        x = F.layer_norm(h, [d], w[0], w[1], eps).to(w[2].dtype).reshape(b * t, d)
        qkv = F.linear(x, w[2], w[3]).reshape(b, t, 3, heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        p = torch.softmax(torch.matmul(q, k.transpose(-1, -2)), -1)
        ctx = torch.matmul(p, v).transpose(1, 2).reshape(b * t, d)
        r = h + F.linear(ctx, w[4], w[5]).reshape(b, t, d).float()
        x = F.layer_norm(r, [d], w[6], w[7], eps).to(w[8].dtype).reshape(b * t, d)
        x = F.linear(x, w[8], w[9])
        if act == 0:
            x = x * torch.sigmoid(x * 1.702)
        elif act == 1:
            x = F.gelu(x)
        else:
            x = F.gelu(x, approximate="tanh")
        return r + F.linear(x, w[10], w[11]).reshape(b, t, d).float()


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "engine/src/main/resources/dev/rali/engine/clip/bf16_layer.pt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.jit.script(Bf16Layer()).save(out)
    print("wrote", out, os.path.getsize(out), "bytes, torch", torch.__version__)


if __name__ == "__main__":
    main()
