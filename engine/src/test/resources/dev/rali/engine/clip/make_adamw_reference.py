# Makes adamw_reference.safetensors for FusedAdamWTest (run with Debian's torch: /usr/bin/python3 make_adamw_reference.py):
# seeded parameters of the shapes a CLIP tower has (patch conv, matrices, vectors, a scalar), three steps of seeded
# gradients, and torch.optim.AdamW(foreach=False) after them: parameters, exp_avg and exp_avg_sq. Clipping is not part
# of it (torch's clip_grad_norm_ sums the norms in float32, ours in float64: FusedAdamWTest checks that separately).
import json, struct
import torch

torch.manual_seed(7)
shapes = [(16, 3, 4, 4), (16,), (9, 16), (48, 16), (48,), (16, 48), ()]
lr, b1, b2, eps, wd, steps = 1e-3, 0.9, 0.98, 1e-6, 0.05, 3
params = [torch.randn(s) for s in shapes]
grads = [[torch.randn(s) for s in shapes] for _ in range(steps)]
live = [p.clone().requires_grad_(True) for p in params]
opt = torch.optim.AdamW([dict(params=[p for p in live if p.dim() >= 2], weight_decay=wd),
                         dict(params=[p for p in live if p.dim() < 2], weight_decay=0.0)],
                        lr=lr, betas=(b1, b2), eps=eps, foreach=False)
for t in range(steps):
    for p, g in zip(live, grads[t]):
        p.grad = g.clone()
    opt.step()
tensors = {}
for i, p in enumerate(params):
    tensors[f"p{i}/initial"] = p
    for t in range(steps):
        tensors[f"p{i}/grad{t + 1}"] = grads[t][i]
    tensors[f"p{i}/after"] = live[i].detach()
    tensors[f"p{i}/exp_avg"] = opt.state[live[i]]["exp_avg"]
    tensors[f"p{i}/exp_avg_sq"] = opt.state[live[i]]["exp_avg_sq"]
header, off, blobs = {}, 0, []
for k, v in tensors.items():
    b = v.contiguous().numpy().tobytes()
    header[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
    off += len(b)
    blobs.append(b)
header["__metadata__"] = {"made_by": "torch %s torch.optim.AdamW(foreach=False), see FusedAdamWTest" % torch.__version__,
                          "lr": str(lr), "beta1": str(b1), "beta2": str(b2), "eps": str(eps),
                          "weight_decay": str(wd), "steps": str(steps), "tensors": str(len(shapes))}
hb = json.dumps(header).encode()
hb += b" " * ((8 - len(hb) % 8) % 8)
open("adamw_reference.safetensors", "wb").write(struct.pack("<Q", len(hb)) + hb + b"".join(blobs))
