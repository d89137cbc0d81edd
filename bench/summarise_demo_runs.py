#!/usr/bin/env python3
"""Mean ± sd over seeds of bench/demo_recipe.py JSON results: python3 bench/summarise_demo_runs.py DIR"""
import glob, json, os, sys
import numpy as np

d = sys.argv[1]
rows = {}
for f in sorted(glob.glob(os.path.join(d, "*.json"))):
    r = json.load(open(f))
    tag = "no_seed_augmentation" if not r["args"].get("seed_aug", True) else None
    for k, v in r.items():
        if isinstance(v, list) and len(v) == 2:
            rows.setdefault(tag if (tag and k == "full") else k, []).append((r["args"]["seed"], v))
print("| variant | seeds | PLCC mean ± sd | SRCC mean ± sd | PLCC per seed |")
print("|---|---|---|---|---|")
for k in ["text_oracle", "full", "no_alignment", "no_seed_augmentation", "plain_kmeans", "no_pca", "no_score_definition",
          "ridge_aligned", "ridge_random"]:
    if k not in rows:
        continue
    v = sorted(rows[k])
    p = np.array([x[1][0] for x in v]); s = np.array([x[1][1] for x in v])
    print(f"| {k} | {len(v)} | {p.mean():.3f} ± {p.std(ddof=1) if len(p) > 1 else 0:.3f} | "
          f"{s.mean():.3f} ± {s.std(ddof=1) if len(s) > 1 else 0:.3f} | {', '.join(f'{x:.2f}' for x in p)} |")
