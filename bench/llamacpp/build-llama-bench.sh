#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench for this machine (-march=native, CPU only), from the llama.cpp
# source that the pinned node-llama-cpp package carries (llama/gitRelease.bundle, its llama.cpp
# release), so the version matches the prebuilt library bench.mjs uses. Needs gcc/g++, cmake and
# ninja (or make); about 4 minutes on 2 cores. Prints the path of the binary.
# llama-bench keeps one thread pool across tokens, which the node binding does not: its 2-thread
# decode pays ~8.6 ms a token here for waking threads, so 2-thread comparisons need this binary.
# TARGET=native (default: -march=native) or TARGET=avx2 (GGML_NATIVE=OFF, AVX2 + FMA + F16C, no
# AVX-512: the laptop build, to compare with our JVM under -XX:UseAVX=2 on a wider CPU). Each target
# has its own build folder; llama-quantize is built beside llama-bench (for Q4_K_M files).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/llama.cpp"
target="${TARGET:-native}"
case "$target" in
  native) build="$src/build"; flags=(-DGGML_NATIVE=ON) ;;
  avx2) build="$src/build-avx2"
    flags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF
      -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF) ;;
  *) echo "build-llama-bench: TARGET must be native or avx2, not '$target'" >&2; exit 2 ;;
esac
bin="$build/bin/llama-bench"
if [ -x "$bin" ] && [ -x "$build/bin/llama-quantize" ]; then echo "$bin"; exit 0; fi
[ -d "$here/node_modules/node-llama-cpp" ] || (cd "$here" && npm install --no-audit --no-fund --ignore-scripts >&2)
bundle="$here/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "build-llama-bench: $bundle is missing (node-llama-cpp without its llama.cpp source)" >&2; exit 1; }
for tool in g++ cmake; do command -v "$tool" >/dev/null || { echo "build-llama-bench: needs $tool (apt install g++ cmake ninja-build)" >&2; exit 1; }; done
[ -d "$src/.git" ] || git clone -q "$bundle" "$src" >&2
gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$src" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release "${flags[@]}" -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF >&2
cmake --build "$build" --target llama-bench llama-quantize -j "$(nproc)" >&2
echo "$bin"
