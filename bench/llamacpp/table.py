#!/usr/bin/env python3
"""Pairs run.sh's lines (each longform run with the llama.cpp run after it) into a markdown table of
tokens/s and ratios (longform / llama.cpp). Usage: python3 bench/llamacpp/table.py results.jsonl"""
import json, sys

rows, ours = [], None
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    j = json.loads(line)
    if j["engine"] == "longform":
        ours = j
        continue
    if ours is None or (ours["shape"], ours["type"], ours["threads"]) != (j["shape"], j["type"], j["threads"]):
        continue
    o, t = ours["run"], j["run"]
    rows.append((j.get("target", "native"), j["shape"], j["type"], j["threads"], j["pp"], o["prefill_tok_s"], t["prefill_tok_s"],
                 o["decode_tok_s"], t["decode_tok_s"], o.get("bound_fraction")))
    ours = None
print("| target | shape | type | threads | pp | prefill ours | prefill llama.cpp | ratio | decode ours | decode llama.cpp | ratio | our bound fraction |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for tg, s, ty, n, pp, po, pt, do, dt, bf in rows:
    print(f"| {tg} | {s} | {ty} | {n} | {pp} | {po:.1f} | {pt:.1f} | {po / pt:.2f}x | {do:.1f} | {dt:.1f} | {do / dt:.2f}x | "
          + (f"{bf:.2f}" if bf is not None else "") + " |")
