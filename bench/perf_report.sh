#!/usr/bin/env bash
# Issue 14's benchmark in one command: ours vs PyTorch eager, interleaved (A/B/A/B) so both see the same load.
#   bench/perf_report.sh [BUNDLE] [FOLDER]      (after ./mvnw -B -o -q -DskipTests package; PyTorch = /usr/bin/python3)
# Prints one JSON object per run (ours: rali bench clip/score; PyTorch: bench/torch_*_bench.py), then a table.
# CONFIG (default vit-l-14-336), ITERS (2), BATCHES ("1 4 8") and THREADS (2, both sides) can be set in the environment.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${CONFIG:-vit-l-14-336}"; ITERS="${ITERS:-2}"; BATCHES="${BATCHES-1 4 8}"; THREADS="${THREADS:-2}"
BUNDLE="${1:-}"; FOLDER="${2:-}"
# absolute: the PyTorch reference runs from bench/
[ -z "$BUNDLE" ] || BUNDLE="$(cd "$BUNDLE" && pwd)"; [ -z "$FOLDER" ] || FOLDER="$(cd "$FOLDER" && pwd)"
OUT="$(mktemp -d)/runs.jsonl"
export RALI_SKIP_BUILD=1
one() { # label, command...
  local label="$1"; shift
  local json; json="$("$@" 2>/dev/null | tr -d '\n')" || json=""
  [ -n "$json" ] || json='{"error":"run failed"}'
  echo "{\"run\":\"$label\",\"load\":$(cut -d' ' -f1 /proc/loadavg),\"result\":$json}" | tee -a "$OUT"
}
for b in $BATCHES; do
  for p in fp32 bf16; do
    flag=""; [ "$p" = bf16 ] && flag="--bf16"
    one "ours $p batch $b" "$ROOT/rali" --threads "$THREADS" bench clip --config "$CONFIG" --batch "$b" --iters "$ITERS" --precision "$p" --json
    one "pytorch $p batch $b" /usr/bin/python3 "$ROOT/bench/torch_clip_bench.py" --config "$CONFIG" --batch "$b" \
        --iters "$ITERS" --threads "$THREADS" $flag
  done
done
if [ -n "$BUNDLE" ] && [ -n "$FOLDER" ]; then
  for p in fp32 bf16; do
    flag=""; [ "$p" = bf16 ] && flag="--bf16"
    one "ours score $p" "$ROOT/rali" --threads "$THREADS" bench score --model "$BUNDLE" --precision "$p" --repeat 3 --json "$FOLDER"
    (cd "$ROOT/bench" && one "pytorch score $p" /usr/bin/python3 torch_score_bench.py --model "$BUNDLE" \
        --threads "$THREADS" $flag "$FOLDER")
  done
fi
/usr/bin/python3 - "$OUT" "$ROOT/bench" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2])
import blas_check
rows = [json.loads(l) for l in open(sys.argv[1])]
print("\n| run | load | images/s | ms/batch | roofline | peak MB | not overlapped | ours/PyTorch | bf16/fp32 |")
print("|---|---|---|---|---|---|---|---|---|")
last, fp32 = {}, {}
for r in rows:
    x = r["result"]; ips = x.get("images_per_s")
    name = r["run"]; who, key = name.split(" ", 1)
    ratio = speedup = ""
    if who == "pytorch" and key in last and ips:
        ratio = "%.2fx" % (last[key] / ips)
    if who == "ours":
        last[key] = ips or 0
    if "fp32" in key.split():
        fp32[(who, key.replace("fp32", "bf16"))] = ips or 0
    elif (who, key) in fp32 and fp32[(who, key)] and ips:
        speedup = "%.2fx" % (ips / fp32[(who, key)])  # the same engine's fp32 at the same batch
    fmt = lambda v, f: (f % v) if isinstance(v, (int, float)) else "-"
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (name, r["load"], fmt(ips, "%.3f"),
          fmt(x.get("ms_per_batch"), "%.0f"), fmt(x.get("roofline_share"), "%.2f"),
          fmt(x.get("peak_mem_mb", x.get("peak_rss_mb")), "%.0f"), fmt(x.get("not_overlapped_share"), "%.2f"),
          ratio, speedup))
print(blas_check.report(rows))
PY
