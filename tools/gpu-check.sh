#!/usr/bin/env bash
# Longform on a CUDA GPU: fixtures on the cuda backend, then decode/prefill timings of a
# random-weight MPT-7B (bf16) at 2k, 16k and 65k tokens of context next to PyTorch/transformers
# MPT on the same GPU, with each decode's fraction of the HBM bandwidth bound. One short table is
# printed last. Budget: 8 minutes.
#
# The machine needs an NVIDIA driver (CUDA 12.0+), Python 3 with torch and transformers; no JDK,
# no internet. Prepare the pack here with tools/gpu-pack.sh, copy target/gpu-pack.tar.gz over, then:
#   tar xzf gpu-pack.tar.gz && gpu-pack/gpu-check.sh            (results in gpu-pack/results/)
# Options (environment): RESULTS=DIR, BUDGET=470 (seconds), CONTEXTS=2048,16384,65536, DECODE=32, SHAPE=7b, SKIP_TORCH=1.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${RESULTS:-$here/results}"
mkdir -p "$out"
start=$SECONDS
budget="${BUDGET:-470}"                    # seconds, leaves margin inside 8 minutes
left() { echo $(( budget - (SECONDS - start) )); }
JAVA="$here/runtime/bin/java"
CONTEXTS="${CONTEXTS:-2048,16384,65536}"
DECODE="${DECODE:-32}"
SHAPE="${SHAPE:-7b}"
cp_jars="$(ls "$here"/lib/*.jar | tr '\n' ':')"
jopts=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m -Xmx8g)

say() { echo "gpu-check: $*" >&2; }
say "pack $(cat "$here/COMMIT" 2>/dev/null || echo '?'), results in $out"
nvidia-smi --query-gpu=name,driver_version,memory.total,memory.used --format=csv > "$out/nvidia-smi.csv" 2>&1 \
  || say "nvidia-smi failed (see $out/nvidia-smi.csv)"
cat "$out/nvidia-smi.csv" >&2

# 1. The CUDA tests with the fixtures. longform.cuda.require turns "no GPU" into failures, never skips.
say "1/3 fixtures and CUDA tests (junit)"
timeout $(( $(left) > 150 ? 150 : $(left) )) "$JAVA" "${jopts[@]}" -Dlongform.cuda.require=true \
  -jar "$here"/junit-platform-console-standalone-*.jar execute \
  --class-path "$here/test-classes:$cp_jars" --select-package org.longform.engine.cuda \
  --disable-banner --disable-ansi-colors --details=tree > "$out/junit.txt" 2>&1
echo $? > "$out/junit.rc"
grep -E "tests (successful|failed|skipped|aborted)|max \|dlogit\|" "$out/junit.txt" >&2 || tail -20 "$out/junit.txt" >&2

# 2. Longform benchmark (fast precision: bf16 weights and KV cache, like the PyTorch run).
say "2/3 longform benchmark ($SHAPE, contexts $CONTEXTS)"
lt=$(( $(left) > 170 ? 170 : $(left) - 10 ))
timeout "$lt" "$JAVA" "${jopts[@]}" -cp "$cp_jars" org.longform.engine.cuda.GpuBench \
  --shape "$SHAPE" --contexts "$CONTEXTS" --decode "$DECODE" --budget-s $(( lt - 30 )) > "$out/longform.jsonl" 2> "$out/longform.log"
echo $? > "$out/longform.rc"
cat "$out/longform.jsonl" >&2

# 3. PyTorch / transformers MPT, same shape, contexts and protocol.
if [ -z "${SKIP_TORCH:-}" ]; then
  say "3/3 pytorch benchmark"
  cat > "$out/torch_bench.py" <<'PY'
import json, os, sys, time
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
def emit(**kv): print(json.dumps(kv), flush=True)
try:
    import torch
    from transformers import MptConfig, MptForCausalLM
except Exception as e:
    emit(event="unavailable", reason=f"import failed: {e}"); sys.exit(0)
shapes = {"7b": (4096, 32, 32), "1b": (2048, 16, 24), "350m": (1024, 16, 24), "125m": (768, 12, 12)}
d, H, L = shapes[os.environ.get("SHAPE", "7b")]
contexts = [int(x) for x in os.environ.get("CONTEXTS", "2048,16384,65536").split(",")]
decode = int(os.environ.get("DECODE", "32")); chunk = int(os.environ.get("TORCH_CHUNK", "1024"))
budget = float(os.environ.get("TORCH_BUDGET", "150")); t0 = time.time()
cfg = MptConfig(d_model=d, n_heads=H, n_layers=L, expansion_ratio=4, vocab_size=50432, max_seq_len=max(contexts) + 4096,
                no_bias=True, attn_config={"alibi": True, "alibi_bias_max": 8, "attn_impl": "torch"}, use_cache=True)
torch.set_default_dtype(torch.bfloat16)
with torch.device("cuda"):
    model = MptForCausalLM(cfg)
model.eval()
emit(event="model", engine="pytorch", torch=torch.__version__, params_b=sum(p.numel() for p in model.parameters()) / 1e9,
     device=torch.cuda.get_device_name(0), build_s=time.time() - t0)
g = torch.Generator(device="cpu").manual_seed(1)
ids = torch.randint(0, 50432, (max(contexts) + decode * len(contexts),), generator=g).cuda()
past, n = None, 0
@torch.inference_mode()
def step(x, past):
    o = model(input_ids=x.view(1, -1), past_key_values=past, use_cache=True, return_dict=True)
    return o.logits[0, -1], o.past_key_values
try:
    step(ids[:chunk], None); torch.cuda.synchronize()   # warm-up
    for ctx in contexts:
        if time.time() - t0 > budget: emit(event="skipped", context=ctx, reason="time budget"); continue
        torch.cuda.synchronize(); tp = time.time(); frm = n
        while n < ctx:
            k = min(chunk, ctx - n); logits, past = step(ids[n:n + k], past); n += k
        torch.cuda.synchronize(); pf = time.time() - tp
        td = time.time()
        for i in range(decode):
            logits, past = step(torch.argmax(logits).view(1), past); n += 1
        torch.cuda.synchronize(); dt = (time.time() - td) / decode
        emit(event="result", engine="pytorch", context=ctx, prefill_tokens=ctx - frm, prefill_s=pf,
             prefill_tok_s=(ctx - frm) / pf, decode_ms=dt * 1e3, decode_tok_s=1 / dt)
except torch.cuda.OutOfMemoryError as e:
    emit(event="oom", engine="pytorch", context=n, reason=str(e).splitlines()[0])
PY
  tt=$(( $(left) - 15 ))
  if [ "$tt" -gt 30 ]; then
    SHAPE="$SHAPE" CONTEXTS="$CONTEXTS" DECODE="$DECODE" TORCH_BUDGET=$(( tt - 40 )) \
      timeout "$tt" python3 "$out/torch_bench.py" > "$out/torch.jsonl" 2> "$out/torch.log"
    echo $? > "$out/torch.rc"
  else
    say "no time left for pytorch"
  fi
  cat "$out/torch.jsonl" >&2 2>/dev/null
fi

# 4. The table.
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def rows(name):
    p = os.path.join(out, name)
    if not os.path.exists(p): return []
    r = []
    for line in open(p):
        try: r.append(json.loads(line))
        except ValueError: pass
    return r
lf, pt = rows("longform.jsonl"), rows("torch.jsonl")
for r in lf: r.setdefault("engine", "longform")
for r in pt: r.setdefault("engine", "pytorch")
dev = next((r for r in lf if r.get("event") == "device"), {})
bw = float(dev.get("copy_gb_s", 0) or 0) * 1e9
res = {("longform", r["context"]): r for r in lf if r.get("event") == "result"}
res.update({("pytorch", r["context"]): r for r in pt if r.get("event") == "result"})
junit = open(os.path.join(out, "junit.txt")).read() if os.path.exists(os.path.join(out, "junit.txt")) else ""
rc = open(os.path.join(out, "junit.rc")).read().strip() if os.path.exists(os.path.join(out, "junit.rc")) else "?"
def count(word):
    import re
    m = re.search(r"(\d+) tests %s" % word, junit); return m.group(1) if m else "?"
print()
print("device: %s, measured copy bandwidth %s GB/s" % (dev.get("name", "?"), dev.get("copy_gb_s", "?")))
print("fixtures + CUDA tests: %s (%s passed, %s failed, %s skipped)" % ("PASS" if rc == "0" else "FAIL", count("successful"), count("failed"), count("skipped")))
for r in lf + pt:
    if r.get("event") in ("unavailable", "oom", "skipped"): print("%s: %s %s" % (r["engine"], r["event"], r.get("reason", "")))
kvpt = 2 * 32 * 4096 * 2
hdr = "%-8s %14s %14s %12s %12s %11s %11s" % ("context", "prefill tok/s", "(pytorch)", "decode tok/s", "(pytorch)", "HBM bound", "(pytorch)")
print(hdr); print("-" * len(hdr))
ctxs = sorted({c for (_, c) in res})
for c in ctxs:
    a, b = res.get(("longform", c), {}), res.get(("pytorch", c), {})
    def f(r, k, fmt="%.0f"): return fmt % float(r[k]) if k in r else "n/a"
    def frac(r, other):
        if "bound_fraction" in r: return "%.0f%%" % (100 * float(r["bound_fraction"]))
        if "decode_ms" in r and "bytes_per_token" in other and bw > 0:
            return "%.0f%%" % (100 * float(other["bytes_per_token"]) / bw / (float(r["decode_ms"]) / 1e3))
        return "n/a"
    print("%-8d %14s %14s %12s %12s %11s %11s" % (c, f(a, "prefill_tok_s"), f(b, "prefill_tok_s"), f(a, "decode_tok_s", "%.1f"),
          f(b, "decode_tok_s", "%.1f"), frac(a, a), frac(b, a)))
print("(prefill: tokens/s to grow the context to that length; HBM bound: (weights + K/V read per token) / measured bandwidth / decode time)")
PY
say "done in $(( SECONDS - start )) s"
[ "$(cat "$out/junit.rc" 2>/dev/null)" = "0" ]
