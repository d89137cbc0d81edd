#!/usr/bin/env python3
"""Recipe experiments for the `rali demo` encoder (CPU, PyTorch).

Mimics what the Java pipeline does with the synthetic sample project (SampleProjectBuilder output):
  Stage B  contrastive alignment of a tiny HF-style CLIP: vision tower trained from its random init, text tower
           random and FROZEN (its embeddings of the <think> texts are the targets), symmetric InfoNCE with a fixed
           logit scale;
  Stage C  PCA -> bucketed k-means bases (mu, f);
  Stage D  softmax-cosine score head, mu/f/tau fitted with Adam (lr 3e-2, MSE).
and reports held-out (test-photo) PLCC/SRCC of the full pipeline vs the paper's ablations.

usage: python3 bench/demo_recipe.py PROJECT_DIR [--epochs N] [--lr X] [--crop 64] [--batch 64] ...
"""
import argparse, csv, gzip, html, json, math, os, re, sys, time
from functools import lru_cache

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

# ---------------------------------------------------------------- CLIP BPE (openai simple_tokenizer, ASCII regex)
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b); cs.append(256 + n); n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class Tok:
    PAT = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[a-zA-Z]+|[0-9]|[^\sa-zA-Z0-9]+", re.I)

    def __init__(self, path):
        merges = gzip.open(path).read().decode("utf-8").split("\n")[1:49152 - 256 - 2 + 1]
        merges = [tuple(m.split()) for m in merges]
        self.b2u = bytes_to_unicode()
        vocab = list(self.b2u.values())
        vocab = vocab + [v + "</w>" for v in vocab] + ["".join(m) for m in merges] + ["<|startoftext|>", "<|endoftext|>"]
        self.enc = {v: i for i, v in enumerate(vocab)}
        self.ranks = {m: i for i, m in enumerate(merges)}
        self.cache = {}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, 1e18))
            if best not in self.ranks:
                break
            a, b = best
            nw, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    nw.append(a + b); i += 2
                else:
                    nw.append(word[i]); i += 1
            word = tuple(nw)
        self.cache[token] = word
        return word

    def encode(self, text, ctx=77):
        text = re.sub(r"\s+", " ", html.unescape(text)).strip().lower()
        ids = []
        for t in self.PAT.findall(text):
            t = "".join(self.b2u[b] for b in t.encode("utf-8"))
            ids.extend(self.enc[w] for w in self.bpe(t))
        ids = [49406] + ids[: ctx - 2] + [49407]
        return ids + [0] * (ctx - len(ids))


# ---------------------------------------------------------------- HF-style CLIP (quick_gelu, pre-LN)
class Layer(nn.Module):
    def __init__(s, d, mlp, heads):
        super().__init__()
        s.h = heads
        s.layer_norm1, s.layer_norm2 = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        s.q_proj, s.k_proj, s.v_proj, s.out_proj = (nn.Linear(d, d) for _ in range(4))
        s.fc1, s.fc2 = nn.Linear(d, mlp), nn.Linear(mlp, d)

    def forward(s, x, causal=False):
        B, L, D = x.shape
        y = s.layer_norm1(x)
        hd = D // s.h
        q = s.q_proj(y).view(B, L, s.h, hd).transpose(1, 2) * hd ** -0.5
        k = s.k_proj(y).view(B, L, s.h, hd).transpose(1, 2)
        v = s.v_proj(y).view(B, L, s.h, hd).transpose(1, 2)
        a = q @ k.transpose(-1, -2)
        if causal:
            a = a + torch.full((L, L), float("-inf")).triu(1)
        y = (a.softmax(-1) @ v).transpose(1, 2).reshape(B, L, D)
        x = x + s.out_proj(y)
        y = s.fc1(s.layer_norm2(x))
        y = y * torch.sigmoid(1.702 * y)
        return x + s.fc2(y)


def hf_init(layers, d, n_layers, factor=1.0):
    """transformers CLIPPreTrainedModel._init_weights for attention/MLP/LN."""
    in_std = (d ** -0.5) * ((2 * n_layers) ** -0.5) * factor
    out_std = (d ** -0.5) * factor
    fc_std = (2 * d) ** -0.5 * factor
    for l in layers:
        for m in (l.q_proj, l.k_proj, l.v_proj):
            nn.init.normal_(m.weight, std=in_std); nn.init.zeros_(m.bias)
        nn.init.normal_(l.out_proj.weight, std=out_std); nn.init.zeros_(l.out_proj.bias)
        nn.init.normal_(l.fc1.weight, std=fc_std); nn.init.zeros_(l.fc1.bias)
        nn.init.normal_(l.fc2.weight, std=in_std); nn.init.zeros_(l.fc2.bias)


class Vision(nn.Module):
    def __init__(s, size, patch, d, layers, heads, mlp, proj):
        super().__init__()
        s.patch_embedding = nn.Conv2d(3, d, patch, patch, bias=False)
        n = (size // patch) ** 2 + 1
        s.class_embedding = nn.Parameter(torch.randn(d) * d ** -0.5)
        s.position_embedding = nn.Parameter(torch.randn(n, d) * 0.02)
        nn.init.normal_(s.patch_embedding.weight, std=0.02)
        s.pre_layrnorm, s.post_layernorm = nn.LayerNorm(d, eps=1e-5), nn.LayerNorm(d, eps=1e-5)
        s.layers = nn.ModuleList(Layer(d, mlp, heads) for _ in range(layers))
        hf_init(s.layers, d, layers)
        s.visual_projection = nn.Linear(d, proj, bias=False)
        nn.init.normal_(s.visual_projection.weight, std=d ** -0.5)

    def forward(s, px):
        x = s.patch_embedding(px).flatten(2).transpose(1, 2)
        x = torch.cat([s.class_embedding.expand(x.shape[0], 1, -1), x], 1) + s.position_embedding
        x = s.pre_layrnorm(x)
        for l in s.layers:
            x = l(x)
        return s.visual_projection(s.post_layernorm(x[:, 0]))


class Text(nn.Module):
    def __init__(s, d, layers, heads, mlp, proj, vocab=49408, ctx=77):
        super().__init__()
        s.token_embedding = nn.Embedding(vocab, d)
        s.position_embedding = nn.Parameter(torch.randn(ctx, d) * 0.01)
        nn.init.normal_(s.token_embedding.weight, std=0.02)
        s.layers = nn.ModuleList(Layer(d, mlp, heads) for _ in range(layers))
        hf_init(s.layers, d, layers)
        s.final_layer_norm = nn.LayerNorm(d, eps=1e-5)
        s.text_projection = nn.Linear(d, proj, bias=False)
        nn.init.normal_(s.text_projection.weight, std=d ** -0.5)

    def forward(s, ids):
        x = s.token_embedding(ids) + s.position_embedding[: ids.shape[1]]
        for l in s.layers:
            x = l(x, causal=True)
        x = s.final_layer_norm(x)
        return s.text_projection(x[torch.arange(ids.shape[0]), ids.argmax(-1)])


# ---------------------------------------------------------------- data
MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(3, 1, 1)


def load_project(d):
    rows = list(csv.DictReader(open(os.path.join(d, "mos.csv"))))
    dist = {r["image"]: r for r in csv.DictReader(open(os.path.join(d, "distortions.csv")))}
    traces = {}
    for line in open(os.path.join(d, "traces.jsonl")):
        t = json.loads(line)
        think = re.search(r"<think>(.*?)</think>", t["text"], re.S).group(1).strip()
        traces.setdefault(t["image"], []).append(think)
    imgs = torch.stack([torch.from_numpy(np.asarray(Image.open(os.path.join(d, r["image"])).convert("RGB"))).permute(2, 0, 1)
                        for r in rows]).float() / 255.0
    return rows, dist, traces, imgs


def norm(x):
    return (x - MEAN) / STD


def centre(imgs, crop):
    H = imgs.shape[-1]
    o = (H - crop) // 2
    return norm(imgs[..., o:o + crop, o:o + crop])


def random_crops(imgs, crop, g, flip=True):
    B, _, H, W = imgs.shape
    out = torch.empty(B, 3, crop, crop)
    xs = torch.randint(0, W - crop + 1, (B,), generator=g)
    ys = torch.randint(0, H - crop + 1, (B,), generator=g)
    fl = torch.rand(B, generator=g) < 0.5
    for i in range(B):
        c = imgs[i, :, ys[i]:ys[i] + crop, xs[i]:xs[i] + crop]
        out[i] = c.flip(-1) if (flip and fl[i]) else c
    return norm(out)


# ---------------------------------------------------------------- head (Stages C, D)
def pca_fit(E, m):
    mu = E.mean(0)
    U, S, Vt = np.linalg.svd(E - mu, full_matrices=False)
    return mu, Vt[:m].T


def kmeans(X, k, rng, iters=50):
    n = len(X)
    k = min(k, n)
    c = [X[rng.integers(n)]]
    for _ in range(1, k):  # k-means++
        d2 = np.min(((X[:, None] - np.array(c)[None]) ** 2).sum(-1), 1)
        c.append(X[rng.choice(n, p=d2 / d2.sum())] if d2.sum() > 0 else X[rng.integers(n)])
    c = np.array(c)
    for _ in range(iters):
        a = ((X[:, None] - c[None]) ** 2).sum(-1).argmin(1)
        nc = np.array([X[a == j].mean(0) if (a == j).any() else c[j] for j in range(k)])
        if np.allclose(nc, c):
            break
        c = nc
    return c, a


def bases(Z, s, K, N, bucketed, rng):
    if not bucketed:
        c, a = kmeans(Z, K, rng)
        f = np.array([s[a == j].mean() if (a == j).any() else s.mean() for j in range(len(c))])
        return c, f
    b = np.clip(((s - 1) / 4 * N).astype(int), 0, N - 1)
    counts = np.bincount(b, minlength=N)
    ne = np.nonzero(counts)[0]
    k = {n: 1 for n in ne}
    rest = K - len(ne)
    if rest > 0:  # largest remainder, proportional to bucket size, k_n <= count
        share = counts[ne] / counts[ne].sum() * rest
        add = np.floor(share).astype(int)
        for j in np.argsort(-(share - add))[: rest - add.sum()]:
            add[j] += 1
        for n, a in zip(ne, add):
            k[n] = min(counts[n], 1 + a)
    mus, fs = [], []
    for n in ne:
        idx = np.nonzero(b == n)[0]
        c, a = kmeans(Z[idx], k[n], rng)
        for j in range(len(c)):
            if (a == j).any():
                mus.append(c[j]); fs.append(s[idx][a == j].mean())
    return np.array(mus), np.array(fs)


def head_scores(Z, mu, f, logit):
    z = F.normalize(Z, dim=-1)
    m = F.normalize(mu, dim=-1)
    w = (z @ m.T * logit.exp()).softmax(-1)
    return w @ f


def fit_head(Ztr, str_, mu, f, epochs, lr=3e-2, tau=0.07):
    mu = torch.tensor(mu, dtype=torch.float32, requires_grad=True)
    f = torch.tensor(f, dtype=torch.float32, requires_grad=True)
    logit = torch.tensor(math.log(1 / tau), requires_grad=True)
    Z = torch.tensor(Ztr, dtype=torch.float32)
    y = torch.tensor(str_, dtype=torch.float32)
    opt = torch.optim.Adam([mu, f, logit], lr=lr)
    for _ in range(epochs):
        opt.zero_grad()
        loss = F.mse_loss(head_scores(Z, mu, f, logit), y)
        loss.backward()
        opt.step()
    return mu.detach(), f.detach(), logit.detach()


def plcc(a, b):
    return float(np.corrcoef(a, b)[0, 1])


def srcc(a, b):
    ra = np.argsort(np.argsort(a)); rb = np.argsort(np.argsort(b))
    return plcc(ra, rb)


def evaluate(Etr, str_, Ete, ste, args, pca=True, bucketed=True, fit=True, seed=0):
    rng = np.random.default_rng(seed)
    if pca:
        mu0, U = pca_fit(Etr, min(args.pca, Etr.shape[1]))
        Ztr, Zte = (Etr - mu0) @ U, (Ete - mu0) @ U
    else:
        Ztr, Zte = Etr, Ete
    mu, f = bases(Ztr, str_, args.bases, args.buckets, bucketed, rng)
    if fit:
        mu, f, lg = fit_head(Ztr, str_, mu, f, args.head_epochs)
    else:
        mu, f, lg = torch.tensor(mu, dtype=torch.float32), torch.tensor(f, dtype=torch.float32), torch.tensor(math.log(1 / 0.07))
    p = head_scores(torch.tensor(Zte, dtype=torch.float32), mu, f, lg).numpy()
    return plcc(p, ste), srcc(p, ste)


def ridge(Etr, ytr, Ete, yte, alpha=1.0):
    """Diagnostic only (not RALI): linear readout, to tell encoder quality from head behaviour."""
    mu, sd = Etr.mean(0), Etr.std(0) + 1e-6
    A, B = (Etr - mu) / sd, (Ete - mu) / sd
    w = np.linalg.solve(A.T @ A + alpha * len(A) * np.eye(A.shape[1]) * 1e-2, A.T @ (ytr - ytr.mean()))
    p = B @ w + ytr.mean()
    return plcc(p, yte), srcc(p, yte)


# ---------------------------------------------------------------- alignment (Stage B)
def embed(vision, X, crop, bs=128):
    vision.eval()
    with torch.no_grad():
        return torch.cat([vision(centre(X[i:i + bs], crop)) for i in range(0, len(X), bs)]).numpy()


def align(vision, text_emb, Xtr, args, seed_aug=True, log=print):
    """text_emb: [n_train, seeds, proj] frozen targets. One random seed's text per image per epoch."""
    g = torch.Generator().manual_seed(args.seed)
    opt = torch.optim.AdamW(vision.parameters(), lr=args.lr, weight_decay=args.wd)
    n = len(Xtr)
    steps_per_epoch = math.ceil(n / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.1 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1, (s + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(1, s / total))))
    scale = math.exp(args.logit_scale)
    T = F.normalize(text_emb, dim=-1)
    t0 = time.time()
    step = 0
    for ep in range(args.epochs):
        vision.train()
        perm = torch.randperm(n, generator=g)
        tot = 0
        for i in range(0, n, args.batch):
            idx = perm[i:i + args.batch]
            seeds = torch.randint(0, T.shape[1], (len(idx),), generator=g) if seed_aug else torch.zeros(len(idx), dtype=torch.long)
            t = T[idx, seeds]
            px = random_crops(Xtr[idx], args.crop, g, flip=True) if args.crop_aug else centre(Xtr[idx], args.crop)
            v = F.normalize(vision(px), dim=-1)
            logits = scale * v @ t.T
            lab = torch.arange(len(idx))
            loss = (F.cross_entropy(logits, lab) + F.cross_entropy(logits.T, lab)) / 2
            opt.zero_grad(); loss.backward()
            nn.utils.clip_grad_norm_(vision.parameters(), 1.0)
            opt.step(); sched.step(); step += 1
            tot += loss.item() * len(idx)
        if ep % max(1, args.epochs // 8) == 0 or ep == args.epochs - 1:
            log(f"  epoch {ep + 1}/{args.epochs} loss {tot / n:.4f}  {time.time() - t0:.1f}s")
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("project")
    ap.add_argument("--tokenizer", default="/work/shared/data/tokenizer/bpe_simple_vocab_16e6.txt.gz")
    ap.add_argument("--size", type=int, default=64)      # model input (crop) size
    ap.add_argument("--crop", type=int, default=64)
    ap.add_argument("--patch", type=int, default=8)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--proj", type=int, default=64)
    ap.add_argument("--twidth", type=int, default=64)
    ap.add_argument("--tlayers", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--logit_scale", type=float, default=math.log(100))
    ap.add_argument("--no_crop_aug", dest="crop_aug", action="store_false")
    ap.add_argument("--no_seed_aug", dest="seed_aug", action="store_false", help="main run uses seed-0 texts only")
    ap.add_argument("--pca", type=int, default=32)
    ap.add_argument("--bases", type=int, default=40)
    ap.add_argument("--buckets", type=int, default=30)
    ap.add_argument("--head_epochs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ablations", default="all")  # all | none | list: noalign,noseed
    ap.add_argument("--train_splits", default="train")
    ap.add_argument("--json", default=None)
    ap.add_argument("--head_grid", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    rows, dist, traces, X = load_project(args.project)
    tok = Tok(args.tokenizer)
    s = np.array([float(r["score"]) for r in rows])
    tr = np.array([r["split"] in args.train_splits.split(",") for r in rows])
    te = np.array([r["split"] == "test" for r in rows])
    seeds = min(len(v) for v in traces.values())
    ids = torch.tensor([[tok.encode(t) for t in traces[r["image"]][:seeds]] for r in rows])  # [n, seeds, 77]
    text = Text(args.twidth, args.tlayers, max(1, args.twidth // 32), 4 * args.twidth, args.proj)
    text.eval()
    with torch.no_grad():
        TE = text(ids.view(-1, ids.shape[-1])).view(len(rows), seeds, -1)
    Tn = F.normalize(TE, dim=-1)
    sim = (Tn[:, 0] @ Tn[:, 0].T).numpy()
    print(f"text targets: {len(rows)} images x {seeds} seeds; mean pairwise cos {sim[np.triu_indices(len(rows), 1)].mean():.4f}"
          f" min {sim.min():.4f}")
    # upper bound: the head on the text embeddings themselves (train texts -> test texts)
    TEn = TE[:, 0].numpy()
    res = {}
    res["text_oracle"] = evaluate(TEn[tr], s[tr], TEn[te], s[te], args)
    print(f"oracle (head on seed-0 text embeddings): PLCC {res['text_oracle'][0]:.3f} SRCC {res['text_oracle'][1]:.3f}")

    def new_vision():
        torch.manual_seed(args.seed + 1)
        return Vision(args.size, args.patch, args.width, args.layers, args.heads, 4 * args.width, args.proj)

    Xtr, Xte = X[torch.from_numpy(tr)], X[torch.from_numpy(te)]
    v = new_vision()
    Er_tr, Er_te = embed(v, Xtr, args.crop), embed(v, Xte, args.crop)
    print("aligning (full, seed augmentation) ...")
    secs = align(v, TE[torch.from_numpy(tr)], Xtr, args, seed_aug=args.seed_aug)
    E_tr, E_te = embed(v, Xtr, args.crop), embed(v, Xte, args.crop)
    res["align_seconds"] = secs
    res["full"] = evaluate(E_tr, s[tr], E_te, s[te], args)
    for name, (a, b) in {"aligned": (E_tr, E_te), "random": (Er_tr, Er_te)}.items():
        res["ridge_" + name] = ridge(a, s[tr], b, s[te])
        print(f"diagnostic ridge readout on {name} embeddings: PLCC {res['ridge_' + name][0]:.3f} SRCC {res['ridge_' + name][1]:.3f}")
    print(f"full: PLCC {res['full'][0]:.3f} SRCC {res['full'][1]:.3f}   (alignment {secs:.0f}s)")
    if args.head_grid:
        import copy
        for pca_dim, nb, nk, ep in [(32, 40, 30, 300), (16, 20, 15, 300), (16, 20, 15, 100), (8, 20, 15, 300),
                                    (32, 40, 30, 100), (16, 40, 30, 300), (8, 10, 8, 300)]:
            a2 = copy.copy(args); a2.pca, a2.bases, a2.buckets, a2.head_epochs = pca_dim, nb, nk, ep
            f_ = evaluate(E_tr, s[tr], E_te, s[te], a2)
            r_ = evaluate(Er_tr, s[tr], Er_te, s[te], a2)
            print(f"head pca {pca_dim} bases {nb} buckets {nk} epochs {ep}: full {f_[0]:.3f}/{f_[1]:.3f}  random encoder {r_[0]:.3f}/{r_[1]:.3f}")
    if args.ablations != "none":
        res["no_alignment"] = evaluate(Er_tr, s[tr], Er_te, s[te], args)
        res["plain_kmeans"] = evaluate(E_tr, s[tr], E_te, s[te], args, bucketed=False)
        res["no_pca"] = evaluate(E_tr, s[tr], E_te, s[te], args, pca=False)
        res["no_score_definition"] = evaluate(E_tr, s[tr], E_te, s[te], args, fit=False)
        for k in ("no_alignment", "plain_kmeans", "no_pca", "no_score_definition"):
            print(f"{k}: PLCC {res[k][0]:.3f} SRCC {res[k][1]:.3f}")
        if args.ablations == "all":
            v2 = new_vision()
            print("aligning (no seed augmentation) ...")
            align(v2, TE[torch.from_numpy(tr)], Xtr, args, seed_aug=False)
            res["no_seed_augmentation"] = evaluate(embed(v2, Xtr, args.crop), s[tr], embed(v2, Xte, args.crop), s[te], args)
            print(f"no_seed_augmentation: PLCC {res['no_seed_augmentation'][0]:.3f} SRCC {res['no_seed_augmentation'][1]:.3f}")
    res["args"] = vars(args)
    if args.json:
        json.dump(res, open(args.json, "w"), indent=1)


if __name__ == "__main__":
    main()
