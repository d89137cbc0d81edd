#!/usr/bin/env bash
# Benchmark (not a test), issue 12: wall time of a sweep against the same points started cold.
#   bench/sweep_cold_bench.sh DEMO_DIR [WORK_DIR] [GRID]
# DEMO_DIR: the folder of a finished `./rali demo --out DEMO_DIR` (only read: its sample/ images, mos.csv and
# traces.jsonl, its demo-clip/ and the parameters of its "full" run in demo.rali).
# GRID (default below): every combination is one point; every other parameter is the demo's full recipe.
#
# "sweep": ONE fresh project, `rali sweep run --grid GRID`: aligns once, embeds once, fits one head per point.
# "cold":  one fresh project PER POINT, `rali run` with that point's settings: each aligns and embeds again.
# Fresh = a new project file and .rali.d folder (no aligned encoder, no embedding cache; the caches are per
# project, nothing is shared through the user's home). Project set-up (dataset + trace import) is not timed; JVM
# start is timed in both (one JVM for the sweep, one per cold run). Order: the first BEFORE cold points (env,
# default half of them), the sweep, the rest, so both see similar load; /proc/loadavg is stamped around every step.
# Prints a TSV per step and a summary; everything goes to WORK_DIR/bench.tsv and WORK_DIR/logs/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="$(cd "${1:?usage: bench/sweep_cold_bench.sh DEMO_DIR [WORK_DIR] [GRID]}" && pwd)"
WORK="${2:-/tmp/rali-sweep-cold-bench}"
GRID="${3:-compression.dim=8,16;bases.count=20,30;bases.buckets=10,15}"
RALI="$ROOT/rali"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command (to read the demo run's parameters)" >&2; exit 2; }
for f in "$DEMO/demo.rali" "$DEMO/sample/mos.csv" "$DEMO/sample/traces.jsonl" "$DEMO/demo-clip/config.json"; do
  [ -e "$f" ] || { echo "$f: missing (run ./rali demo --out $DEMO first)" >&2; exit 2; }
done
if [ -e "$WORK" ]; then echo "$WORK exists: give a new WORK_DIR (every project must start empty)" >&2; exit 2; fi
mkdir -p "$WORK/logs"
PARAMS="$WORK/demo-params.json"
sqlite3 "$DEMO/demo.rali" "select params_json from runs where stage = 'pipeline' and status = 'done' and
  json_extract(params_json, '$.run.ablation') = 'full' order by id limit 1" > "$PARAMS"
[ -s "$PARAMS" ] || { echo "$DEMO/demo.rali: no finished 'full' demo run to take the parameters from" >&2; exit 2; }

# Every combination of the grid as "--set k=v --set k=v ..." lines, first key slowest (as `rali sweep` orders them).
points() {
  local combos=("")
  IFS=';' read -ra dims <<< "$GRID"
  for d in "${dims[@]}"; do
    local key="${d%%=*}" next=()
    IFS=',' read -ra vals <<< "${d#*=}"
    for c in "${combos[@]}"; do for v in "${vals[@]}"; do next+=("$c --set $key=$v"); done; done
    combos=("${next[@]}")
  done
  printf '%s\n' "${combos[@]}"
}
mapfile -t POINTS < <(points)
N=${#POINTS[@]}

fresh_project() { # $1 = folder; imports the sample dataset and its traces as `rali demo` does
  mkdir -p "$1"
  "$RALI" dataset import --project "$1/p.rali" --layout csv --name sample "$DEMO/sample/mos.csv" > "$1/import.log" 2>&1
  "$RALI" traces import --project "$1/p.rali" --source sample-describer --dataset sample --quiet \
      "$DEMO/sample/traces.jsonl" >> "$1/import.log" 2>&1
}

printf 'step\tpoint\tseconds\tload_before\tload_after\n' | tee "$WORK/bench.tsv"
timed() { # $1 = step name, $2 = point label, rest = command; appends one TSV row
  local name="$1" label="$2"; shift 2
  local l0 t0 t1 l1
  l0="$(cut -d' ' -f1-3 /proc/loadavg)"; t0="$(date +%s.%N)"
  "$@" > "$WORK/logs/$name.log" 2>&1
  t1="$(date +%s.%N)"; l1="$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%s\t%s\t%.1f\t%s\t%s\n' "$name" "$label" "$(echo "$t1 - $t0" | bc)" "$l0" "$l1" | tee -a "$WORK/bench.tsv"
}

cold() { # $1 = point index
  local i="$1" dir="$WORK/cold-$1"
  fresh_project "$dir"
  # shellcheck disable=SC2086 # the point's --set options are meant to split
  timed "cold-$i" "${POINTS[$i]# }" "$RALI" run --project "$dir/p.rali" --params "$PARAMS" ${POINTS[$i]}
}

"$RALI" --version > /dev/null 2>&1 || true # builds once if needed, outside the timings
half="${BEFORE:-$(( N / 2 ))}"
for ((i = 0; i < half; i++)); do cold "$i"; done
fresh_project "$WORK/sweep"
timed sweep "$GRID ($N points)" "$RALI" sweep run --project "$WORK/sweep/p.rali" --params "$PARAMS" --grid "$GRID"
for ((i = half; i < N; i++)); do cold "$i"; done

awk -F'\t' -v n="$N" 'NR > 1 && $1 ~ /^cold/ { c += $3 } NR > 1 && $1 == "sweep" { s = $3 }
  END { printf "\ncold: %d runs, %.1f s in all; sweep: %.1f s; cold / sweep = %.2f\n", n, c, s, c / s }' \
  "$WORK/bench.tsv" | tee -a "$WORK/summary.txt"
grep -h "this run reused" "$WORK/logs/sweep.log" | tee -a "$WORK/summary.txt" || true
# The same parameters and seed give the same figures cold or in the sweep (up to libtorch's float rounding):
echo "test figures, cold then sweep:" | tee -a "$WORK/summary.txt"
for ((i = 0; i < N; i++)); do grep -h "evaluate sample" "$WORK/logs/cold-$i.log" | sed "s/^/cold-$i: /"; done | tee -a "$WORK/summary.txt"
grep -h "evaluate sample" "$WORK/logs/sweep.log" | tee -a "$WORK/summary.txt"
