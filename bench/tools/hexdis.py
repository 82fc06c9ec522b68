#!/usr/bin/env python3
"""Disassembles the C2 methods in a -XX:CompileCommand=print log when no hsdis is installed.

HotSpot then prints each method's code as hex words; this turns the last C2 compile of every
method (or the one named) into a binary and runs objdump on it.

  java -XX:+UnlockDiagnosticVMOptions -XX:CompileCommand=print,CLASS::METHOD ... > log 2>&1
  python3 bench/tools/hexdis.py log [METHOD_SUBSTRING] [--all]
"""
import re
import subprocess
import sys
import tempfile

HEAD = re.compile(r"^Compiled method \((c1|c2)\)\s+\d+\s+(\d+)\s+(%?)\s*(\d)\s+(\S+)")
HEX = re.compile(r"^\s+0x([0-9a-f]+):\s+((?:[0-9a-f]{4} ?[0-9a-f]{0,4} ?\|? ?)+)$")


def methods(lines):
    cur = None
    for line in lines:
        m = HEAD.match(line)
        if m:
            if cur:
                yield cur
            cur = {"comp": m.group(1), "id": m.group(2), "osr": m.group(3), "name": m.group(5), "code": [],
                   "start": None, "in_code": False}
            continue
        if cur is None:
            continue
        if line.startswith("[Verified Entry Point]") or line.startswith("[Entry Point]"):
            cur["in_code"] = True
            continue
        if line.startswith("[Stub Code]") or line.startswith("[Exception Handler]"):
            cur["in_code"] = False
            continue
        if cur["in_code"]:
            m = HEX.match(line)
            if m:
                addr = int(m.group(1), 16)
                if cur["start"] is None:
                    cur["start"] = addr
                words = m.group(2).replace("|", " ").split()
                data = bytes.fromhex("".join(words))
                off = addr - cur["start"]
                buf = cur["code"]
                if len(buf) < off:
                    buf.extend(b"\x90" * (off - len(buf)))
                del buf[off:]
                buf.extend(data)
    if cur:
        yield cur


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    want = args[1] if len(args) > 1 else ""
    with open(args[0], errors="replace") as f:
        found = [m for m in methods(f) if m["comp"] == "c2" and want in m["name"]]
    if "--all" not in sys.argv:
        last = {}
        for m in found:
            last[(m["name"], m["osr"])] = m
        found = list(last.values())
    for m in found:
        with tempfile.NamedTemporaryFile(suffix=".bin") as t:
            t.write(bytes(m["code"]))
            t.flush()
            print(f"==== {m['name']} c2 id {m['id']} {'OSR' if m['osr'] else ''} {len(m['code'])} bytes, base 0x{m['start']:x}")
            out = subprocess.run(["objdump", "-D", "-b", "binary", "-mi386:x86-64", f"--adjust-vma=0x{m['start']:x}",
                                  t.name], capture_output=True, text=True).stdout
            print("\n".join(out.splitlines()[7:]))


if __name__ == "__main__":
    main()
