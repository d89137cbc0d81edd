#!/usr/bin/env bash
# Issue 14 item 4 in one command: the alignment training step, ours (`rali bench train`) vs PyTorch eager
# (bench/torch_train_bench.py), interleaved A/B/A/B so both see the same machine load.
#   bench/train_report.sh            (after ./mvnw -B -o -q -DskipTests -pl engine package; PyTorch = /usr/bin/python3)
# Prints one JSON line per run, then a table with ours/PyTorch per pair of neighbouring runs and the load average.
# Environment: CONFIGS ("demo vit-b-16"), BATCHES ("8 32"), STEPS (3; demo 200), WARMUP (1; demo 20: a demo step is
# ~10-30 ms, so a few steps measure the allocator's warm-up, not the step), JIT_QUIET (3: ours then warms up until the
# JVM's JIT has been idle this many seconds; PyTorch then gets as many warm-up steps as ours ran), ROUNDS (2: A/B pairs per row),
# THREADS (2, both sides), BF16 (1: also both in bf16 mixed precision: ours --precision bf16, PyTorch under bf16 autocast),
# PRECISIONS (overrides BF16: e.g. "bf16" for the bf16 rows only).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIGS="${CONFIGS:-demo vit-b-16}"; BATCHES="${BATCHES:-8 32}"; USER_STEPS="${STEPS:-}"; USER_WARMUP="${WARMUP:-}"
ROUNDS="${ROUNDS:-2}"; THREADS="${THREADS:-2}"; BF16="${BF16:-1}"; JIT_QUIET="${JIT_QUIET:-3}"
OUT="$(mktemp -d)/train.jsonl"
export RALI_SKIP_BUILD=1
one() { # label, command...
  local label="$1"; shift
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  local json; json="$("$@" 2>/dev/null | tr -d '\n')" || true
  [ -n "$json" ] || json='{"error":"run failed or refused"}'
  echo "{\"run\":\"$label\",\"load\":$load,\"result\":$json}" | tee -a "$OUT"
}
PRECS="fp32"; [ "$BF16" = 1 ] && PRECS="fp32 bf16"; PRECS="${PRECISIONS:-$PRECS}"
for c in $CONFIGS; do
  if [ "$c" = demo ]; then STEPS="${USER_STEPS:-200}"; WARMUP="${USER_WARMUP:-20}"
  else STEPS="${USER_STEPS:-3}"; WARMUP="${USER_WARMUP:-1}"; fi
  for b in $BATCHES; do
    for p in $PRECS; do
      flag=""; [ "$p" = bf16 ] && flag="--bf16"
      for r in $(seq "$ROUNDS"); do
        one "ours $c $p batch $b" "$ROOT/rali" --threads "$THREADS" bench train --config "$c" --batch "$b" --steps "$STEPS" \
            --warmup "$WARMUP" --jit-quiet "$JIT_QUIET" --precision "$p" --device cpu --json
        # the same number of warm-up steps as ours ran (PyTorch has no JIT to wait for; this keeps the two alike)
        ran="$(tail -n 1 "$OUT" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"].get("warmup", ""))' \
               2>/dev/null || true)"
        one "pytorch $c $p batch $b" /usr/bin/python3 "$ROOT/bench/torch_train_bench.py" --config "$c" --batch "$b" \
            --steps "$STEPS" --warmup "${ran:-$WARMUP}" --threads "$THREADS" $flag
      done
    done
  done
done
/usr/bin/python3 - "$OUT" "$ROOT/bench" <<'PY'
import json, statistics, sys
sys.path.insert(0, sys.argv[2])
import blas_check
rows = [json.loads(l) for l in open(sys.argv[1])]
fmt = lambda v, f: (f % v) if isinstance(v, (int, float)) else "-"
print("\n| run | load | warm-up steps | ms/step | images/s | fwd / bwd / opt | peak MB | ours/PyTorch (speed) |")
print("|---|---|---|---|---|---|---|---|")
last, ratios = {}, {}
for r in rows:
    x = r["result"]; name = r["run"]; key = name.split(" ", 1)[1]; ips = x.get("images_per_s")
    ratio = ""
    if name.startswith("pytorch") and last.get(key) and ips:
        ratio = "%.2fx" % (last[key] / ips)
        ratios.setdefault(key, []).append(last[key] / ips)
    if name.startswith("ours"):
        last[key] = ips
    s = x.get("shares") or {}
    split = "/".join(fmt(100 * s[k], "%.0f") for k in ("forward", "backward", "optimizer")) if s else "-"
    # ours: how many warm-up steps the JIT wait took, and any compiling left inside the timed steps
    warm = fmt(x.get("warmup"), "%d")
    if "jit_settled" in x:
        warm += "" if x["jit_settled"] else " (JIT still busy)"
        warm += " (JIT %d ms in timed)" % x["jit_ms_timed"] if x.get("jit_ms_timed", 0) > 0 else ""
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (name, r["load"], warm, fmt(x.get("ms_per_step"), "%.0f"),
          fmt(ips, "%.3f"), split, fmt(x.get("peak_rss_mb"), "%.0f"), ratio))
# one figure per row: this machine's step time moves +-30 % between runs, so a single pair decides little
print("\n| step | pairs | median ours/PyTorch | range |")
print("|---|---|---|---|")
for key, v in ratios.items():
    print("| %s | %d | %.2fx | %.2f-%.2f |" % (key, len(v), statistics.median(v), min(v), max(v)))
print(blas_check.report(rows))
PY
