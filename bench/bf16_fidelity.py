#!/usr/bin/env python3
"""bf16 fidelity in one command (issue 14 item 2): scores one folder with `rali score --precision fp32` and
`--precision bf16` and prints max |dscore|, p99 |dscore| and the SRCC of the two score lists (targets: <= 0.02 MOS
and >= 0.999).

    bench/bf16_fidelity.py --bundle B.rali-model FOLDER            an existing bundle (e.g. the demo's)
    bench/bf16_fidelity.py --random vit-l-14-336 [--images 32] FOLDER

--random builds the stand-in for "a random ViT-L with a head": `rali model random` (CLIP's initialisation,
seed 0), `rali embed --precision fp32` and `--precision bf16` of --images files of FOLDER (sorted, evenly
spaced), then a RALI head fitted to the fp32 embeddings the way the paper's stages C/D shape one -- PCA to --pca
dims (centred, unit scale), --bases bases mu = k-means centroids of the compressed embeddings, f drawn uniformly
from [1, 5] (seed 0), tau 0.07 -- applied to both in numpy doubles (ScoreHead's math). With --bundle-out the
head is written as a bundle (manifest with sha256s, as ModelBundle writes) and both score lists come from
`rali score` instead (one more encoder pass). The encoder is ours in every case. Needs a
built ./rali (./mvnw -B -o -q -DskipTests -pl engine,app package) and numpy (/usr/bin/python3 on Debian).
"""
import argparse
import csv
import hashlib
import json
import os
import struct
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RALI = os.environ.get("RALI_CMD", os.path.join(ROOT, "rali"))  # e.g. a copy that a rebuild cannot disturb
EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff")


def rali(*args):
    env = dict(os.environ, RALI_SKIP_BUILD=os.environ.get("RALI_SKIP_BUILD", "1"))
    p = subprocess.run([RALI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("rali %s failed (%d):\n%s" % (" ".join(args[:12]), p.returncode, p.stderr[-3000:]))
    return p.stdout, p.stderr


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        if v["dtype"] != "F32":
            sys.exit("%s: tensor %s is %s, expected F32" % (path, k, v["dtype"]))
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(data[a:b], dtype="<f4").reshape(v["shape"])
    return out, header.get("__metadata__", {})


def write_safetensors(path, tensors, meta):
    header, blobs, off = {"__metadata__": meta}, [], 0
    for k, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def sha256(path):
    d = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            d.update(chunk)
    return d.hexdigest()


def kmeans(x, k, seed=0, iters=50):
    rng = np.random.default_rng(seed)
    c = x[rng.choice(len(x), k, replace=False)].copy()
    for _ in range(iters):
        lab = ((x[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
        for j in range(k):
            if (lab == j).any():
                c[j] = x[lab == j].mean(0)
    return c


def embed(clip, images, precision, work, batch):
    out = os.path.join(work, "emb-%s.safetensors" % precision)
    print("embedding %d images in %s" % (len(images), precision), file=sys.stderr)
    t0 = time.time()
    rali("embed", "--model", clip, "--precision", precision, "--device", "cpu", "--batch", str(batch),
         "--out", out, "--force", *images)
    t, meta = read_safetensors(out)
    names = json.loads(meta["names"]) if "names" in meta else list(range(len(t["embeddings"])))
    return dict(zip(names, t["embeddings"].astype(np.float64))), time.time() - t0


def head_scores(e, mean, comps, mu, f, tau):
    """ScoreHead.score in numpy doubles: z = (e - mean) Uᵀ, cosines to the bases, softmax(cos / tau) · f."""
    z = (e - mean) @ comps.T
    z = (z.astype(np.float32).astype(np.float64))  # the engine keeps z in float, like here
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    m = mu / np.linalg.norm(mu, axis=1, keepdims=True)
    a = z @ m.T / tau
    w = np.exp(a - a.max(1, keepdims=True))
    return (w / w.sum(1, keepdims=True)) @ f


def random_tower_fidelity(args, images, work):
    """Random tower, head fitted to its fp32 embeddings; fp32 and bf16 embeddings from `rali embed`, scored by
    the head in numpy (two encoder passes instead of three: a ViT-L takes seconds per image on 2 cores)."""
    clip = os.path.join(work, "clip")
    if not os.path.isfile(os.path.join(clip, "model.safetensors")):
        print("writing a random %s to %s" % (args.random, clip), file=sys.stderr)
        rali("model", "random", "--config", args.random, "--seed", "0", "--out", clip)
    e32, t32 = embed(clip, images, "fp32", work, args.batch)
    e16, t16 = embed(clip, images, "bf16", work, args.batch)
    keys = sorted(set(e32) & set(e16))
    a32 = np.stack([e32[k] for k in keys])
    a16 = np.stack([e16[k] for k in keys])
    mean = a32.mean(0)
    _, _, vt = np.linalg.svd(a32 - mean, full_matrices=False)
    comps = vt[: args.pca]
    z = (a32 - mean) @ comps.T
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    mu = kmeans(z, args.bases)
    f = np.random.default_rng(0).uniform(1, 5, args.bases)
    s32 = head_scores(a32, mean, comps, mu, f, 0.07)
    s16 = head_scores(a16, mean, comps, mu, f, 0.07)
    return dict(zip(keys, s32)), t32, "fp32", dict(zip(keys, s16)), t16, "bf16"


def make_random_bundle(args, images, work):
    clip = os.path.join(work, "clip")
    if not os.path.isfile(os.path.join(clip, "model.safetensors")):
        print("writing a random %s to %s" % (args.random, clip), file=sys.stderr)
        rali("model", "random", "--config", args.random, "--seed", "0", "--out", clip)
    emb_file = os.path.join(work, "emb-fp32.safetensors")
    print("embedding %d images in fp32" % len(images), file=sys.stderr)
    rali("embed", "--model", clip, "--precision", "fp32", "--device", "cpu", "--batch", str(args.batch),
         "--out", emb_file, "--force", *images)
    t, _ = read_safetensors(emb_file)
    e = t["embeddings"].astype(np.float64)
    mean = e.mean(0)
    _, _, vt = np.linalg.svd(e - mean, full_matrices=False)
    comps = vt[: args.pca]
    z = (e - mean) @ comps.T
    z /= np.linalg.norm(z, axis=1, keepdims=True)
    mu = kmeans(z, args.bases)
    f = np.random.default_rng(0).uniform(1, 5, args.bases)
    bundle = os.path.join(work, "fidelity.rali-model")
    os.makedirs(bundle, exist_ok=True)
    for name in ("config.json", "model.safetensors", "preprocessor_config.json"):
        src, dst = os.path.join(clip, name), os.path.join(bundle, name)
        if os.path.isfile(src) and not os.path.exists(dst):
            os.link(src, dst)  # a hard link: the 1.7 GB weights are not copied
    write_safetensors(os.path.join(bundle, "rali.safetensors"),
                      {"bases_f": f, "bases_mu": mu, "pca_components": comps, "pca_mean": mean,
                       "pca_scale": np.array(1.0), "tau": np.array(0.07)}, {"format": "rali-model/1"})
    files = {n: sha256(os.path.join(bundle, n)) for n in sorted(os.listdir(bundle)) if n != "manifest.json"}
    manifest = {"format": "rali-model/1", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "rali_version": "bench", "head": {"input_dim": int(e.shape[1]), "pca_dim": args.pca,
                                                   "bases": args.bases, "tau": 0.07},
                "files": files, "note": "bench/bf16_fidelity.py: random %s, head fitted to its fp32 embeddings of %d "
                                        "images (PCA %d, k-means bases %d, f ~ U[1,5], tau 0.07)"
                                        % (args.random, len(images), args.pca, args.bases)}
    with open(os.path.join(bundle, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=2)
    return bundle


def score(bundle, images, precision, work, batch):
    out = os.path.join(work, "scores-%s.csv" % precision)
    t0 = time.time()
    _, err = rali("score", "--model", bundle, "--precision", precision, "--device", "cpu", "--batch", str(batch),
                  "--out", out, "--force", *images)
    secs = time.time() - t0
    with open(out) as f:
        rows = {r["file"]: float(r["score"]) for r in csv.DictReader(f) if r["score"]}
    used = [l for l in err.splitlines() if "encoder" in l]
    return rows, secs, (used[-1].strip() if used else "")


def ranks(a):
    order = np.argsort(a, kind="stable")
    r = np.empty(len(a))
    r[order] = np.arange(len(a))
    for v in np.unique(a):  # average ranks of ties
        m = a == v
        r[m] = r[m].mean()
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--bundle", help="an existing .rali-model bundle")
    g.add_argument("--random", metavar="PRESET", help="random tower of this preset (e.g. vit-l-14-336) + fitted head")
    ap.add_argument("folder")
    ap.add_argument("--images", type=int, default=0, help="use this many files (evenly spaced; 0 = all)")
    ap.add_argument("--work", default=None, help="work folder (default /tmp/rali-bf16-fidelity-PRESET)")
    ap.add_argument("--pca", type=int, default=16)
    ap.add_argument("--bases", type=int, default=8)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--bundle-out", action="store_true", help="with --random: also write the tower + fitted head "
                    "as WORK/fidelity.rali-model and score with `rali score` (three encoder passes; the bundle then "
                    "serves perf_report.sh's scoring rows)")
    args = ap.parse_args()
    files = sorted(os.path.join(args.folder, n) for n in os.listdir(args.folder) if n.lower().endswith(EXTS))
    if not files:
        sys.exit("%s: no images" % args.folder)
    if args.images and args.images < len(files):
        files = [files[int(i * len(files) / args.images)] for i in range(args.images)]
    work = args.work or "/tmp/rali-bf16-fidelity-%s" % (args.random or "bundle")
    os.makedirs(work, exist_ok=True)
    if args.random and args.pca >= len(files):
        sys.exit("--pca %d needs more than %d images" % (args.pca, len(files)))
    if args.random and not args.bundle_out:
        bundle = "random %s, head in numpy" % args.random
        s32, t32, used32, s16, t16, used16 = random_tower_fidelity(args, files, work)
    else:
        bundle = args.bundle or make_random_bundle(args, files, work)
        s32, t32, used32 = score(bundle, files, "fp32", work, args.batch)
        s16, t16, used16 = score(bundle, files, "bf16", work, args.batch)
    common = sorted(set(s32) & set(s16))
    a = np.array([s32[k] for k in common])
    b = np.array([s16[k] for k in common])
    d = np.abs(a - b)
    srcc = float(np.corrcoef(ranks(a), ranks(b))[0, 1])
    res = {"bundle": bundle, "images": len(common), "max_abs_diff": float(d.max()), "p99_abs_diff":
           float(np.quantile(d, 0.99)), "mean_abs_diff": float(d.mean()), "srcc": srcc, "score_std_fp32":
           float(a.std()), "fp32_s": round(t32, 1), "bf16_s": round(t16, 1), "fp32_run": used32, "bf16_run": used16,
           "load": open("/proc/loadavg").read().split()[0],
           "passed": bool(d.max() <= 0.02 and srcc >= 0.999)}
    print(json.dumps(res))
    return 0 if res["passed"] else 2


if __name__ == "__main__":
    sys.exit(main())
