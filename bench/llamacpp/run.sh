#!/usr/bin/env bash
# Longform against llama.cpp on this machine, on the same GGUF files (bin/longform export-gguf of the
# random MPT-125M / MPT-1B shapes of bench/issue8.sh), alternating engine by engine so both see the
# same phase of a shared box. One JSON object per run on stdout.
# Needs node + npm (llama.cpp comes prebuilt inside the node-llama-cpp npm package; no compiler).
# Usage: [PP=512 TG=128 REPS=3 FA=off|on] bench/llamacpp/run.sh [SHAPES] [TYPES] [THREADS] > results.jsonl
#   e.g. bench/llamacpp/run.sh "125m 1b" "f16 bf16 q8_0" "1 2"
#        PP=4096 TG=16 REPS=1 bench/llamacpp/run.sh "125m 1b" "bf16 q8_0" 2      (long prefill)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lf="$root/bin/longform"
shapes="${1:-125m 1b}"; types="${2:-f16 bf16 q8_0}"; threads="${3:-1 2}"
pp="${PP:-512}"; tg="${TG:-128}"; reps="${REPS:-3}"; fa="${FA:-off}"   # FA=on: llama.cpp with flash attention
[ -d "$here/node_modules/node-llama-cpp" ] || (cd "$here" && npm install --no-audit --no-fund --ignore-scripts >&2)
for shape in $shapes; do
  dir="/tmp/mpt-$shape"
  [ -f "$dir/config.json" ] || "$lf" make-model --shape "$shape" --out "$dir" >&2
  for t in $types; do
    g="/tmp/mpt-$shape-$t.gguf"
    [ -f "$g" ] || "$lf" export-gguf --model "$dir" --type "$t" --out "$g" >&2
    for n in $threads; do
      ours="$("$lf" bench --model "$g" --kv-dtype f16 --prompt-tokens "$pp" --gen-tokens "$tg" --reps "$reps" --threads "$n" --json 2>/dev/null)"
      echo "{\"engine\":\"longform\",\"shape\":\"$shape\",\"type\":\"$t\",\"threads\":$n,\"pp\":$pp,\"run\":$ours}"
      theirs="$(node "$here/bench.mjs" "$g" "$n" "$pp" "$tg" "$reps" "$fa" 2>/dev/null | tail -1)"
      echo "{\"engine\":\"llama.cpp\",\"shape\":\"$shape\",\"type\":\"$t\",\"threads\":$n,\"pp\":$pp,\"fa\":\"$fa\",\"run\":$theirs}"
    done
  done
done
