#!/usr/bin/env python3
"""Writes engine/src/main/resources/dev/rali/engine/clip/fused_adamw.pt: a TorchScript module (code only, no
weights) holding ClipVisionTrainer's whole optimiser step — per-tensor gradient norms, global-norm clipping
(torch.nn.utils.clip_grad_norm_), AdamW (torch.optim.AdamW's order of operations, decoupled weight decay on tensors
of rank >= 2) and zeroing the gradients — over lists of tensors, in ONE call.

Why: written on DJL NDArrays the update is ~12 JNI crossings per tensor plus one norm read back per tensor; at the
demo's size (40 small tensors) that was 40 % of a training step against 5 % of PyTorch's (docs/PERFORMANCE.md,
"Alignment training step"). Inside libtorch's interpreter each op costs a few microseconds. The arithmetic is the
that of torch.optim.AdamW's single-tensor step, op by op (mul_/add_ with alpha, mul_/addcmul_, sqrt/div_/add_,
addcdiv_; checked against torch's AdamW formula in ClipVisionTrainerTest). Regenerate with Debian's torch:

    /usr/bin/python3 tools/make_fused_adamw.py

forward(p, m, v, hp) takes the gradients from the parameters' own .grad (no tensor per gradient crosses the JNI);
step_with_grads(p, g, m, v, hp) takes them as a list (float64 gradient checks convert theirs). p, g, m, v: parameters,
float32 gradients, Adam's first and second moments (lists in the same order; updated in place); hp: [max_norm, lr, beta1, beta2, eps, 1 - beta1^t, sqrt(1 - beta2^t),
weight_decay, clamp_index, clamp_max, group_elements]: after the update p[clamp_index] is clamped to [0, clamp_max] (CLIP's learned
logit scale; -1 = none). Returns the float32 per-tensor gradient norms before clipping. When their global norm is not finite
nothing is updated (the caller skips the step) but the gradients are still zeroed.
"""
import math
import os
from typing import List

import torch




class FusedAdamW(torch.nn.Module):

    def forward(self, p: List[torch.Tensor], m: List[torch.Tensor], v: List[torch.Tensor],
                hp: List[float]) -> torch.Tensor:
        """The step with each parameter's own .grad. A parameter autograd never reached has an undefined .grad, which
        TorchScript cannot test for (`is None` is compiled away): the norms fail before anything changes, and the
        caller (FusedAdamW.java) retries with step_with_grads and zeros for it."""
        g: List[torch.Tensor] = []
        for x in p:
            g.append(x.grad)
        return self.step_with_grads(p, g, m, v, hp)

    @torch.jit.export
    def step_with_grads(self, p: List[torch.Tensor], g: List[torch.Tensor], m: List[torch.Tensor],
                        v: List[torch.Tensor], hp: List[float]) -> torch.Tensor:
        max_norm, lr, b1, b2, eps, bc1, bc2_sqrt, wd = hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7]
        clamp_index, clamp_max, group_elements = int(hp[8]), hp[9], int(hp[10])
        norms = torch.stack(torch._foreach_norm(g, 2))
        total = math.sqrt(float(norms.double().pow(2).sum().item()))
        if math.isfinite(total):
            clip = max_norm / (total + 1e-6)  # clip_grad_norm_: scale when below 1
            # torch._foreach_*: on a GPU one multi-tensor kernel per op and group instead of one launch per op and
            # tensor; on the CPU a loop over the same per-tensor ops (so the same numbers as a plain loop). Groups of
            # at most group_elements (hp[10]; 2^24 = 64 MiB of float32) bound the temporaries (gi * gi, the
            # denominators, the updates) at ViT-L size.
            # TorchScript's dead-code pass drops a foreach op that mutates a list built here (a slice) unless the
            # list is read afterwards: the elements' aliasing of p, g, m, v is not tracked. `alive` reads each list
            # after its last mutation and feeds the returned value (a branch never taken), which keeps them.
            alive = 0
            n = len(p)
            start = 0
            while start < n:
                end = start + 1
                size = p[start].numel()
                while end < n and size + p[end].numel() <= group_elements:
                    size += p[end].numel()
                    end += 1
                pc, gc, mc, vc = p[start:end], g[start:end], m[start:end], v[start:end]
                if clip < 1:
                    torch._foreach_mul_(gc, clip)
                # torch.optim.AdamW's own fused ops (add with alpha, addcmul, addcdiv): a third fewer ops per tensor
                # than separate multiplies and adds, and no temporaries for g * (1 - b1), g * g and m / denom (on a
                # 2-core CPU at the demo's size, 40 small tensors: 1.07 -> 0.76 ms per step, Debian's torch)
                torch._foreach_mul_(mc, b1)
                torch._foreach_add_(mc, gc, alpha=1 - b1)
                torch._foreach_mul_(vc, b2)
                torch._foreach_addcmul_(vc, gc, gc, 1 - b2)
                if wd > 0:
                    decayed: List[torch.Tensor] = []
                    for x in pc:
                        if x.dim() >= 2:
                            decayed.append(x)
                    if len(decayed) > 0:
                        torch._foreach_mul_(decayed, 1 - lr * wd)  # decoupled (AdamW), before the Adam step as torch
                    alive += len(decayed)
                denom = torch._foreach_sqrt(vc)
                torch._foreach_div_(denom, bc2_sqrt)
                torch._foreach_add_(denom, eps)
                torch._foreach_addcdiv_(pc, mc, denom, -lr / bc1)
                alive += len(pc) + len(gc) + len(mc) + len(vc)
                start = end
            if clamp_index >= 0:
                p[clamp_index].clamp_(0.0, clamp_max)
            if alive < 0:
                norms = norms * 0.0
        torch._foreach_zero_(g)
        if len(g) < 0:  # reads g after the zeroing (see `alive`): forward's g is a list built from the .grad fields
            norms = norms * 0.0
        return norms


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "engine/src/main/resources/dev/rali/engine/clip/fused_adamw.pt")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    torch.jit.script(FusedAdamW()).save(out)
    print("wrote", out, os.path.getsize(out), "bytes, torch", torch.__version__)


if __name__ == "__main__":
    main()
