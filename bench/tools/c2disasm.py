#!/usr/bin/env python3
"""Disassemble C2 code printed without hsdis (-XX:CompileCommand=print,Class::method prints hex).

usage: c2disasm.py LOG METHOD_SUBSTRING [--osr]
Takes the last tier-4 (c2) compile of the method in LOG (not OSR unless --osr), turns the
[MachCode] hex into bytes and runs objdump on them at their real addresses.
"""
import re
import subprocess
import sys
import tempfile

log, name = sys.argv[1], sys.argv[2]
osr = "--osr" in sys.argv
lines = open(log, errors="replace").read().split("\n")
start = None
for i, l in enumerate(lines):
    if l.startswith("Compiled method (c2)") and name in l and ((" % " in l) == osr):
        start = i
if start is None:
    sys.exit("no c2 compile of " + name)
code, base = bytearray(), None
in_code = False
for l in lines[start:]:
    if l.startswith("[MachCode]"):
        in_code = True
        continue
    if l.startswith("[Stub Code]") or l.startswith("[/MachCode]"):
        break
    if not in_code:
        continue
    m = re.match(r"\s*0x([0-9a-f]+): ([0-9a-f |]+)$", l)
    if not m:
        continue
    addr = int(m.group(1), 16)
    hexs = m.group(2).replace("|", "").replace(" ", "")
    if base is None:
        base = addr
    if addr - base != len(code):  # a gap: pad so the addresses stay right
        code.extend(b"\x90" * (addr - base - len(code)))
    code.extend(bytes.fromhex(hexs))
with tempfile.NamedTemporaryFile(suffix=".bin") as f:
    f.write(code)
    f.flush()
    out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", "--adjust-vma=%#x" % base, f.name],
                         capture_output=True, text=True).stdout
print("\n".join(out.split("\n")[7:]))
