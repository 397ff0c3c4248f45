#!/usr/bin/env python3
"""Disassemble many byte strings with GNU objdump in one run.

Each input is placed at a 32-byte stride and padded with NOPs, so the
disassembler resynchronises before the next one whatever it made of the
previous.  Returns, per input, (length, text) of the first instruction, with
text "(bad)" when objdump rejects it.  Development helper for the decoder's
test vectors; not run by the unit test.
"""
import os
import re
import subprocess
import tempfile

STRIDE = 32
MACH = {16: ['-m', 'i8086'], 32: ['-m', 'i386'], 64: ['-m', 'i386:x86-64']}


def objdis(seqs, mode, intel64=True, want_chain=False):
    blob = bytearray()
    for s in seqs:
        assert len(s) <= 16
        blob += bytes(s) + b'\x90' * (STRIDE - len(s))
    with tempfile.NamedTemporaryFile(suffix='.bin', delete=False) as f:
        f.write(blob)
        name = f.name
    args = ['objdump', '-D', '-z', '-b', 'binary', '--insn-width=16'] + MACH[mode]
    if mode == 64 and intel64:
        args += ['-M', 'intel64']
    out = subprocess.run(args + [name], capture_output=True, text=True,
                         check=True).stdout
    os.unlink(name)
    chains = {}
    pat = re.compile(r'^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$')
    for line in out.splitlines():
        m = pat.match(line)
        if not m:
            continue
        addr = int(m.group(1), 16)
        nbytes = len(m.group(2).split())
        chains.setdefault(addr // STRIDE, []).append(
            (addr % STRIDE, nbytes, m.group(3).strip()))
    res = []
    for i in range(len(seqs)):
        chain = [(n, t) for off, n, t in chains.get(i, []) if off < 16]
        if not chain or chains[i][0][0] != 0:
            chain = [(0, '?')]
        res.append(chain if want_chain else chain[0])
    return res


def bad(text):
    return '(bad)' in text or text.startswith('.byte') or text == '?'
