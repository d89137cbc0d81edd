#!/usr/bin/env python3
"""Reference fixtures for the Java CLIP implementation (engine/src/test/resources/fixtures/clip-*).

transformers is not installed here, so this is a small float64 PyTorch re-implementation of Hugging Face's
CLIPModel forward (modeling_clip.py semantics): weights are drawn in float32 and saved in HF names; the
outputs are computed in float64 from those float32 values and stored as float32. Run with /usr/bin/python3:

    /usr/bin/python3 bench/make_clip_fixtures.py engine/src/test/resources/fixtures

Each variant changes what tiny-clip-a does not cover: exact-erf gelu with eps 1e-6 and 3 heads, eos_token_id
variants (first-EOS pooling vs the legacy argmax), tanh-approximated gelu, one input channel, short text rows.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

VARIANTS = {
    # gelu (erf), eps 1e-6, 3 heads, 3 layers, 32 px / patch 8, non-legacy eos: first position equal to eos.
    "clip-b": dict(
        text=dict(vocab_size=1000, hidden_size=36, intermediate_size=80, num_attention_heads=3,
                  num_hidden_layers=3, max_position_embeddings=20, hidden_act="gelu", layer_norm_eps=1e-6,
                  bos_token_id=997, eos_token_id=998, pad_token_id=0),
        vision=dict(hidden_size=48, intermediate_size=72, num_attention_heads=3, num_hidden_layers=3,
                    image_size=32, patch_size=8, num_channels=3, hidden_act="gelu", layer_norm_eps=1e-6),
        projection_dim=24, logit_scale=3.1, n_images=2, seq_len=20, seed=11, attentions=True,
    ),
    # gelu_new (tanh), 1 channel, 2 heads, 1 layer, 16 px / patch 4, legacy eos_token_id 2: argmax of the ids,
    # text rows shorter than max_position_embeddings.
    "clip-c": dict(
        text=dict(vocab_size=600, hidden_size=32, intermediate_size=64, num_attention_heads=2,
                  num_hidden_layers=1, max_position_embeddings=24, hidden_act="gelu_new", layer_norm_eps=1e-5,
                  bos_token_id=598, eos_token_id=2, pad_token_id=0),
        vision=dict(hidden_size=40, intermediate_size=96, num_attention_heads=2, num_hidden_layers=2,
                    image_size=16, patch_size=4, num_channels=1, hidden_act="gelu_new", layer_norm_eps=1e-5),
        projection_dim=16, logit_scale=2.0, n_images=3, seq_len=10, seed=12, attentions=False,
    ),
}


def make_weights(cfg, g):
    t, v, p = cfg["text"], cfg["vision"], cfg["projection_dim"]
    w = {}

    def normal(shape, std, mean=0.0):
        return (torch.randn(shape, generator=g, dtype=torch.float32) * std + mean)

    def encoder(prefix, c):
        d, f = c["hidden_size"], c["intermediate_size"]
        for i in range(c["num_hidden_layers"]):
            q = f"{prefix}.encoder.layers.{i}."
            for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
                w[q + f"self_attn.{proj}.weight"] = normal((d, d), 0.08 * 64 ** 0.5 / d ** 0.5)
                w[q + f"self_attn.{proj}.bias"] = normal((d,), 0.02)
            for ln in ("layer_norm1", "layer_norm2"):
                w[q + f"{ln}.weight"] = normal((d,), 0.1, 1.0)
                w[q + f"{ln}.bias"] = normal((d,), 0.1)
            w[q + "mlp.fc1.weight"] = normal((f, d), 0.08)
            w[q + "mlp.fc1.bias"] = normal((f,), 0.02)
            w[q + "mlp.fc2.weight"] = normal((d, f), 0.08)
            w[q + "mlp.fc2.bias"] = normal((d,), 0.02)

    w["text_model.embeddings.token_embedding.weight"] = normal((t["vocab_size"], t["hidden_size"]), 0.02)
    w["text_model.embeddings.position_embedding.weight"] = normal((t["max_position_embeddings"], t["hidden_size"]), 0.02)
    encoder("text_model", t)
    w["text_model.final_layer_norm.weight"] = normal((t["hidden_size"],), 0.1, 1.0)
    w["text_model.final_layer_norm.bias"] = normal((t["hidden_size"],), 0.1)
    d, ps, ch = v["hidden_size"], v["patch_size"], v["num_channels"]
    npos = (v["image_size"] // ps) ** 2 + 1
    w["vision_model.embeddings.class_embedding"] = normal((d,), 0.02)
    w["vision_model.embeddings.patch_embedding.weight"] = normal((d, ch, ps, ps), 0.02 * 5)
    w["vision_model.embeddings.position_embedding.weight"] = normal((npos, d), 0.02)
    w["vision_model.pre_layrnorm.weight"] = normal((d,), 0.1, 1.0)
    w["vision_model.pre_layrnorm.bias"] = normal((d,), 0.1)
    encoder("vision_model", v)
    w["vision_model.post_layernorm.weight"] = normal((d,), 0.1, 1.0)
    w["vision_model.post_layernorm.bias"] = normal((d,), 0.1)
    w["visual_projection.weight"] = normal((p, d), 0.08)
    w["text_projection.weight"] = normal((p, t["hidden_size"]), 0.08)
    w["logit_scale"] = torch.tensor(cfg["logit_scale"], dtype=torch.float32)
    return w


def act(x, name):
    if name == "quick_gelu":
        return x * torch.sigmoid(1.702 * x)
    if name == "gelu":
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    raise ValueError(name)


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)  # biased, as torch.nn.LayerNorm
    return (x - mu) / torch.sqrt(var + eps) * w + b


def linear(x, w, b=None):
    y = x @ w.T
    return y if b is None else y + b


def encoder(w, prefix, c, h, mask):
    hidden, attns = [h], []
    heads = c["num_attention_heads"]
    hd = c["hidden_size"] // heads
    for i in range(c["num_hidden_layers"]):
        q = f"{prefix}.encoder.layers.{i}."
        x = layer_norm(h, w[q + "layer_norm1.weight"], w[q + "layer_norm1.bias"], c["layer_norm_eps"])
        B, T, D = x.shape

        def proj(name):
            return linear(x, w[q + f"self_attn.{name}.weight"], w[q + f"self_attn.{name}.bias"]) \
                .view(B, T, heads, hd).transpose(1, 2)
        qs, ks, vs = proj("q_proj") * hd ** -0.5, proj("k_proj"), proj("v_proj")
        s = qs @ ks.transpose(-1, -2)
        if mask is not None:
            s = s + mask
        pr = torch.softmax(s, dim=-1)
        attns.append(pr)
        ctx = (pr @ vs).transpose(1, 2).reshape(B, T, D)
        h = h + linear(ctx, w[q + "self_attn.out_proj.weight"], w[q + "self_attn.out_proj.bias"])
        x = layer_norm(h, w[q + "layer_norm2.weight"], w[q + "layer_norm2.bias"], c["layer_norm_eps"])
        x = act(linear(x, w[q + "mlp.fc1.weight"], w[q + "mlp.fc1.bias"]), c["hidden_act"])
        h = h + linear(x, w[q + "mlp.fc2.weight"], w[q + "mlp.fc2.bias"])
        hidden.append(h)
    return h, hidden, attns


def forward(w, cfg, pixels, ids):
    w = {k: t.double() for k, t in w.items()}
    v, t = cfg["vision"], cfg["text"]
    out = {}
    # vision
    pe = torch.nn.functional.conv2d(pixels.double(), w["vision_model.embeddings.patch_embedding.weight"],
                                    stride=v["patch_size"])
    pe = pe.flatten(2).transpose(1, 2)  # [N, grid*grid, D], row-major grid
    cls = w["vision_model.embeddings.class_embedding"].expand(pe.shape[0], 1, -1)
    h = torch.cat([cls, pe], 1) + w["vision_model.embeddings.position_embedding.weight"]
    h = layer_norm(h, w["vision_model.pre_layrnorm.weight"], w["vision_model.pre_layrnorm.bias"], v["layer_norm_eps"])
    last, hidden, attns = encoder(w, "vision_model", v, h, None)
    pooled = layer_norm(last[:, 0], w["vision_model.post_layernorm.weight"], w["vision_model.post_layernorm.bias"],
                        v["layer_norm_eps"])
    out["vision_embeddings"] = hidden[0]
    for k in range(1, len(hidden)):
        out[f"vision_hidden_states_{k}"] = hidden[k]
    if cfg["attentions"]:
        for k, a in enumerate(attns):
            out[f"vision_attentions_{k + 1}"] = a
    out["vision_last_hidden_state"] = last
    out["vision_pooled"] = pooled
    img = linear(pooled, w["visual_projection.weight"])
    out["image_embeds"] = img
    # text
    L = ids.shape[1]
    h = w["text_model.embeddings.token_embedding.weight"][ids] + w["text_model.embeddings.position_embedding.weight"][:L]
    mask = torch.triu(torch.full((L, L), torch.finfo(torch.float64).min, dtype=torch.float64), 1)
    last, hidden, attns = encoder(w, "text_model", t, h, mask)
    last = layer_norm(last, w["text_model.final_layer_norm.weight"], w["text_model.final_layer_norm.bias"],
                      t["layer_norm_eps"])
    out["text_embeddings"] = hidden[0]
    for k in range(1, len(hidden)):
        out[f"text_hidden_states_{k}"] = hidden[k]
    if cfg["attentions"]:
        for k, a in enumerate(attns):
            out[f"text_attentions_{k + 1}"] = a
    out["text_last_hidden_state"] = last
    if t["eos_token_id"] == 2:
        pos = ids.to(torch.int).argmax(dim=-1)
    else:
        pos = (ids.to(torch.int) == t["eos_token_id"]).int().argmax(dim=-1)
    pooled = last[torch.arange(last.shape[0]), pos]
    out["text_pooled"] = pooled
    txt = linear(pooled, w["text_projection.weight"])
    out["text_embeds"] = txt
    ni = img / img.norm(dim=-1, keepdim=True)
    nt = txt / txt.norm(dim=-1, keepdim=True)
    out["logits_per_image"] = w["logit_scale"].exp() * ni @ nt.T
    return out


def make_ids(cfg, g):
    t = cfg["text"]
    L, eos, bos = cfg["seq_len"], t["eos_token_id"], t["bos_token_id"]
    eot = eos if eos != 2 else t["vocab_size"] - 1  # legacy: the EOT id is the largest id
    rows = []
    ends = [4, L - 1, 1, 7]
    for r, e in enumerate(ends):
        row = torch.zeros(L, dtype=torch.int64)
        row[0] = bos
        row[1:e] = torch.randint(1, min(bos, eot) - 1, (e - 1,), generator=g)
        row[e] = eot
        rows.append(row)
    if eos != 2:
        # two EOS tokens: pooling takes the first; and a row without any EOS: pooling takes position 0
        row = rows[3].clone()
        row[9] = eos
        rows.append(row)
        rows.append(torch.randint(1, bos - 1, (L,), generator=g))
    else:
        # legacy argmax does not look for the EOS id: the largest id wins wherever it is
        row = rows[0].clone()
        row[2] = eot
        rows.append(row)
        # a literal id 2 before the EOT: pooling must not look for eos_token_id == 2 itself
        row = rows[3].clone()
        row[3] = 2
        rows.append(row)
    return torch.stack(rows)


def write_safetensors(path, tensors):
    header, blobs, off = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        a = tensors[name].contiguous()
        dt = {torch.float32: "F32", torch.int64: "I64"}[a.dtype]
        b = a.numpy().astype("<f4" if dt == "F32" else "<i8").tobytes()
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def config_json(cfg):
    t = dict(cfg["text"], model_type="clip_text_model", projection_dim=cfg["projection_dim"])
    v = dict(cfg["vision"], model_type="clip_vision_model", projection_dim=cfg["projection_dim"])
    return {"architectures": ["CLIPModel"], "model_type": "clip", "projection_dim": cfg["projection_dim"],
            "logit_scale_init_value": 2.6592, "initializer_factor": 1.0, "torch_dtype": "float32",
            "text_config": t, "vision_config": v}


def main(out_root):
    for name, cfg in VARIANTS.items():
        g = torch.Generator().manual_seed(cfg["seed"])
        w = make_weights(cfg, g)
        v = cfg["vision"]
        pixels = torch.randn((cfg["n_images"], v["num_channels"], v["image_size"], v["image_size"]), generator=g)
        ids = make_ids(cfg, g)
        out = forward(w, cfg, pixels, ids)
        d = os.path.join(out_root, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config_json(cfg), f, indent=2)
        write_safetensors(os.path.join(d, "model.safetensors"), w)
        exp = {k: t.float() for k, t in out.items()}
        exp["pixel_values"] = pixels
        exp["input_ids"] = ids
        write_safetensors(os.path.join(d, "expected.safetensors"), exp)
        sizes = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print(f"{name}: {len(w)} weights, {len(exp)} expected tensors, {sizes / 1024:.0f} KiB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "engine/src/test/resources/fixtures")
