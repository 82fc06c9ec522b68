#!/usr/bin/env bash
# The CPU speed grid of docs/PERFORMANCE.md (issue 8): MPT-125M and MPT-1B shapes (random weights),
# bf16 / q8_0 / q4_0 weights, f16 KV cache (llama.cpp's default), pp512 + tg128 and pp4096.
# Prints one JSON object per run (bin/longform bench --json) with the configuration added.
# Usage: bench/issue8.sh [PASSES] > results.jsonl   (run on a quiet machine: nothing else busy)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
lf="$here/bin/longform"
reps="${1:-1}"
for shape in 125m 1b; do
  dir="/tmp/mpt-$shape"
  [ -f "$dir/config.json" ] || "$lf" make-model --shape "$shape" --out "$dir" >&2
done
run() {  # shape quant prompt gen reps
  local out
  out="$("$lf" bench --model "/tmp/mpt-$1" --quant "$2" --kv-dtype f16 --prompt-tokens "$3" --gen-tokens "$4" --reps "$5" --json 2>/dev/null)"
  echo "{\"shape\":\"$1\",\"quant\":\"$2\",\"prompt\":$3,\"gen\":$4,\"run\":$out}"
}
for r in $(seq "$reps"); do
  for shape in 125m 1b; do
    for q in none q8_0 q4_0; do run "$shape" "$q" 512 128 3; done
    for q in none q8_0; do run "$shape" "$q" 4096 16 1; done
  done
done
