#!/usr/bin/env bash
# Builds DJL 0.36's PyTorch JNI (libdjl_torch.so) against the libtorch of an installed PyTorch -- e.g. a CUDA wheel
# in a virtual environment -- so that `./rali` runs on that libtorch (and its GPUs) instead of the bundled CPU one:
#
#   tools/build_djl_jni.sh [PYTHON]          (default: python3; needs g++ and a JDK's include/ folder)
#   export RALI_TORCH_LIB=<the folder it prints>
#   ./rali bench clip --device gpu ...
#
# Why: DJL publishes CUDA builds of its JNI only for the CUDA versions of its own libtorch (2.7.1: cu128), downloaded
# at run time; a machine with a newer CUDA, or offline, has none. The JNI is ~20 C++ files (third_party/
# djl-pytorch-jni: DJL's own sources at tag v0.36.0, Apache-2.0) and builds in under a minute on 16 cores.
# Checked on an NVIDIA H200 with PyTorch 2.11.0+cu130 (docs/PERFORMANCE.md, "CUDA").
#
# It writes two things into that PyTorch (remove them to undo): torch/lib/0.36.0-libdjl_torch.so (DJL looks for its
# JNI there first) and torch/rali-cuda/ (the flavor DJL should load, and a libcudart.so link for DJL's GPU count;
# beside torch/lib, not in it, since DJL loads every library under torch/lib). Nothing else is touched.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${1:-python3}"
SRC="$ROOT/third_party/djl-pytorch-jni"
read -r TORCH_LIB ABI CUDA VERSION < <("$PY" - <<'EOF'
import os, torch
from torch.utils.cpp_extension import library_paths
print(library_paths()[0], int(torch._C._GLIBCXX_USE_CXX11_ABI), torch.version.cuda or "none", torch.__version__)
EOF
)
mapfile -t INCLUDES < <("$PY" -c 'from torch.utils.cpp_extension import include_paths; print("\n".join(include_paths()))')
JAVA_BIN="$(command -v java || true)"
JDK="${JAVA_HOME:-$( [ -n "$JAVA_BIN" ] && dirname "$(dirname "$(readlink -f "$JAVA_BIN")")" )}"
[ -f "$JDK/include/jni.h" ] || { echo "build_djl_jni: no jni.h under '$JDK/include' (set JAVA_HOME to a JDK)" >&2; exit 2; }
echo "PyTorch $VERSION (CUDA $CUDA, C++11 ABI $ABI) at $TORCH_LIB"

FLAGS=(-O2 -fPIC -std=c++17 -w "-D_GLIBCXX_USE_CXX11_ABI=$ABI" -I"$SRC/include" -I"$SRC/src" -I"$JDK/include"
       -I"$JDK/include/linux")
for i in "${INCLUDES[@]}"; do FLAGS+=(-I"$i"); done
LIBS=(-ltorch -ltorch_cpu -lc10)
if [ "$CUDA" != none ]; then
  FLAGS+=(-DUSE_CUDA)
  CUDA_HOME="${CUDA_HOME:-$(dirname "$(dirname "$(command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)")")}"
  [ -d "$CUDA_HOME/include" ] && FLAGS+=(-I"$CUDA_HOME/include")
  LIBS+=(-ltorch_cuda -lc10_cuda)
fi
case "$VERSION" in 1.13.*|2.0.*|2.1.*) FLAGS+=(-DV1_13_X);; esac   # DJL's own switch for older libtorch APIs
read -r -a EXTRA <<< "${DJL_JNI_CFLAGS:-}"; FLAGS+=("${EXTRA[@]}")   # e.g. -DRALI_NO_CUDA_US (third_party README)

BUILD="$(mktemp -d)"; trap 'rm -rf "$BUILD"' EXIT
pids=()
for f in "$SRC"/src/*.cc; do
  g++ "${FLAGS[@]}" -c "$f" -o "$BUILD/$(basename "$f" .cc).o" 2>"$BUILD/$(basename "$f" .cc).err" & pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
if [ "$failed" = 1 ]; then
  for e in "$BUILD"/*.err; do [ -s "$e" ] && { echo "== $(basename "$e" .err)"; grep -m10 error "$e"; }; done >&2
  echo "build_djl_jni: compiling DJL's JNI against PyTorch $VERSION failed (errors above)" >&2; exit 1
fi
g++ -shared -o "$BUILD/libdjl_torch.so" "$BUILD"/*.o -L"$TORCH_LIB" -Wl,--no-as-needed "${LIBS[@]}" -Wl,-rpath,'$ORIGIN'
# written next to libtorch under a temporary name first, so a half-copied library is never picked up
cp "$BUILD/libdjl_torch.so" "$TORCH_LIB/.0.36.0-libdjl_torch.so.tmp"
mv -f "$TORCH_LIB/.0.36.0-libdjl_torch.so.tmp" "$TORCH_LIB/0.36.0-libdjl_torch.so"

mkdir -p "$TORCH_LIB/../rali-cuda"
if [ "$CUDA" != none ]; then
  echo "cu${CUDA//./}" > "$TORCH_LIB/../rali-cuda/flavor"
  # DJL counts GPUs through libcudart.so (JNA, unversioned name); wheels ship only libcudart.so.NN
  CUDART="$(find "$TORCH_LIB/../.." "${CUDA_HOME:-/usr/local/cuda}/lib64" -name 'libcudart.so*' 2>/dev/null | sort | head -1)"
  [ -n "$CUDART" ] && ln -sf "$(readlink -f "$CUDART")" "$TORCH_LIB/../rali-cuda/libcudart.so"
else
  echo cpu > "$TORCH_LIB/../rali-cuda/flavor"
fi
echo "installed $TORCH_LIB/0.36.0-libdjl_torch.so (flavor $(cat "$TORCH_LIB/../rali-cuda/flavor"))"
echo "now:  export RALI_TORCH_LIB=$TORCH_LIB"
