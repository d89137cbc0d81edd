#!/usr/bin/env python3
"""Export a reasoning VLM's attention as a RALI attention dump (docs/ATTENTION_FORMAT.md).

    python3 tools/export_attention.py --model /models/Q-Insight --image photo.jpg --out dumps/photo \
        [--prompt "..."] [--max-new-tokens 1024] [--layers 0,13,27] [--sample]

Needs torch, transformers (Qwen2.5-VL support) and Pillow; the model is loaded with eager attention so the
attention probabilities exist. Steps: the chat template (system + user: image + prompt), generation, then one
forward pass over prompt + answer with output_attentions=True; the rows of the score tokens (the digits inside
<answer>...</answer>, else the whole answer) are written for the chosen layers, all heads, all keys.
Roles: positions of the vision placeholder token -> image; the system turn (up to its <|im_end|>) -> system; the
rest of the input -> prompt; generated text inside <think>...</think> (tags included) -> reasoning; the rest of the
generated text -> answer. image_grid = the merged patch grid (image_grid_thw h and w / spatial_merge_size).

The labelling and writing functions below use only numpy and the standard library, so they are unit-tested
against a fake model output (tools/test_export_attention.py) without weights.
"""
import argparse
import json
import os
import struct

import numpy as np

DEFAULT_PROMPT = ("What is your overall rating on the quality of this picture? The rating should be a float between "
                  "1 and 5, rounded to two decimal places, with 1 representing very poor quality and 5 representing "
                  "excellent quality. First output the thinking process in <think> </think> tags and then output "
                  "the final answer in <answer> </answer> tags.")


def label_roles(tokens, ids, prompt_len, image_token_id):
    """One role per position. tokens: decoded strings; ids: token ids; prompt_len: positions before generation."""
    roles = []
    in_system = False
    system_done = False
    for i, (tok, tid) in enumerate(zip(tokens, ids)):
        if i < prompt_len:
            if tid == image_token_id:
                roles.append("image")
                continue
            if not system_done and "<|im_start|>" in tok and not in_system:
                in_system = True
            if in_system and not system_done:
                roles.append("system")
                if "<|im_end|>" in tok:
                    system_done = True
                    in_system = False
                continue
            roles.append("prompt")
    # generated part: character spans of <think>...</think> in the decoded text
    gen = tokens[prompt_len:]
    text = "".join(gen)
    think = []
    start = 0
    while True:
        a = text.find("<think>", start)
        if a < 0:
            break
        b = text.find("</think>", a)
        b = len(text) if b < 0 else b + len("</think>")
        think.append((a, b))
        start = b
    pos = 0
    for tok in gen:
        end = pos + len(tok)
        inside = any(pos < b and end > a for a, b in think)
        roles.append("reasoning" if inside else "answer")
        pos = end
    return roles


def score_positions(tokens, roles):
    """Positions of the answer tokens holding the score (digits inside <answer>), else every answer token."""
    text_pos = []
    pos = 0
    for tok in tokens:
        text_pos.append(pos)
        pos += len(tok)
    text = "".join(tokens)
    a = text.rfind("<answer>")
    b = text.find("</answer>", a) if a >= 0 else -1
    answer = [i for i, r in enumerate(roles) if r == "answer"]
    if a >= 0:
        lo, hi = a + len("<answer>"), (b if b >= 0 else len(text))
        digits = [i for i in answer if lo <= text_pos[i] < hi and any(c.isdigit() for c in tokens[i])]
        if digits:
            return digits
    return answer


def attention_rows(attentions, layers, queries):
    """[layers, heads, queries, keys] float32 from per-layer attentions [1, heads, T, T] (torch tensors or arrays)."""
    out = []
    for l in layers:
        a = attentions[l]
        a = a.float().cpu().numpy() if hasattr(a, "cpu") else np.asarray(a, dtype=np.float32)
        out.append(a[0][:, queries, :])
    return np.ascontiguousarray(np.stack(out).astype(np.float32))


def write_dump(folder, tokens, roles, image_grid, queries, attn, layers, image=None, model=None):
    """Writes meta.json and attention.safetensors (tensor 'attn', F32) in the RALI dump format."""
    if len(roles) != len(tokens):
        raise ValueError("roles has %d entries but tokens has %d" % (len(roles), len(tokens)))
    if attn.shape != (len(layers), attn.shape[1], len(queries), len(tokens)):
        raise ValueError("attn shape %s does not match layers/queries/tokens" % (attn.shape,))
    n_image = sum(1 for r in roles if r == "image")
    if image_grid is not None and image_grid[0] * image_grid[1] != n_image:
        raise ValueError("image_grid %s does not fit %d image tokens" % (image_grid, n_image))
    os.makedirs(folder, exist_ok=True)
    meta = {"tokens": list(tokens), "roles": list(roles), "query_positions": [int(q) for q in queries],
            "layers": [int(l) for l in layers]}
    if image_grid is not None and n_image:
        meta["image_grid"] = [int(image_grid[0]), int(image_grid[1])]
    if image is not None:
        meta["image"] = image
    if model is not None:
        meta["model"] = model
    with open(os.path.join(folder, "meta.json"), "w", encoding="utf-8") as f:
        json.dump(meta, f, ensure_ascii=False, indent=1)
    data = np.ascontiguousarray(attn, dtype="<f4").tobytes()
    header = {"__metadata__": {"format": "rali-attention-dump/1"},
              "attn": {"dtype": "F32", "shape": list(attn.shape), "data_offsets": [0, len(data)]}}
    h = json.dumps(header).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(os.path.join(folder, "attention.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Hugging Face folder of a Qwen2.5-VL-style model (e.g. Q-Insight)")
    ap.add_argument("--image", required=True)
    ap.add_argument("--out", required=True, help="dump folder to write")
    ap.add_argument("--prompt", default=DEFAULT_PROMPT)
    ap.add_argument("--system", default="You are a helpful assistant.")
    ap.add_argument("--max-new-tokens", type=int, default=1024)
    ap.add_argument("--layers", default="", help="comma-separated layer indices (default: all)")
    ap.add_argument("--sample", action="store_true", help="sample (T=1.0, top-p 0.95, top-k 50) instead of greedy")
    args = ap.parse_args()

    import torch
    from PIL import Image
    from transformers import AutoProcessor, Qwen2_5_VLForConditionalGeneration

    processor = AutoProcessor.from_pretrained(args.model)
    model = Qwen2_5_VLForConditionalGeneration.from_pretrained(
        args.model, torch_dtype="auto", attn_implementation="eager").eval()
    messages = [{"role": "system", "content": args.system},
                {"role": "user", "content": [{"type": "image"}, {"type": "text", "text": args.prompt}]}]
    text = processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    inputs = processor(text=[text], images=[Image.open(args.image).convert("RGB")], return_tensors="pt")
    inputs = inputs.to(model.device)
    gen_kw = dict(do_sample=True, temperature=1.0, top_p=0.95, top_k=50) if args.sample else dict(do_sample=False)
    with torch.no_grad():
        seq = model.generate(**inputs, max_new_tokens=args.max_new_tokens, **gen_kw)
        full = {k: v for k, v in inputs.items() if k not in ("input_ids", "attention_mask")}
        out = model(input_ids=seq, attention_mask=torch.ones_like(seq), output_attentions=True, **full)
    ids = seq[0].tolist()
    prompt_len = inputs["input_ids"].shape[1]
    tokens = [processor.tokenizer.decode([t]) for t in ids]
    image_token_id = model.config.image_token_id
    roles = label_roles(tokens, ids, prompt_len, image_token_id)
    queries = score_positions(tokens, roles)
    n_layers = len(out.attentions)
    layers = [int(x) for x in args.layers.split(",")] if args.layers else list(range(n_layers))
    attn = attention_rows(out.attentions, layers, queries)
    t, h, w = inputs["image_grid_thw"][0].tolist()
    merge = model.config.vision_config.spatial_merge_size
    write_dump(args.out, tokens, roles, (h // merge, w // merge), queries, attn, layers,
               image=os.path.abspath(args.image), model=args.model)
    print("wrote %s: %d tokens, %d query rows, %d layers" % (args.out, len(tokens), len(queries), len(layers)))


if __name__ == "__main__":
    main()
