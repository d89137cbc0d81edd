#!/usr/bin/env python3
"""PyTorch + PIL reference for `rali bench score`: the same files decoded with PIL, the same CLIP preprocessing
(preprocessor_config.json: shortest-edge bicubic resize, centre crop, rescale, normalise) and the bundle's image
tower (its model.safetensors, read with json + torch, no safetensors package needed) in PyTorch eager, batch by
batch, with the decode/preprocess/encoder split. The RALI head (a few hundred multiply-adds per image, < 0.1 % in
ours) is not reproduced. Run with Debian's torch:

    /usr/bin/python3 bench/torch_score_bench.py --model BUNDLE FOLDER [--batch 16] [--threads 2] [--bf16]
"""
import argparse
import json
import os
import resource
import struct
import time

import numpy as np
import torch
from PIL import Image

import torch_clip_bench as tcb
from blas_check import warn_if_reference

DT = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        t = torch.frombuffer(bytearray(data[a:b]), dtype=DT[v["dtype"]]).reshape(v["shape"])
        out[k] = t.float() if t.is_floating_point() else t
    return out


def weights(st, layers):
    p = "vision_model."
    w = dict(patch=st[p + "embeddings.patch_embedding.weight"], cls=st[p + "embeddings.class_embedding"],
             pos=st[p + "embeddings.position_embedding.weight"], pre_w=st[p + "pre_layrnorm.weight"],
             pre_b=st[p + "pre_layrnorm.bias"], post_w=st[p + "post_layernorm.weight"],
             post_b=st[p + "post_layernorm.bias"], proj=st["visual_projection.weight"], layers=[])
    for i in range(layers):
        q = f"{p}encoder.layers.{i}."
        g = lambda n: st[q + n]
        w["layers"].append(dict(ln1_w=g("layer_norm1.weight"), ln1_b=g("layer_norm1.bias"),
                                ln2_w=g("layer_norm2.weight"), ln2_b=g("layer_norm2.bias"),
                                q=g("self_attn.q_proj.weight"), qb=g("self_attn.q_proj.bias"),
                                k=g("self_attn.k_proj.weight"), kb=g("self_attn.k_proj.bias"),
                                v=g("self_attn.v_proj.weight"), vb=g("self_attn.v_proj.bias"),
                                o=g("self_attn.out_proj.weight"), ob=g("self_attn.out_proj.bias"),
                                fc1=g("mlp.fc1.weight"), fc1b=g("mlp.fc1.bias"), fc2=g("mlp.fc2.weight"),
                                fc2b=g("mlp.fc2.bias")))
    return w


def preprocess(img, pc):
    img = img.convert("RGB")
    short = pc["size"]["shortest_edge"]
    w, h = img.size
    s = short / min(w, h)
    img = img.resize((max(1, round(w * s)), max(1, round(h * s))), Image.BICUBIC)
    ch, cw = pc["crop_size"]["height"], pc["crop_size"]["width"]
    w, h = img.size
    left, top = (w - cw) // 2, (h - ch) // 2
    img = img.crop((left, top, left + cw, top + ch))
    a = np.asarray(img, dtype=np.float32) * pc["rescale_factor"]
    a = (a - np.array(pc["image_mean"], dtype=np.float32)) / np.array(pc["image_std"], dtype=np.float32)
    return torch.from_numpy(a.transpose(2, 0, 1).copy())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--bf16", action="store_true", help="torch.autocast(cpu, bfloat16) around the tower")
    ap.add_argument("folder")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    cfg = json.load(open(os.path.join(a.model, "config.json")))
    v = cfg["vision_config"]
    pc_path = os.path.join(a.model, "preprocessor_config.json")
    if os.path.isfile(pc_path):
        pc = json.load(open(pc_path))
    else:  # as ClipImagePreprocessor.forModel: CLIP's standard processing at the tower's image size
        n = v["image_size"]
        pc = dict(size=dict(shortest_edge=n), crop_size=dict(height=n, width=n), rescale_factor=1 / 255,
                  image_mean=[0.48145466, 0.4578275, 0.40821073], image_std=[0.26862954, 0.26130258, 0.27577711])
    w = weights(read_safetensors(os.path.join(a.model, "model.safetensors")), v["num_hidden_layers"])
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(a.folder) for f in fs
                   if f.lower().endswith((".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")))
    dec = pre = enc = 0.0
    t_start = time.perf_counter()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
        for s in range(0, len(files), a.batch):
            px = []
            for f in files[s:s + a.batch]:
                t0 = time.perf_counter()
                img = Image.open(f)
                img.load()
                t1 = time.perf_counter()
                px.append(preprocess(img, pc))
                t2 = time.perf_counter()
                dec += t1 - t0
                pre += t2 - t1
            t2 = time.perf_counter()
            tcb.forward(w, torch.stack(px), v["num_attention_heads"], v["patch_size"], v.get("layer_norm_eps", 1e-5))
            enc += time.perf_counter() - t2
    wall = time.perf_counter() - t_start
    total = dec + pre + enc
    print(json.dumps(dict(engine="pytorch-eager+PIL " + torch.__version__, model=a.model, images=len(files),
                          batch=a.batch, precision="bf16-autocast" if a.bf16 else "fp32",
                          threads=torch.get_num_threads(), blas=warn_if_reference()["blas"], images_per_s=len(files) / wall, wall_s=wall,
                          shares=dict(decode=dec / total, preprocess=pre / total, encoder=enc / total),
                          peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          load_average=os.getloadavg()[0]), indent=2))


if __name__ == "__main__":
    main()
