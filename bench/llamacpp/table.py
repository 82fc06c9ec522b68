#!/usr/bin/env python3
"""Pairs run.sh's lines (each longform run with the llama.cpp run after it) into a markdown table of
tokens/s and ratios (longform / llama.cpp). Usage: python3 bench/llamacpp/table.py results.jsonl"""
import json, sys

rows, ours = [], []
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    j = json.loads(line)
    if j["engine"] == "longform":
        ours.append(j)  # one per --act-quant mode (ACT=both), each paired with the llama.cpp run after them
        continue
    for mine in ours:
        if (mine["shape"], mine["type"], mine["threads"]) != (j["shape"], j["type"], j["threads"]):
            continue
        o, t = mine["run"], j["run"]
        act = mine.get("act", "exact")
        rows.append((j.get("target", "native"), j["shape"], j["type"] + ("" if act == "exact" else f" (act {act})"),
                     j["threads"], j["pp"], o["prefill_tok_s"], t["prefill_tok_s"], o["decode_tok_s"], t["decode_tok_s"],
                     o.get("bound_fraction")))
    ours = []
print("| target | shape | type | threads | pp | prefill ours | prefill llama.cpp | ratio | decode ours | decode llama.cpp | ratio | our bound fraction |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for tg, s, ty, n, pp, po, pt, do, dt, bf in rows:
    print(f"| {tg} | {s} | {ty} | {n} | {pp} | {po:.1f} | {pt:.1f} | {po / pt:.2f}x | {do:.1f} | {dt:.1f} | {do / dt:.2f}x | "
          + (f"{bf:.2f}" if bf is not None else "") + " |")
