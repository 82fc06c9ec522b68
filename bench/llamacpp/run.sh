#!/usr/bin/env bash
# Longform against llama.cpp on this machine, on the same GGUF files (bin/longform export-gguf of the
# random MPT-125M / MPT-1B shapes of bench/issue8.sh), alternating engine by engine so both see the
# same phase of a shared box. One JSON object per run on stdout.
# llama.cpp runs as its own llama-bench (LLAMA=bench, the default: built for this machine by
# build-llama-bench.sh from the llama.cpp source the pinned node-llama-cpp package carries; needs
# g++ and cmake) or inside node (LLAMA=node: node-llama-cpp's prebuilt library, no compiler; its
# 2-thread decode pays ~8.6 ms a token for waking threads, so only its 1-thread figures are fair).
# llama-bench decodes after a PP-token prompt (-d PP), as our bench does, not from an empty cache.
# TARGET=avx2 compares AVX2 machines on a wider CPU: llama.cpp built without AVX-512
# (build-llama-bench.sh TARGET=avx2) and our JVM with -XX:UseAVX=2 (no 512-bit vectors).
# Type q4_k_m is made from the f16 file by llama.cpp's own llama-quantize (the community file).
# ACT=q8 runs ours with --act-quant q8 (int8 activations for k-quant decode: an approximation, as
# llama.cpp's own q8_K path is); the rows say "act". ACT=both runs ours exact, then q8, then llama.cpp.
# Usage: [PP=512 TG=128 REPS=3 FA=off|on LLAMA=bench|node TARGET=native|avx2 ACT=exact|q8|both] bench/llamacpp/run.sh [SHAPES] [TYPES] [THREADS] > results.jsonl
#   e.g. bench/llamacpp/run.sh "125m 1b" "f16 bf16 q8_0" "1 2"
#        PP=4096 TG=16 REPS=1 bench/llamacpp/run.sh "125m 1b" "bf16 q8_0" 2      (long prefill)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lf="$root/bin/longform"
shapes="${1:-125m 1b}"; types="${2:-f16 bf16 q8_0}"; threads="${3:-1 2}"
pp="${PP:-512}"; tg="${TG:-128}"; reps="${REPS:-3}"; fa="${FA:-off}"   # FA=on: llama.cpp with flash attention
llama="${LLAMA:-bench}"
acts="${ACT:-exact}"; [ "$acts" = both ] && acts="exact q8"
target="${TARGET:-native}"
if [ "$target" = avx2 ]; then export LONGFORM_JAVA_OPTS="${LONGFORM_JAVA_OPTS:-} -XX:UseAVX=2"; fi
export TARGET="$target"
if [ "$llama" = node ]; then
  [ -d "$here/node_modules/node-llama-cpp" ] || (cd "$here" && npm install --no-audit --no-fund --ignore-scripts >&2)
else
  lb="$("$here/build-llama-bench.sh")"   # installs the npm package itself when needed
fi
# one llama-bench test: its jsonl line (avg_ts over REPS runs after its warm-up run)
llamabench() { "$lb" -m "$1" -t "$2" -fa "$([ "$fa" = on ] && echo 1 || echo 0)" -ctk f16 -ctv f16 -r "$reps" -o jsonl "${@:3}" 2>/dev/null | head -1; }
# the prefill line and the decode line as one run object
pair() { python3 -c 'import json,sys
p, d = (json.loads(l) for l in sys.stdin.read().splitlines()[:2])
cut = lambda j: {"tok_s": j["avg_ts"], "samples": j["samples_ts"], "build": j["build_commit"], "depth": j["n_depth"]}
print(json.dumps({"engine": "llama-bench", "prefill_tok_s": p["avg_ts"], "decode_tok_s": d["avg_ts"], "pp": cut(p), "tg": cut(d)}))'; }
for shape in $shapes; do
  dir="/tmp/mpt-$shape"
  [ -f "$dir/config.json" ] || "$lf" make-model --shape "$shape" --out "$dir" >&2
  for t in $types; do
    g="/tmp/mpt-$shape-$t.gguf"
    if [ "$t" = q4_k_m ] && [ ! -f "$g" ]; then
      f16="/tmp/mpt-$shape-f16.gguf"
      [ -f "$f16" ] || "$lf" export-gguf --model "$dir" --type f16 --out "$f16" >&2
      "$(dirname "$lb")/llama-quantize" "$f16" "$g" Q4_K_M >&2
    fi
    [ -f "$g" ] || "$lf" export-gguf --model "$dir" --type "$t" --out "$g" >&2
    for n in $threads; do
      for act in $acts; do
        ours="$("$lf" bench --model "$g" --kv-dtype f16 --act-quant "$act" --prompt-tokens "$pp" --gen-tokens "$tg" --reps "$reps" --threads "$n" --json 2>/dev/null)"
        echo "{\"engine\":\"longform\",\"act\":\"$act\",\"target\":\"$target\",\"shape\":\"$shape\",\"type\":\"$t\",\"threads\":$n,\"pp\":$pp,\"run\":$ours}"
      done
      if [ "$llama" = node ]; then
        theirs="$(node "$here/bench.mjs" "$g" "$n" "$pp" "$tg" "$reps" "$fa" 2>/dev/null | tail -1)"
      else
        theirs="$( { llamabench "$g" "$n" -p "$pp" -n 0; llamabench "$g" "$n" -p 0 -n "$tg" -d "$pp"; } | pair)"
      fi
      echo "{\"engine\":\"llama.cpp\",\"target\":\"$target\",\"via\":\"$llama\",\"shape\":\"$shape\",\"type\":\"$t\",\"threads\":$n,\"pp\":$pp,\"fa\":\"$fa\",\"run\":$theirs}"
    done
  done
done
