#!/usr/bin/env bash
# Runs tools/gpu-check.sh from a copy of this repo on a GPU machine with no JDK, where the pack came
# as .devpack/pack.tar.xz (made by tools/gpu-pack.sh --slim) and the fixtures come from the tree.
# Writes results.tgz, junit.txt and gpu-check.txt to $OUT (or ./gpu-out). Env: see gpu-check.sh.
set -u
out="${OUT:-$PWD/gpu-out}"; mkdir -p "$out"
cd "$(dirname "$0")/.."
echo "== $(date -u) host $(hostname)"; which java || echo "no java on PATH"
nvidia-smi -L; ldconfig -p | grep -m2 libcuda || echo "libcuda not in ldconfig"
mkdir -p /tmp/p /tmp/res && tar xJf .devpack/pack.tar.xz -C /tmp/p || exit 3
cp -r engine/src/test/resources/fixtures /tmp/p/gpu-pack/test-classes/
cp tools/gpu-check.sh /tmp/p/gpu-pack/gpu-check.sh
RESULTS=/tmp/res BUDGET="${BUDGET:-400}" /tmp/p/gpu-pack/gpu-check.sh > /tmp/res/gpu-check.txt 2>&1
rc=$?
cp /tmp/p/gpu-pack/COMMIT /tmp/res/ 2>/dev/null
tar czf "$out/results.tgz" -C /tmp res; cp /tmp/res/junit.txt /tmp/res/gpu-check.txt "$out/" 2>/dev/null
grep -E "✘|Exception|Error" /tmp/res/junit.txt | head -40
cat /tmp/res/longform.log 2>/dev/null | grep -v "incubator" | tail -20
cat /tmp/res/gpu-check.txt
echo "== rc $rc"
exit $rc
