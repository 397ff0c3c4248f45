#!/usr/bin/env python3
"""Differential check of bt_decode() against GNU objdump (development aid).

Feeds structured and random instruction bytes to both the decoder (through
build/decode-cli, see decode-cli.c) and objdump, and reports instructions
whose validity or length differ, grouped by opcode.  Known, deliberate
differences (see docs/decoder.md) are filtered by known_difference().

    gcc -O1 -fsanitize=address,undefined -Ivmi-abi/include \
        -Ibt-fallback/include -o build/decode-cli \
        tests/unit/decode/gen/decode-cli.c bt-fallback/decode*.c
    python3 tests/unit/decode/gen/diff.py [structured|random|vex|amd|all] [N]
"""
import collections
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from objdis import objdis, bad  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '../../../..'))
CLI = os.path.join(ROOT, 'build', 'decode-cli')
PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x64]
PREFIX_TEXT = ('rex', 'data16', 'data32', 'addr16', 'addr32', 'lock', 'repz',
               'repnz', 'rep', 'cs', 'ds', 'es', 'ss', 'fs', 'gs', 'notrack',
               'bnd', 'xacquire', 'xrelease')


def decode(seqs, mode, amd=False):
    tag = {16: '16', 32: '32', 64: '64'}[mode] + ('a' if amd else '')
    inp = ''.join('%s %s\n' % (tag, s.hex()) for s in seqs)
    out = subprocess.run([CLI], input=inp, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    res = []
    for line in out:
        f = line.split()
        res.append((int(f[0]), int(f[1])))
    return res


def strip_prefixes(s, mode):
    i = 0
    while i < len(s) and (s[i] in (0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66,
                                   0x67, 0xf0, 0xf2, 0xf3) or
                          (mode == 64 and 0x40 <= s[i] <= 0x4f)):
        i += 1
    return i


def key(s, mode):
    i = strip_prefixes(s, mode)
    op = s[i:i + 4]
    if op[:1] == b'\x0f' and op[1:2] in (b'\x38', b'\x3a'):
        return op[:3].hex() + '/%d' % ((op[3] >> 3) & 7 if len(op) > 3 else 0)
    if op[:1] == b'\x0f':
        return op[:2].hex() + '/%d' % ((op[2] >> 3) & 7 if len(op) > 2 else 0)
    if op[:1] in (b'\xc4', b'\xc5', b'\x62', b'\x8f'):
        return op[:1].hex() + ':' + s[i + 1:i + 5].hex()
    return op[:1].hex() + '/%d' % ((op[1] >> 3) & 7 if len(op) > 1 else 0)


def known_difference(s, mode, mine, theirs):
    """Name the deliberate difference (docs/decoder.md) explaining a
    mismatch, or None.  mine = (ret, len), theirs = (len, text)."""
    ret, ln = mine
    text = theirs[1]
    obad = bad(text)
    i = strip_prefixes(s, mode)
    pfx, op = s[:i], s[i:]
    if ret == -22 and not obad and 0xf0 in pfx:
        return 'objdump ignores LOCK rules'
    if op[:1] in (b'\xc4', b'\xc5', b'\x62', b'\x8f') and ret == -22 and \
            set(pfx) & {0x66, 0xf2, 0xf3} and not obad:
        return 'objdump accepts 66/F2/F3 before VEX (#UD)'
    if op[:2] == b'\x0f\xff' and ret == 0 and ln < theirs[0]:
        return 'AMD UD0 has no ModRM (objdump follows Intel)'
    rex = [j for j, b in enumerate(pfx) if mode == 64 and 0x40 <= b <= 0x4f]
    if rex and op[:1] in (b'\xc4', b'\xc5', b'\x62') and ret == -22:
        return 'REX before VEX/EVEX is #UD; objdump drops the REX'
    if rex and rex[0] != len(pfx) - 1:
        return 'objdump splits at an ignored REX, dropping earlier prefixes'
    if op[:1] == b'\x9b':
        return 'objdump merges FWAIT with the next x87 insn'
    if op[:1] == b'\xd6' and mode != 64:
        return 'SALC (executes on every CPU)'
    if op[:1] in (b'\x8c', b'\x8e') and ret == -22:
        return 'MOV Sreg with a reserved segment register is #UD'
    if op[:2] in (b'\x0f\x1a', b'\x0f\x1b') and '(bad)' in text:
        return 'objdump prints odd MPX operands'
    if op[:2] in (b'\x0f\x20', b'\x0f\x21', b'\x0f\x22', b'\x0f\x23',
                  b'\x0f\x24', b'\x0f\x26') and ret == -22:
        return 'CR1, CR5-7, CR9-15, DR8-15, TRn are #UD'
    if op[:3] == b'\x0f\x01\xf8' and mode != 64:
        return 'SWAPGS is #UD outside 64-bit mode'
    if ret == 0 and obad and (
            op[:2] in (b'\x0f\x01', b'\x0f\x09', b'\x0f\xbc', b'\x0f\xbd',
                       b'\x0f\x78', b'\x0f\x79', b'\x0f\xc7') or
            (op[:2] == b'\x0f\xae' and len(op) > 2 and op[2] >= 0xe8)):
        return 'prefix or ModRM.rm the CPU ignores'
    if op[:1] in (b'\x62', b'\x8f', b'\xc4', b'\xc5') and ret == 0 and obad:
        return 'VEX/EVEX/XOP per-insn L, W, vvvv, b, z rules not checked'
    if op[:1] == b'\x62' and mode != 64 and ret == -22 and len(op) > 3 and \
            not op[3] & 8:
        return 'EVEX.V\' = 0 outside 64-bit mode is #UD'
    return None


def compare(seqs, mode, amd=False):
    """amd: BT_MODE_AMD against objdump's default (AMD64) 64-bit mode."""
    seqs = [bytes(s[:16]) + b'\x90' * (16 - len(s[:16])) for s in seqs]
    ours = decode(seqs, mode, amd)
    theirs = objdis(seqs, mode, intel64=not amd, want_chain=True)
    diffs = collections.defaultdict(list)
    known = collections.Counter()
    n = 0
    for s, (ret, ln), chain in zip(seqs, ours, theirs):
        # objdump prints a prefix it cannot attach (a REX before a legacy
        # prefix, a repeated prefix...) as an insn of its own: add it to
        # the one that follows, as the CPU does.
        oln = 0
        for oln1, text in chain:
            oln += oln1
            words = text.split()
            if not words or not all(w in PREFIX_TEXT or w.startswith('rex')
                                    for w in words):
                break
        if text == '?' or oln > 15:
            continue
        n += 1
        obad = bad(text)
        if ret == 0 and not obad and ln == oln:
            continue
        if ret != 0 and obad:
            continue
        why = known_difference(s, mode, (ret, ln), (oln, text))
        if why:
            known[why] += 1
            continue
        diffs[key(s, mode)].append((s, ret, ln, oln, text))
    print('mode %d%s: %d compared, %d known differences, %d opcode groups '
          'differ' % (mode, ' AMD' if amd else '', n, sum(known.values()),
                      len(diffs)))
    for why, cnt in known.most_common():
        print('  known: %-60s x%d' % (why, cnt))
    for k in sorted(diffs)[:400]:
        v = diffs[k]
        print('  %-14s x%-5d' % (k, len(v)), end='')
        for s, ret, ln, oln, text in v[:1]:
            i = strip_prefixes(s, mode)
            print(' %s|%s ours=%d/%d objdump=%d %s' %
                  (s[:i].hex(), s[i:max(ln, oln)].hex(), ret, ln, oln, text))
    return diffs


def modrms():
    out = []
    for reg in range(8):
        for mod, rm in ((0, 0), (0, 4), (0, 5), (0, 6), (1, 4), (1, 6),
                        (2, 0), (2, 4), (3, 0), (3, 5)):
            out.append(mod << 6 | reg << 3 | rm)
    return out


def structured(mode, rnd):
    seqs = []
    pfxs = [b'', b'\x66', b'\x67', b'\xf3', b'\xf2', b'\xf0']
    if mode == 64:
        pfxs += [b'\x48', b'\x66\x48', b'\x41', b'\x44']
    for esc in (b'', b'\x0f', b'\x0f\x38', b'\x0f\x3a'):
        for op in range(256):
            for p in pfxs:
                for m in modrms():
                    sib = rnd.choice((0x00, 0x25, 0x65, 0xe4))
                    tail = bytes([m, sib]) + bytes(
                        rnd.randrange(256) for _ in range(12))
                    seqs.append(p + esc + bytes([op]) + tail)
    # all register forms of the groups with mod == 3 meanings
    for esc in (b'\x0f\x01', b'\x0f\xae', b'\x0f\xc7', b'\xd8', b'\xd9',
                b'\xda', b'\xdb', b'\xdc', b'\xdd', b'\xde', b'\xdf'):
        for p in pfxs:
            for m in range(0xc0, 0x100):
                seqs.append(p + esc + bytes([m]) + b'\x11' * 8)
    return seqs


def vex_like(mode, rnd, n):
    seqs = []
    for _ in range(n):
        kind = rnd.randrange(5)
        pre = bytes(rnd.choice((0x67, 0x2e, 0x64)) for _ in
                    range(rnd.choice((0, 0, 0, 1))))
        if kind == 0:
            v = bytes([0xc5, rnd.randrange(256)])
        elif kind == 1:
            v = bytes([0xc4, (rnd.randrange(8) << 5) | rnd.choice((1, 2, 3, 3, 0, 4)),
                       rnd.randrange(256)])
        elif kind == 2:
            v = bytes([0x62, (rnd.randrange(16) << 4) | rnd.choice((1, 2, 3, 5, 6, 4)),
                       rnd.randrange(256) | 4, rnd.randrange(256)])
        elif kind == 3:
            v = bytes([0x8f, (rnd.randrange(8) << 5) | rnd.choice((8, 9, 10, 11)),
                       rnd.randrange(256) & 0xfc])
        else:
            v = bytes([0x0f, 0x0f])
        if mode != 64 and kind in (0, 1, 2):
            v = v[:1] + bytes([v[1] | 0xc0]) + v[2:]
        op = rnd.randrange(256)
        tail = bytes(rnd.randrange(256) for _ in range(10))
        seqs.append(pre + v + bytes([op]) + tail)
    return seqs


def randoms(mode, rnd, n):
    seqs = []
    for _ in range(n):
        pre = bytes(rnd.choice(PREFIXES) for _ in range(rnd.choice((0, 0, 1, 1, 2, 3))))
        if mode == 64 and rnd.random() < 0.4:
            pre += bytes([0x40 | rnd.randrange(16)])
        body = bytes(rnd.randrange(256) for _ in range(14))
        if rnd.random() < 0.3:
            body = b'\x0f' + body
        seqs.append(pre + body)
    return seqs


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else 'all'
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    rnd = random.Random(12345)
    if what == 'amd':
        compare(structured(64, rnd), 64, amd=True)
        compare(randoms(64, rnd, n), 64, amd=True)
        return
    for mode in (16, 32, 64):
        if what in ('structured', 'all'):
            compare(structured(mode, rnd), mode)
        if what in ('vex', 'all'):
            compare(vex_like(mode, rnd, n), mode)
        if what in ('random', 'all'):
            compare(randoms(mode, rnd, n), mode)


if __name__ == '__main__':
    main()
