#!/usr/bin/env bash
# Builds a self-contained RALI Workbench app image for the current OS with jpackage: a jlink'ed Java runtime, the
# app and engine jars and every runtime dependency (JavaFX, DJL with the pinned CPU PyTorch native jar, ...), so
# the result runs offline with no JDK installed. Two launchers: RALI-Workbench (desktop app) and rali (CLI).
#
#   packaging/build-app-image.sh [OUT_DIR]        (default OUT_DIR: out/package)
#   RALI_SKIP_BUILD=1 packaging/build-app-image.sh  reuse app/target from an earlier `./mvnw package`
#
# Needs a JDK 17+ with jmods (for jlink) and jpackage. See packaging/README.md for Windows and macOS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/out/package}"
VERSION=0.1.0   # jpackage wants N[.N[.N]]; keep in step with the Maven version without -SNAPSHOT
JDK_BIN="${JAVA_HOME:+$JAVA_HOME/bin/}"

case "$(uname -s)" in
  Linux*)  SKIP='-(windows|macosx)-' ; ICON="$ROOT/assets/rali-icon.png" ;;
  Darwin*) SKIP='-(windows|linux)-'  ; ICON="" ;;   # jpackage wants .icns on macOS; see README
  *)       SKIP='-(macosx|linux)-'   ; ICON="" ;;   # and .ico on Windows
esac

if [ "${RALI_SKIP_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && ./mvnw -q -B -DskipTests -pl engine,app package)
fi
APP_JAR="$(ls "$ROOT"/app/target/rali-app-*.jar | head -1)"
[ -f "$APP_JAR" ] || { echo "build-app-image: $ROOT/app/target has no rali-app jar; run ./mvnw package" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/input"
cp "$APP_JAR" "$OUT/input/"
# Runtime dependencies, minus native jars for other operating systems (they are large and never loaded here).
for jar in "$ROOT"/app/target/lib/*.jar; do
  if ! basename "$jar" | grep -Eq -- "$SKIP"; then cp "$jar" "$OUT/input/"; fi
done

# A trimmed runtime: everything on the class path is in the unnamed module, so list the JDK modules it uses.
MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.prefs,java.scripting,\
java.sql,java.xml,java.instrument,jdk.unsupported,jdk.zipfs,jdk.crypto.ec,jdk.management,jdk.localedata
"${JDK_BIN}jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$OUT/runtime"

cat > "$OUT/rali.properties" <<PROPS
main-class=dev.rali.engine.cli.RaliCli
java-options=-Doffline=true -Dai.djl.offline=true -Xmx8g
win-console=true
PROPS

ICON_ARGS=()
[ -n "$ICON" ] && ICON_ARGS=(--icon "$ICON")
"${JDK_BIN}jpackage" --type app-image --name RALI-Workbench --app-version "$VERSION" \
  --vendor "RALI Workbench" --description "Image-quality assessment workbench (RALI)" \
  --input "$OUT/input" --main-jar "$(basename "$APP_JAR")" --main-class dev.rali.app.Launcher \
  --runtime-image "$OUT/runtime" \
  --java-options "-Doffline=true -Dai.djl.offline=true -Xmx8g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn" \
  --add-launcher rali="$OUT/rali.properties" \
  "${ICON_ARGS[@]}" --dest "$OUT"
rm -rf "$OUT/input" "$OUT/runtime" "$OUT/rali.properties"
echo "app image: $OUT/RALI-Workbench  (run bin/RALI-Workbench, or bin/rali for the CLI)"
