#!/usr/bin/env bash
# Benchmark (not a test): the Spark score job on local[2] against `rali score`, same bundle, same images.
# Prints wall seconds (JVM start and model load included), images/s and the overhead ratio, plus the machine's load.
#   bench/spark_bench.sh [BUNDLE] [N_IMAGES] [WORK_DIR]
# Needs `./mvnw -B -DskipTests package` first (spark/target/rali-spark.jar + spark/target/lib) and Debian's
# python3-pil (/usr/bin/python3) to draw the images. Default bundle: the demo's (`./rali demo`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUNDLE="${1:-$ROOT/rali-demo/demo.rali-model}"
N="${2:-2000}"
WORK="${3:-/tmp/rali-spark-bench}"
mkdir -p "$WORK"
IMAGES="$WORK/images-$N"
if [ ! -d "$IMAGES" ]; then
  /usr/bin/python3 - "$IMAGES" "$N" <<'PY'
import os, random, sys
from PIL import Image
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
for k in range(n):
    d = os.path.join(out, "set%d" % (k % 10))
    os.makedirs(d, exist_ok=True)
    w, h = rnd.randint(48, 128), rnd.randint(48, 128)
    img = Image.effect_noise((w, h), rnd.uniform(10, 80)).convert("RGB")
    img = Image.blend(img, Image.new("RGB", (w, h), tuple(rnd.randrange(256) for _ in range(3))), 0.5)
    img.save(os.path.join(d, "img%05d.%s" % (k, "jpg" if k % 2 else "png")))
PY
fi
CP_FILE="$WORK/spark-classpath.txt"
if [ ! -s "$CP_FILE" ]; then
  (cd "$ROOT" && ./mvnw -B -o -q -pl engine,spark compile dependency:build-classpath -Dmdep.includeScope=provided \
      -Dmdep.outputFile="$CP_FILE" >&2)
fi
OPENS=$(sed -n 's:.*<spark.test.opens>\(.*\)</spark.test.opens>.*:\1:p' "$ROOT/spark/pom.xml")
load() { cut -d' ' -f1 /proc/loadavg; }

t0=$(date +%s.%N); l0=$(load)
RALI_JAVA_OPTS=-Xmx4g "$ROOT/rali" score --device cpu --model "$BUNDLE" --out "$WORK/rali-score.csv" "$IMAGES" 2>"$WORK/rali-score.log"
t1=$(date +%s.%N); l1=$(load)
rm -rf "$WORK/spark-out"
java -Xmx4g $OPENS -Dspark.master='local[2]' -Dspark.ui.enabled=false -Dspark.driver.host=127.0.0.1 \
  -Dspark.driver.bindAddress=127.0.0.1 -Dai.djl.offline=true -Doffline=true \
  -cp "$ROOT/spark/target/rali-spark.jar:$ROOT/spark/target/lib/*:$(cat "$CP_FILE")" dev.rali.spark.RaliSpark \
  score --device cpu --model "$BUNDLE" --input "$IMAGES" --output "$WORK/spark-out" 2>"$WORK/spark-score.log"
t2=$(date +%s.%N); l2=$(load)
tail -1 "$WORK/rali-score.log" >&2
grep "^rali-spark" "$WORK/spark-score.log" >&2 || tail -1 "$WORK/spark-score.log" >&2
/usr/bin/python3 - "$N" "$t0" "$t1" "$t2" "$l0" "$l1" "$l2" <<'PY'
import json, sys
n = int(sys.argv[1]); t0, t1, t2 = map(float, sys.argv[2:5]); l = list(map(float, sys.argv[5:8]))
r, s = t1 - t0, t2 - t1
print(json.dumps({"images": n, "rali_score_s": round(r, 1), "spark_local2_s": round(s, 1),
                  "rali_images_per_s": round(n / r, 1), "spark_images_per_s": round(n / s, 1),
                  "overhead_ratio": round(s / r, 2), "load_avg_at_start_mid_end": l}))
PY
