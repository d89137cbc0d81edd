#!/usr/bin/env python3
"""Benchmark of `rali analyze domain-gap` against scikit-learn on the same synthetic embeddings.

Data: 512-d embeddings of 4 "datasets" (Gaussian clusters with a shared quality direction), seeded. Measures, in the
same run on the same machine (so ratios are comparable even under load):
  * t-SNE of 2,000 x 512: ours (Barnes-Hut, through rali) vs sklearn.manifold.TSNE (exact? no: Barnes-Hut, sklearn's
    default), wall time and trustworthiness@5 (sklearn's function on both maps);
  * UMAP of 10,000 x 512: ours (umap-learn is not in Debian, so no Python side; sklearn checks our map's
    trustworthiness);
  * the domain-gap numbers on 10,000 points: ours (classifier + MMD² + kNN SRCC, from rali's "seconds") next to
    sklearn's 5-fold LogisticRegression alone.
Run with Debian's python3 after building (./mvnw -B -DskipTests package):
    /usr/bin/python3 bench/analysis_bench.py [--out DIR] [--rali 'java -cp ... dev.rali.engine.cli.RaliCli']
"""
import argparse, json, os, struct, subprocess, sys, time
import numpy as np
from sklearn.manifold import TSNE, trustworthiness
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, StratifiedKFold
from blas_check import warn_if_reference  # the script's own folder is on sys.path

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def data(n, d=512, groups=4, seed=0):
    rng = np.random.default_rng(seed)
    g = np.arange(n) % groups
    centres = rng.normal(size=(groups, d)) * 0.6
    quality = rng.normal(size=d)
    quality /= np.linalg.norm(quality)
    s = rng.uniform(1, 5, size=n)
    x = centres[g] + rng.normal(size=(n, d)) + np.outer(s - 3, quality) * 2
    return x.astype(np.float32), g, s


def write(folder, x, g, s):
    os.makedirs(folder, exist_ok=True)
    header = json.dumps({"embeddings": {"dtype": "F32", "shape": list(x.shape),
                                        "data_offsets": [0, x.nbytes]}}).encode()
    with open(os.path.join(folder, "E.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header + x.tobytes())
    with open(os.path.join(folder, "G.csv"), "w") as f:
        f.write("group,score\n")
        for gi, si in zip(g, s):
            f.write(f"set{gi},{si:.6f}\n")


RALI = [os.path.join(ROOT, "rali")]


def rali(folder, *args):
    cmd = [*RALI, "analyze", "domain-gap", "--embeddings", os.path.join(folder, "E.safetensors"),
           "--groups", os.path.join(folder, "G.csv"), "--json", "--out", os.path.join(folder, "out"), *args]
    t = time.time()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "RALI_SKIP_BUILD": "1"})
    return time.time() - t, json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "analysis_results"))
    ap.add_argument("--rali", help="command that runs the CLI (default: ./rali), e.g. 'java -cp C:L/* dev.rali.engine.cli.RaliCli'")
    ap.add_argument("--skip-tsne", action="store_true", help="only UMAP 10,000 and the numbers")
    a = ap.parse_args()
    if a.rali:
        RALI[:] = a.rali.split()
    # ours and sklearn alternate step by step, each step stamped with the load average, so both see the same load
    res = {"cpus": os.cpu_count(), "steps": [],
           "blas": warn_if_reference("NumPy's and scikit-learn's")["blas"]}

    def step(name, fn):
        before = os.getloadavg()[0]
        t = time.time()
        out = fn()
        res["steps"].append({"step": name, "seconds": round(time.time() - t, 2), "load1_before": before,
                             "load1_after": os.getloadavg()[0]})
        print(json.dumps(res["steps"][-1]), file=sys.stderr, flush=True)
        return out

    if not a.skip_tsne:
        x, g, s = data(2000)
        f = os.path.join(a.out, "tsne2000")
        write(f, x, g, s)
        wall, j = step("ours t-SNE 2000 (+ numbers)", lambda: rali(f, "--method", "tsne", "--perplexity", "30",
                                                                    "--cap", "2000"))
        ours = np.loadtxt(os.path.join(f, "out", "coordinates.csv"), delimiter=",", skiprows=1, usecols=(3, 4))
        res["tsne_2000x512"] = {
            "ours_map_seconds": j["seconds"]["map"], "ours_process_seconds": wall,
            "ours_trustworthiness": j["map"]["trustworthiness"],
            "ours_trustworthiness_by_sklearn": float(trustworthiness(x, ours, n_neighbors=5))}
        t = time.time()
        y = step("sklearn t-SNE 2000", lambda: TSNE(n_components=2, perplexity=30, init="random",
                                                   learning_rate=200.0, random_state=42).fit_transform(x))
        res["tsne_2000x512"]["sklearn_seconds"] = time.time() - t
        res["tsne_2000x512"]["sklearn_trustworthiness"] = float(trustworthiness(x, y, n_neighbors=5))

    x, g, s = data(10000, seed=1)
    f = os.path.join(a.out, "umap10000")
    write(f, x, g, s)
    wall, j = step("ours UMAP 10000 + numbers 10000", lambda: rali(f, "--method", "umap", "--neighbors", "15",
                                                                    "--cap", "10000"))
    ours = np.loadtxt(os.path.join(f, "out", "coordinates.csv"), delimiter=",", skiprows=1, usecols=(3, 4))
    res["umap_10000x512"] = {"ours_map_seconds": j["seconds"]["map"], "ours_trustworthiness": j["map"]["trustworthiness"],
                             "ours_process_seconds": wall}
    res["umap_10000x512"]["ours_trustworthiness_by_sklearn"] = step(
        "sklearn trustworthiness of our UMAP map", lambda: float(trustworthiness(x, ours, n_neighbors=5)))
    res["numbers_10000x512"] = {"ours_seconds": j["seconds"]["numbers"],
                                "ours_classifier_seconds": j["seconds"].get("classifier"),
                                "ours_mmd_seconds": j["seconds"].get("mmd"),
                                "ours_knn_seconds": j["seconds"].get("knn"),
                                "ours_classifier_accuracy": j["domain_classifier"]["accuracy"],
                                "chance": j["domain_classifier"]["chance"]}
    t = time.time()
    acc = step("sklearn 5-fold logistic regression 10000", lambda: cross_val_score(
        LogisticRegression(C=10.0, max_iter=500), (x - x.mean(0)) / x.std(0), g,
        cv=StratifiedKFold(5, shuffle=True, random_state=42)).mean())
    res["numbers_10000x512"]["sklearn_logreg_cv_seconds"] = time.time() - t
    res["numbers_10000x512"]["sklearn_logreg_cv_accuracy"] = float(acc)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
