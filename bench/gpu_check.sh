#!/usr/bin/env bash
# The CUDA check of docs/PERFORMANCE.md ("CUDA") in one command, on a machine with an NVIDIA GPU, a CUDA build of
# PyTorch (its python) and a JDK 17, after `./mvnw -B -DskipTests -pl engine package`:
#
#   bench/gpu_check.sh [PYTHON]          (about 3 minutes on an H200; the log goes to stdout)
#
# 1. builds DJL's JNI against that PyTorch (tools/build_djl_jni.sh; skipped when RALI_TORCH_LIB is already set);
# 2. runs the README's main job on the GPU (`rali demo --device gpu`), scores the demo bundle's photos on GPU and CPU,
#    fp32 and bf16, and compares them; embeds the sample photos with a random ViT-B/16 on both and compares;
# 3. times ViT-L/14-336 inference and the alignment step, ours (`rali bench`) then PyTorch eager on the same GPU
#    (bench/torch_clip_bench.py, bench/torch_train_bench.py with --device cuda).
# On a machine without Java (as the lent H200 was): make a runtime here with `jlink --add-modules java.base,
# java.desktop,java.sql,java.logging,jdk.unsupported,java.management,java.naming,jdk.zipfs --strip-debug
# --no-man-pages --compress=2 --output jre` (keep the header files: build_djl_jni.sh needs include/jni.h), copy the
# system's libjpeg.so.62 and liblcms2.so.2 into jre/lib (the JDK's image decoders load them), carry it with
# engine/target (its lib/ without the 107 MB pytorch-native-cpu jar and the macOS/Windows natives: ~45 MB in all),
# and set JAVA_HOME=jre there.
# SECTIONS picks parts (default "demo embed speed": the demo and its scores, the ViT-B/16 embeddings, the timings);
# PROFILE_DIR=DIR adds --profile to every timed run (ours: one forward /
# step through libtorch's profiler, with CUDA times from the JNI built here; PyTorch: torch.profiler) and prints
# bench/profile_table.py's per-op tables of both.
# A dry run of the script's logic on a machine without a GPU: GPU=cpu TORCH_DEVICE=cpu RALI_TORCH_LIB=... (or
# SKIP_JNI=1) CLIP_CONFIG=vit-b-32 CLIP_BATCHES=2 TRAIN_CASES=demo:8:5 bench/gpu_check.sh.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${1:-python3}"; GPU="${GPU:-gpu}"; TD="${TORCH_DEVICE:-cuda}"
CLIP_CONFIG="${CLIP_CONFIG:-vit-l-14-336}"; CLIP_BATCHES="${CLIP_BATCHES:-8 32}"
TRAIN_CASES="${TRAIN_CASES:-vit-b-16:32:10 demo:8:100}"   # config:batch:steps
SECTIONS=" ${SECTIONS:-demo embed speed} "; PD="${PROFILE_DIR:-}"; [ -n "$PD" ] && mkdir -p "$PD"
prof() { [ -n "$PD" ] && echo "--profile $PD/$1.json"; }   # the --profile option of one run, or nothing
table() { [ -n "$PD" ] && for t in "$@"; do "$PY" "$ROOT/bench/profile_table.py" --top 15 "$PD/$t.json"; done; }
W="$(mktemp -d)"; PH="$ROOT/sample-projects/photos"
T0=$(date +%s)
el() { echo; echo "=== [+$(( $(date +%s) - T0 ))s] $*"; }
export RALI_SKIP_BUILD=1
rali() { "$ROOT/rali" "$@"; }

el "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "(no nvidia-smi)"
nproc; "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())'
if [ -z "${RALI_TORCH_LIB:-}" ] && [ "${SKIP_JNI:-0}" != 1 ]; then
  el "DJL's JNI against this PyTorch"
  out="$("$ROOT/tools/build_djl_jni.sh" "$PY")" || { echo "$out"; exit 1; }
  echo "$out"; RALI_TORCH_LIB="$(echo "$out" | sed -n 's/^now:  export RALI_TORCH_LIB=//p')"; export RALI_TORCH_LIB
fi

if [[ "$SECTIONS" == *" demo "* ]]; then
el "end to end: rali demo --device $GPU (the CPU's table is in the README)"
( time timeout 600 "$ROOT/rali" demo --device "$GPU" --out "$W/demo" ) 2>&1 | grep -E -A9 "## Ablations|demo finished|^real"

el "scores: the demo bundle on the sample photos, $GPU vs cpu, fp32 and bf16"
for d in "$GPU" cpu; do for p in fp32 bf16; do
  rali score --model "$W/demo/demo.rali-model" --device "$d" --precision "$p" --out "$W/score_${d}_$p.csv" "$PH" \
    >/dev/null 2>"$W/err" || tail -3 "$W/err"
done; done
"$PY" - "$W" "$GPU" <<'EOF'
import csv, sys
w, g = sys.argv[1], sys.argv[2]
load = lambda n: {r["file"]: float(r["score"]) for r in csv.DictReader(open(f"{w}/score_{n}.csv")) if r["status"] == "ok"}
ref = load("cpu_fp32")
for n in (f"{g}_fp32", f"{g}_bf16", "cpu_bf16"):
    x = load(n)
    print(n, "vs cpu_fp32: n", len(x), "max |d|", max(abs(ref[k] - x[k]) for k in x))
EOF

fi

if [[ "$SECTIONS" == *" embed "* ]]; then
el "embeddings: a random ViT-B/16 on the sample photos, $GPU vs cpu"
rali model random --config vit-b-16 --out "$W/vitb" >/dev/null
for s in cpu:fp32 "$GPU:fp32" "$GPU:bf16"; do d=${s%:*}; p=${s#*:}
  rali embed --model "$W/vitb" --device "$d" --precision "$p" --out "$W/emb_${d}_$p.safetensors" "$PH" \
    >/dev/null 2>"$W/err" || tail -3 "$W/err"
done
"$PY" - "$W" "$GPU" <<'EOF'
import json, struct, sys
import numpy as np
def load(path):  # safetensors without the package: 8-byte header length, JSON header, raw little-endian data
    b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n])["embeddings"]
    s, e = h["data_offsets"]; return np.frombuffer(b[8 + n + s:8 + n + e], dtype="<f4").reshape(h["shape"]).astype(float)
w, g = sys.argv[1], sys.argv[2]
c = load(f"{w}/emb_cpu_fp32.safetensors")
for p in ("fp32", "bf16"):
    x = load(f"{w}/emb_{g}_{p}.safetensors")
    cos = (c * x).sum(1) / np.linalg.norm(c, axis=1) / np.linalg.norm(x, axis=1)
    print(f"{g}_{p} vs cpu_fp32: max |d| {np.abs(c - x).max():.3g}, min cosine {cos.min():.12f}")
EOF

fi

if [[ "$SECTIONS" == *" speed "* ]]; then
el "speed: $CLIP_CONFIG inference, ours then PyTorch eager"
for b in $CLIP_BATCHES; do for p in fp32 bf16; do f=""; [ "$p" = bf16 ] && f=--bf16
  rali bench clip --config "$CLIP_CONFIG" --device "$GPU" --batch "$b" --iters 5 --warmup 2 --precision "$p" --json \
    $(prof "ours_clip_${p}_b$b") | tr -d '\n '; echo
  "$PY" "$ROOT/bench/torch_clip_bench.py" --config "$CLIP_CONFIG" --device "$TD" --batch "$b" --iters 5 --warmup 2 $f \
    $(prof "torch_clip_${p}_b$b") 2>"$W/torch_err" | tr -d '\n '; echo
  table "ours_clip_${p}_b$b" "torch_clip_${p}_b$b"
done; done

el "speed: the alignment step, ours then PyTorch eager"
for c in $TRAIN_CASES; do IFS=: read -r cf b st <<< "$c"; for p in fp32 bf16; do f=""; [ "$p" = bf16 ] && f=--bf16
  rali bench train --config "$cf" --device "$GPU" --batch "$b" --steps "$st" --warmup 3 --precision "$p" --json \
    $(prof "ours_train_${cf}_${p}_b$b") | tr -d '\n '; echo
  "$PY" "$ROOT/bench/torch_train_bench.py" --config "$cf" --device "$TD" --batch "$b" --steps "$st" --warmup 3 $f \
    $(prof "torch_train_${cf}_${p}_b$b") 2>"$W/torch_err" | tr -d '\n '; echo
  table "ours_train_${cf}_${p}_b$b" "torch_train_${cf}_${p}_b$b"
done; done
fi
el "done (work folder $W)"
