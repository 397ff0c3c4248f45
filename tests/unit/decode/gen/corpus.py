#!/usr/bin/env python3
"""Generate tests/unit/decode/corpus.c: instructions assembled by GNU as in
16-, 32- and 64-bit mode, with the length and operands GNU objdump gives
them, for the decoder's differential self-test (test_corpus.c).

Development tool: the unit test embeds the output and never runs as or
objdump.  Re-run after changing the templates:

    python3 tests/unit/decode/gen/corpus.py > tests/unit/decode/corpus.c

Each instruction records its mode, bytes, length, the address it was
assembled at (for branch targets) and, where objdump prints them, the
immediate, the relative-branch target, the memory operand's base, index,
scale, displacement and segment override.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))

# ---------------------------------------------------------------- templates

ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp']
SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar']
CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l',
      'ge', 'le', 'g']

MEM = {
    16: ['(%bx,%si)', '(%bx,%di)', '(%bp,%si)', '(%bp,%di)', '(%si)',
         '(%di)', '0x1234', '(%bx)', '0x12(%bp)', '-0x7f(%bx,%si)',
         '0x1234(%bp,%di)', '-0x2(%di)', '%es:(%bx)', '%ss:0x10(%si)',
         '(%eax)', '0x10(%esp)', '0x12345678(%eax,%ebx,4)', '(,%ecx,8)'],
    32: ['(%eax)', '(%ebp)', '(%esp)', '0x10(%esp)', '-0x80(%ebp)',
         '0x12345678(%eax,%ebx,8)', '(,%ecx,2)', '0x1234', '(%esi,%edi)',
         '0x7f(%edx,%eax,4)', '%fs:0x10(%eax)', '%gs:(%ebx)', '%es:0x1000',
         '(%bx,%si)', '0x10(%bp)', '-0x1000(%ecx,%ebp,1)'],
    64: ['(%rax)', '(%rbp)', '(%rsp)', '(%r12)', '(%r13)', '0x10(%rip)',
         '-0x4(%rip)', '0x7f(%r8,%r9,2)', '-0x80000000(%rsp,%rax,8)',
         '(%eax)', '(,%r15,8)', '%gs:0x10', '%fs:(%rbx)', '0x12345678',
         '0x1000(%r13,%r12,1)', '(%rsi,%rdi)', '0x10(%eip)', '-1(%r11d)'],
}

REGS = {
    8: ['%al', '%cl', '%dl', '%bl', '%ah', '%bh'],
    16: ['%ax', '%cx', '%bp', '%di'],
    32: ['%eax', '%ecx', '%esp', '%esi'],
    64: ['%rax', '%rcx', '%r8', '%r15', '%rsp'],
}
REGS64_8 = ['%al', '%sil', '%r9b', '%r15b', '%ah']
SUF = {8: 'b', 16: 'w', 32: 'l', 64: 'q'}


def sizes(mode):
    return (8, 16, 32, 64) if mode == 64 else (8, 16, 32)


def regs(mode, size):
    if size == 8 and mode == 64:
        return REGS64_8
    r = REGS[size]
    if mode == 64 and size in (16, 32):
        r = r + [{16: '%r9w', 32: '%r10d'}[size]]
    return r


def pick(lst, i):
    return lst[i % len(lst)]


def general(mode):
    out = []
    mems = MEM[mode]
    k = 0
    for op in ALU:
        for sz in sizes(mode):
            s = SUF[sz]
            rr = regs(mode, sz)
            for i in range(2):
                k += 1
                r, r2, m = pick(rr, k), pick(rr, k + 1), pick(mems, k)
                out += ['%s%s %s,%s' % (op, s, r, r2),
                        '%s%s %s,%s' % (op, s, r, m),
                        '%s%s %s,%s' % (op, s, m, r),
                        '%s%s $0x7f,%s' % (op, s, m),
                        '%s%s $-0x2,%s' % (op, s, r)]
            if sz > 8:
                out += ['%s%s $0x1234,%s' % (op, s, pick(mems, k + 3)),
                        '%s%s $0x1234,%s' % (op, s, pick(rr, k))]
            acc = {8: '%al', 16: '%ax', 32: '%eax', 64: '%rax'}[sz]
            out.append('%s%s $0x%x,%s' % (op, s, 0x12 if sz == 8 else 0x1234,
                                          acc))
        out.append('lock %sl %%ecx,%s' % (op, pick(mems, k)) if op != 'cmp'
                   else 'cmpl %%ecx,%s' % pick(mems, k))
    for sz in sizes(mode):
        s = SUF[sz]
        rr = regs(mode, sz)
        for i, m in enumerate(mems):
            r = pick(rr, i)
            out += ['mov%s %s,%s' % (s, r, m), 'mov%s %s,%s' % (s, m, r)]
        out += ['mov%s $0x%x,%s' % (s, 0x5a if sz == 8 else 0x12345678 if
                                    sz > 16 else 0x1234, r)
                for r in rr]
        out += ['mov%s $0x7e,%s' % (s, m) for m in mems[:6]]
        for sh in SHIFTS:
            k += 1
            out += ['%s%s %s' % (sh, s, pick(rr, k)),
                    '%s%s $3,%s' % (sh, s, pick(mems, k)),
                    '%s%s %%cl,%s' % (sh, s, pick(rr, k + 1)),
                    '%s%s %s' % (sh, s, pick(mems, k + 2))]
        for u in ('inc', 'dec', 'neg', 'not', 'mul', 'imul', 'div', 'idiv'):
            k += 1
            out += ['%s%s %s' % (u, s, pick(rr, k)),
                    '%s%s %s' % (u, s, pick(mems, k))]
        out += ['test%s %s,%s' % (s, pick(rr, 1), pick(mems, 2)),
                'test%s $0x%x,%s' % (s, 0x7f if sz == 8 else 0x12345,
                                     pick(mems, 3)),
                'test%s $0x%x,%s' % (s, 0x7f if sz == 8 else 0x1234,
                                     pick(rr, 2)),
                'xchg%s %s,%s' % (s, pick(rr, 0), pick(mems, 4)),
                'lock xchg%s %s,%s' % (s, pick(rr, 1), pick(mems, 5)),
                'cmpxchg%s %s,%s' % (s, pick(rr, 2), pick(mems, 6)),
                'lock cmpxchg%s %s,%s' % (s, pick(rr, 0), pick(mems, 7)),
                'xadd%s %s,%s' % (s, pick(rr, 3), pick(mems, 8)),
                'lock xadd%s %s,%s' % (s, pick(rr, 1), pick(mems, 9))]
    for sz in sizes(mode)[1:]:
        s = SUF[sz]
        rr = regs(mode, sz)
        for i, bt in enumerate(('bt', 'bts', 'btr', 'btc')):
            out += ['%s%s %s,%s' % (bt, s, pick(rr, i), pick(mems, i)),
                    '%s%s $0x%x,%s' % (bt, s, 5 + i, pick(mems, i + 4)),
                    '%s%s $3,%s' % (bt, s, pick(rr, i + 1))]
            if bt != 'bt':
                out.append('lock %s%s %s,%s' % (bt, s, pick(rr, i),
                                                pick(mems, i + 6)))
        out += ['movzb%s %s,%s' % (s, pick(mems, 1), pick(rr, 0)),
                'movsb%s %s,%s' % (s, pick(mems, 2), pick(rr, 1)),
                'movzb%s %%cl,%s' % (s, pick(rr, 2)),
                'imul%s %s,%s' % (s, pick(mems, 3), pick(rr, 1)),
                'imul%s $0x7f,%s,%s' % (s, pick(mems, 4), pick(rr, 2)),
                'imul%s $0x1234,%s,%s' % (s, pick(rr, 0), pick(rr, 3)),
                'lea%s %s,%s' % (s, pick(mems, 5), pick(rr, 1)),
                'lea%s %s,%s' % (s, pick(mems, 10), pick(rr, 2)),
                'bsf%s %s,%s' % (s, pick(mems, 6), pick(rr, 0)),
                'bsr%s %s,%s' % (s, pick(rr, 1), pick(rr, 0)),
                'popcnt%s %s,%s' % (s, pick(mems, 7), pick(rr, 2)),
                'tzcnt%s %s,%s' % (s, pick(mems, 8), pick(rr, 1)),
                'lzcnt%s %s,%s' % (s, pick(mems, 9), pick(rr, 3)),
                'shld%s $4,%s,%s' % (s, pick(rr, 0), pick(mems, 10)),
                'shrd%s %%cl,%s,%s' % (s, pick(rr, 1), pick(mems, 11)),
                'movbe%s %s,%s' % (s, pick(mems, 12), pick(rr, 0)),
                'movbe%s %s,%s' % (s, pick(rr, 1), pick(mems, 13))]
        if sz > 16:
            out += ['movzw%s %s,%s' % (s, pick(mems, 2), pick(rr, 0)),
                    'movsw%s %s,%s' % (s, pick(mems, 3), pick(rr, 1)),
                    'movnti %s,%s' % (pick(rr, 0), pick(mems, 4)),
                    'crc32%s %s,%s' % (s, pick(mems, 5),
                                       pick(rr, 0) if sz == 64 else
                                       pick(regs(mode, 32), 1)),
                    'bswap %s' % pick(rr, 2)]
        for c in CC[::3]:
            out += ['cmov%s %s,%s' % (c, pick(mems, len(out)), pick(rr, 1))]
    for c in CC:
        out += ['set%s %s' % (c, pick(mems, len(out))),
                'set%s %%cl' % c]
    if mode == 64:
        out += ['movslq (%rax),%rcx', 'movslq %eax,%r8', 'movsxd %eax,%eax',
                'movabs $0x1122334455667788,%rax',
                'movabs $0x1122334455667788,%r11',
                'movabs 0x1122334455667788,%al',
                'movabs 0x1122334455667788,%eax',
                'movabs %rax,0x1122334455667788',
                'movabs %ax,0x1122334455667788', 'mov 0x12345678,%eax',
                'addr32 mov 0x12345678,%eax', 'mov %eax,%fs:0x10',
                'cqto', 'cltq', 'cdqe', 'swapgs', 'syscall', 'sysretq',
                'sysretl', 'iretq', 'lretq', 'rdfsbase %rax',
                'wrgsbase %r8', 'movq %cr0,%rax', 'movq %cr8,%r9',
                'movq %rax,%cr3', 'movq %rbx,%cr4', 'movq %db7,%rcx',
                'movq %rdx,%db0', 'pushq $0x12', 'pushq $0x1234567',
                'pushw $0x1234', 'pushq (%rax)', 'popq 0x10(%rsp)',
                'push %r12', 'pop %r13', 'pushw %ax', 'popw %r8w',
                'pushfq', 'popfq', 'pushfw', 'push %fs', 'pop %gs',
                'xchg %r8,%rax', 'xchg %eax,%eax', 'nop', 'pause',
                'cmpxchg16b (%rdi)', 'lock cmpxchg16b 0x10(%rsi)',
                'rdpid %rax', 'incsspq %rax', 'rdsspq %rax', 'endbr64',
                'movq %rax,%xmm0', 'movq %xmm1,%rcx', 'movq (%rax),%xmm2',
                'movq %xmm3,(%rbx)', 'prefetchw (%rax)', 'clzero',
                'rdpru', 'invlpgb', 'tlbsync', 'monitorx', 'mwaitx',
                'xchg %ax,%r9w', 'andn %rax,%rbx,%rcx',
                'bextr %rax,(%rbx),%rcx', 'blsi (%rax),%rbx',
                'bzhi %rax,%rbx,%rcx', 'mulx (%rax),%rbx,%rcx',
                'pdep %rax,%rbx,%rcx', 'rorx $3,%rax,%rbx',
                'sarx %rax,(%rbx),%rcx', 'shlx %eax,%ebx,%ecx',
                'blcfill %rax,%rbx', 'bextr $0x1234,%rax,%rbx',
                'lwpins $0x12345678,%eax,%rbx', 'llwpcb %rax',
                'adcx (%rax),%rbx', 'adox %rax,%rbx',
                'movdiri %rax,(%rbx)', 'movdir64b (%rax),%rbx',
                'enqcmd (%rax),%rbx', 'enqcmds (%rax),%rbx',
                'wrssq %rax,(%rbx)', 'wrussq %rax,(%rbx)',
                'cmpxchg %r8,(%r9)', 'cmpbexadd %rax,%rbx,(%rcx)',
                'aadd %eax,(%rbx)', 'aand %rax,(%rbx)', 'aor %eax,(%rbx)',
                'axor %rax,(%rbx)', 'senduipi %rax', 'uiret', 'testui',
                'clui', 'stui', 'rdmsr', 'wrmsr', 'wrmsrns',
                'jmp *%rax', 'jmp *(%rax)', 'call *0x10(%rip)',
                'call *%r11', 'ljmp *(%rax)', 'lcall *(%rbx)',
                'rex.W ljmp *(%rax)', 'jmpq *%rax', 'notrack jmp *%rax',
                'bnd jmp *%rax', 'data16 call *%rax',
                'vmovdqu %ymm0,(%rax)', 'vmovdqu (%r8,%r9,4),%ymm15',
                'vmovdqu64 %zmm31,0x40(%rax)', 'vmovdqu8 (%rax),%zmm1{%k1}',
                'vpgatherdd %xmm2,(%rax,%xmm1,4),%xmm3',
                'vpgatherqq %ymm2,0x10(%rax,%ymm13,8),%ymm3',
                'vgatherdps 0x40(%rax,%zmm21,4),%zmm3{%k1}',
                'vpscatterdd %zmm3,0x40(%rax,%zmm21,4){%k2}',
                'vaddps %zmm1,%zmm2,%zmm3{%k1}{z}',
                'vaddps {rn-sae},%zmm1,%zmm2,%zmm3',
                'vaddps (%rax){1to16},%zmm2,%zmm3',
                'vaddph %zmm1,%zmm2,%zmm3', 'vfmadd132ph (%rax),%xmm1,%xmm2',
                'vpcmov %xmm1,(%rax),%xmm2,%xmm3',
                'vprotd $3,%xmm1,%xmm2', 'vfrczps (%rax),%ymm2',
                'kmovw %k1,%eax', 'kmovq %k1,(%rax)', 'kandw %k1,%k2,%k3',
                'tileloadd (%rax,%rbx,1),%tmm1', 'ldtilecfg (%rax)',
                'tdpbssd %tmm1,%tmm2,%tmm3', 'tilerelease', 'hreset $1',
                'vpdpbusd %xmm1,%xmm2,%xmm3', 'vcvtneps2bf16 %ymm1,%xmm2',
                'sha1rnds4 $1,(%rax),%xmm1', 'gf2p8affineqb $1,%xmm1,%xmm2',
                'vaesenc %zmm1,%zmm2,%zmm3', 'vpclmulqdq $1,%ymm1,%ymm2,%ymm3',
                'invpcid (%rax),%rbx', 'invept (%rax),%rbx',
                'invvpid 0x10(%rax),%rcx', 'vmread %rax,(%rbx)',
                'vmwrite (%rax),%rbx', 'vmptrld (%rax)', 'vmptrst (%rax)',
                'vmclear (%rax)', 'vmxon (%rax)', 'xsaves (%rax)',
                'xrstors64 (%rax)', 'xsavec64 (%rax)', 'xsave64 (%rax)',
                'fxsave64 (%rax)', 'lgdt (%rax)', 'sgdt 0x10(%rsp)',
                'movsq', 'rep movsq', 'rep stosq', 'lodsq', 'scasq',
                'repne scasb', 'repe cmpsq', 'addr32 rep movsb',
                'xbegin .+0x106', 'data16 xbegin .+0x106', 'xabort $1',
                'xend', 'xtest', 'xacquire lock incl (%rax)',
                'xrelease movl $0,(%rax)', 'vzeroupper', 'vzeroall',
                'kortestw %k1,%k2', 'vpbroadcastb %xmm1,%zmm2',
                'vpternlogd $0x1,%zmm1,%zmm2,%zmm3',
                'vextracti128 $1,%ymm1,(%rax)', 'vcvtps2ph $0,%ymm1,(%rax)',
                'vpmovdb %zmm1,(%rax)', 'vpcompressd %zmm1,(%rax){%k1}',
                'vmaskmovps %ymm1,%ymm2,(%rax)', 'vpmaskmovd (%rax),%xmm1,%xmm2',
                'vldmxcsr (%rax)', 'vstmxcsr 0x10(%rax)',
                'vpextrb $1,%xmm1,(%rax)', 'vpinsrq $1,(%rax),%xmm1,%xmm2',
                'vmovd %xmm1,%eax', 'vmovq (%rax),%xmm1', 'vmovq %xmm1,(%rax)',
                'vcvtsi2sdq (%rax),%xmm1,%xmm2', 'vcvtusi2ss %rax,%xmm1,%xmm2',
                'vpshufb %xmm1,%xmm2,%xmm10', 'vpsrlw $3,%xmm1,%xmm2',
                'vpsrlw $3,(%rax),%zmm2', 'vprold $3,%zmm1,%zmm2',
                'vpsrldq $3,%ymm1,%ymm2', 'vpslldq $3,(%rax),%zmm2']
    return out


def system(mode):
    out = ['cli', 'sti', 'hlt', 'clts', 'invd', 'wbinvd', 'wbnoinvd',
           'rdtsc', 'rdtscp', 'rdpmc', 'cpuid', 'pushf', 'popf', 'int3',
           'int $0x80', 'int1', 'iret', 'lret', 'lret $8', 'ret', 'ret $0x10',
           'leave', 'enter $0x10,$0', 'enter $0x1234,$3', 'clc', 'stc',
           'cld', 'std', 'cmc', 'sahf', 'lahf', 'cbtw', 'cwtl', 'cwtd',
           'cltd', 'xlat', 'ud2', 'ud1 (%eax),%eax' if mode != 16 else
           'ud1 (%bx),%ax', 'in $0x60,%al', 'in $0x60,%ax', 'in $0x60,%eax',
           'in (%dx),%al', 'in (%dx),%ax', 'in (%dx),%eax', 'out %al,$0x80',
           'out %ax,$0x80', 'out %eax,$0x80', 'out %al,(%dx)',
           'out %ax,(%dx)', 'out %eax,(%dx)', 'insb', 'insw', 'insl',
           'outsb', 'outsw', 'outsl', 'rep insb', 'rep outsw', 'movsb',
           'movsw', 'movsl', 'cmpsb', 'stosb', 'stosw', 'stosl', 'lodsb',
           'scasw', 'rep movsb', 'rep movsl', 'rep stosl', 'repe cmpsb',
           'repne scasw', 'movsb %fs:(%esi),%es:(%edi)' if mode != 16 else
           'movsb %fs:(%si),%es:(%di)', 'rep lods %es:(%esi),%eax',
           'sldt %ax', 'str %eax', 'lldt %ax', 'ltr %ax', 'verr %ax',
           'verw %ax', 'smsw %eax', 'lmsw %ax', 'lar %ax,%bx',
           'lsl %ecx,%edx', 'mov %es,%ax', 'mov %ax,%ds', 'mov %ss,%ecx',
           'mov %ax,%fs', 'mov %gs,%eax', 'mov %ax,%gs', 'mov %cs,%ax',
           'swapgs' if mode == 64 else 'sysenter', 'sysexit' if mode != 16
           else 'sysenter', 'vmcall', 'vmlaunch', 'vmresume', 'vmxoff',
           'vmfunc', 'vmrun', 'vmmcall', 'vmload', 'vmsave', 'stgi', 'clgi',
           'skinit', 'invlpga', 'monitor', 'mwait', 'clac', 'stac',
           'xgetbv', 'xsetbv', 'encls', 'enclu', 'enclv', 'pconfig',
           'serialize', 'rdpkru', 'wrpkru', 'rdrand %eax', 'rdseed %ecx',
           'lfence', 'mfence', 'sfence', 'emms', 'femms', 'getsec', 'rsm',
           'fninit', 'fnclex', 'fld1', 'fldz', 'fldpi', 'fsin', 'fcos',
           'fsqrt', 'fabs', 'fchs', 'fxch %st(3)', 'fadd %st(2),%st',
           'faddp %st,%st(1)', 'fcompp', 'fucompp', 'fucomi %st(1),%st',
           'fcomip %st(2),%st', 'ffreep %st(1)', 'fnop', 'fnstsw %ax',
           'fyl2x', 'f2xm1', 'fscale', 'fprem1', 'fcmovb %st(1),%st',
           'fcmovnu %st(7),%st', 'fdecstp', 'fincstp', 'frndint',
           'fxtract', 'fptan', 'fpatan']
    for m in MEM[mode][:8]:
        out += ['flds %s' % m, 'fldl %s' % m, 'fldt %s' % m,
                'fstps %s' % m, 'fstpl %s' % m, 'fstpt %s' % m,
                'fildl %s' % m, 'fildll %s' % m, 'filds %s' % m,
                'fistps %s' % m, 'fistpll %s' % m, 'fisttpl %s' % m,
                'fadds %s' % m, 'fmull %s' % m, 'fidivrs %s' % m,
                'fcoml %s' % m, 'fnstcw %s' % m, 'fldcw %s' % m,
                'fnstenv %s' % m, 'fldenv %s' % m, 'fnsave %s' % m,
                'frstor %s' % m, 'fbld %s' % m, 'fbstp %s' % m,
                'fnstsw %s' % m]
    for i, m in enumerate(MEM[mode]):
        out += [pick(['sgdt', 'sidt', 'lgdt', 'lidt', 'invlpg', 'smsw',
                      'lmsw', 'sldt', 'str', 'lldt', 'ltr', 'verr', 'verw',
                      'fxsave', 'fxrstor', 'xsave', 'xrstor', 'xsaveopt',
                      'clflush', 'clflushopt', 'clwb', 'ldmxcsr',
                      'stmxcsr', 'prefetchnta', 'prefetcht0', 'prefetcht2',
                      'cldemote', 'cmpxchg8b', 'nopl', 'nopw'], i) + ' ' + m,
                'mov %s,%s' % (pick(['%es', '%ss', '%ds', '%fs', '%gs'], i),
                               m),
                'mov %s,%s' % (m, pick(['%es', '%ss', '%ds', '%fs', '%gs'],
                                       i))]
    if mode != 64:
        out += ['pusha', 'popa', 'pushal', 'popaw', 'daa', 'das', 'aaa',
                'aas', 'aam', 'aad', 'aam $0x10', 'aad $7', 'into',
                'push %es', 'pop %es', 'push %cs', 'push %ss', 'pop %ss',
                'push %ds', 'pop %ds', 'push %fs', 'pop %gs',
                'inc %ax', 'dec %edi', 'les (%eax),%ecx', 'lds (%ebx),%dx',
                'lss (%eax),%esp', 'lfs (%eax),%ebx', 'lgs (%eax),%bx',
                'bound %eax,(%ebx)', 'bound %ax,(%bx)', 'arpl %ax,(%ebx)',
                'arpl %cx,%dx', 'lcall $0x10,$0x1234', 'ljmp $0x10,$0x1234',
                'lcallw $0x10,$0x1234', 'ljmpl $0x10,$0x12345678',
                'lcall *(%eax)', 'ljmp *(%ebx)', 'call *%eax',
                'jmp *(%ecx)', 'jmp *%ax', 'call *(%bx)', 'pushl $0x12',
                'pushw $0x1234', 'pushl $0x12345678', 'pushl (%eax)',
                'popl (%ebx)', 'push %eax', 'pop %cx', 'movl %cr0,%eax',
                'movl %eax,%cr0', 'movl %cr2,%ebx', 'movl %cr4,%ecx',
                'movl %db6,%eax', 'movl %eax,%db7', 'mov 0x1234,%al',
                'mov 0x1234,%ax', 'mov %eax,0x12345678', 'addr16 mov 0x12,%al',
                'mov %al,%es:0x1234', 'vmovdqu (%eax),%ymm0',
                'vpgatherdd %xmm2,(%eax,%xmm1,4),%xmm3',
                'vaddps %zmm1,%zmm2,%zmm3{%k1}', 'vmovups (%eax),%zmm7',
                'vpcmov %xmm1,(%eax),%xmm2,%xmm3', 'vprotd $3,%xmm1,%xmm2',
                'andn %eax,%ebx,%ecx', 'rorx $3,%eax,%ebx', 'sysenter',
                'rdpid %eax', 'cmpxchg8b (%esi)', 'lock cmpxchg8b (%edi)',
                'movd %eax,%xmm0', 'movd (%eax),%mm1', 'movq %mm0,(%eax)',
                'pfadd %mm1,%mm0', 'pfmul (%eax),%mm2', 'pi2fd %mm1,%mm2',
                'pswapd %mm1,%mm2', 'pavgusb (%ebx),%mm3', 'prefetch (%eax)',
                'extrq $2,$1,%xmm0', 'insertq $2,$1,%xmm1,%xmm0',
                'extrq %xmm1,%xmm0', 'insertq %xmm1,%xmm0',
                'movntss %xmm1,(%eax)', '.byte 0xd6']
    return out


def simd(mode):
    m = MEM[mode]
    out = []
    for i, op in enumerate(['movups', 'movaps', 'movupd', 'movapd',
                            'movdqa', 'movdqu', 'movss', 'movsd',
                            'movlps', 'movhps', 'movlpd', 'movhpd',
                            'movntps', 'movntdq', 'movntpd']):
        out += ['%s %s,%%xmm1' % (op, pick(m, i)),
                '%s %%xmm2,%s' % (op, pick(m, i + 1))]
        if 'l' not in op[3:] and 'h' not in op[3:] and 'nt' not in op:
            out.append('%s %%xmm3,%%xmm4' % op)
    for i, op in enumerate(['addps', 'addpd', 'addss', 'addsd', 'mulps',
                            'subsd', 'divss', 'sqrtps', 'maxpd', 'minss',
                            'andps', 'xorpd', 'unpcklps', 'unpckhpd',
                            'cvtps2pd', 'cvtdq2ps', 'cvttps2dq', 'comiss',
                            'ucomisd', 'paddb', 'psubq', 'pmullw', 'pand',
                            'por', 'pxor', 'pcmpeqb', 'pcmpgtd', 'packsswb',
                            'punpcklbw', 'pmaddwd', 'psadbw', 'pavgb',
                            'pshufb', 'phaddw', 'pabsd', 'pmulld', 'pminsb',
                            'pmovzxbw', 'pmovsxdq', 'ptest', 'aesenc',
                            'aesdeclast', 'aesimc', 'sha1msg1', 'sha256msg2',
                            'pclmullqlqdq', 'haddps', 'addsubpd', 'lddqu',
                            'movddup', 'movshdup', 'pcmpeqq', 'packusdw',
                            'phminposuw', 'gf2p8mulb', 'sha1nexte']):
        out += ['%s %s,%%xmm%d' % (op, pick(m, i), i % 8),
                '%s %%xmm%d,%%xmm%d' % (op, (i + 3) % 8, i % 8)]
    for i, op in enumerate(['paddb', 'psubw', 'pmullw', 'pand', 'pxor',
                            'pcmpeqb', 'punpcklbw', 'pshufb', 'pabsw',
                            'pmaddubsw', 'pavgb', 'psadbw', 'pmulhrsw',
                            'palignr $3,']):
        if op.endswith(','):
            out.append('%s%s,%%mm1' % (op, pick(m, i)))
        else:
            out += ['%s %s,%%mm%d' % (op, pick(m, i), i % 8),
                    '%s %%mm1,%%mm2' % op]
    out += ['pshufd $0x1b,%s,%%xmm1' % m[0], 'pshufw $0x1b,%mm1,%mm2',
            'pshufhw $1,%xmm1,%xmm2', 'pshuflw $1,%s,%%xmm2' % m[1],
            'psrlw $3,%mm1', 'psraw $3,%xmm1', 'psllq $63,%xmm2',
            'psrldq $4,%xmm3', 'pslldq $4,%xmm4', 'psrlq %xmm1,%xmm2',
            'cmpps $1,%s,%%xmm1' % m[2], 'cmpltsd %xmm1,%xmm2',
            'shufps $0x44,%s,%%xmm1' % m[3], 'pinsrw $1,%s,%%xmm1' % m[4],
            'pextrw $1,%xmm1,%eax', 'pextrb $1,%%xmm1,%s' % m[5],
            'pextrd $1,%%xmm1,%s' % m[6], 'extractps $1,%%xmm1,%s' % m[7],
            'pinsrb $1,%s,%%xmm1' % m[8], 'insertps $1,%s,%%xmm1' % m[9],
            'roundss $1,%s,%%xmm1' % m[10], 'blendps $1,%xmm1,%xmm2',
            'pblendvb %xmm0,%xmm1,%xmm2', 'blendvps %xmm0,(%esi),%xmm2'
            if mode != 64 else 'blendvps %xmm0,(%rsi),%xmm2',
            'pcmpistri $1,%xmm1,%xmm2', 'pcmpestrm $1,%s,%%xmm2' % m[11],
            'dpps $1,%xmm1,%xmm2', 'mpsadbw $1,%xmm1,%xmm2',
            'pclmulqdq $0x11,%xmm1,%xmm2', 'aeskeygenassist $1,%xmm1,%xmm2',
            'sha1rnds4 $1,%xmm1,%xmm2', 'movmskps %xmm1,%eax',
            'pmovmskb %xmm1,%eax', 'pmovmskb %mm1,%eax',
            'maskmovq %mm1,%mm2', 'maskmovdqu %xmm1,%xmm2',
            'movq2dq %mm1,%xmm2', 'movdq2q %xmm1,%mm2',
            'movntq %%mm1,%s' % m[12], 'movntdqa %s,%%xmm1' % m[13],
            'movd %%xmm1,%s' % m[14], 'movd %s,%%xmm1' % m[15],
            'movq %s,%%xmm1' % m[0], 'movq %%xmm1,%s' % m[1],
            'movq %s,%%mm1' % m[2], 'movq %%mm1,%s' % m[3],
            'cvtsi2ss %s,%%xmm1' % m[4], 'cvttsd2si %xmm1,%eax',
            'cvtpi2ps %mm1,%xmm2', 'cvtps2pi %xmm1,%mm2',
            'movhlps %xmm1,%xmm2', 'movlhps %xmm1,%xmm2',
            'ldmxcsr %s' % m[5], 'stmxcsr %s' % m[6], 'popcnt %eax,%ebx',
            'crc32b %cl,%eax', 'crc32l %ecx,%eax', 'crc32w (%esi),%eax'
            if mode != 64 else 'crc32w (%rsi),%eax']
    for i, op in enumerate(['vaddps', 'vmulpd', 'vsubss', 'vdivsd',
                            'vandps', 'vxorpd', 'vpaddd', 'vpsubq', 'vpand',
                            'vpcmpeqb', 'vpshufb', 'vpmulld', 'vpermilps',
                            'vfmadd213ps', 'vfnmsub231sd', 'vpsllvd',
                            'vpermps', 'vpmaxsd', 'vaesenc', 'vhaddps']):
        ymm = 'ymm' if i % 3 == 0 and op[-2:] not in ('ss', 'sd') and \
            op != 'vaesenc' else 'xmm'
        out += ['%s %s,%%%s1,%%%s2' % (op, pick(m, i), ymm, ymm),
                '%s %%%s3,%%%s1,%%%s2' % (op, ymm, ymm, ymm)]
    for i, op in enumerate(['vmovups', 'vmovaps', 'vmovdqu', 'vmovdqa',
                            'vmovntdq', 'vmovupd']):
        out += ['%s %%ymm%d,%s' % (op, i, pick(m, i)),
                '%s %%xmm%d,%s' % (op, i, pick(m, i + 1))]
        if 'nt' not in op:
            out += ['%s %s,%%ymm%d' % (op, pick(m, i + 2), i),
                    '%s %s,%%xmm%d' % (op, pick(m, i + 3), i)]
    out += ['vmovss %s,%%xmm1' % m[0], 'vmovsd %%xmm1,%s' % m[1],
            'vmovd %s,%%xmm1' % m[2], 'vmovq %%xmm1,%s' % m[3],
            'vbroadcastss %s,%%ymm1' % m[4], 'vinsertf128 $1,%s,%%ymm1,%%ymm2'
            % m[5], 'vextractf128 $1,%%ymm1,%s' % m[6],
            'vperm2f128 $1,%ymm1,%ymm2,%ymm3', 'vpblendd $1,%ymm1,%ymm2,%ymm3',
            'vblendvps %ymm4,%ymm1,%ymm2,%ymm3', 'vpsrldq $3,%ymm1,%ymm2',
            'vpslld $3,%xmm1,%xmm2', 'vtestps %ymm1,%ymm2',
            'vcvtph2ps %s,%%ymm1' % m[7], 'vcvtps2ph $3,%%ymm1,%s' % m[8],
            'vzeroupper', 'vzeroall', 'vldmxcsr %s' % m[9],
            'vstmxcsr %s' % m[10], 'vmaskmovpd %s,%%ymm1,%%ymm2' % m[11],
            'vpmaskmovq %%ymm1,%%ymm2,%s' % m[12],
            'vpbroadcastq %s,%%ymm1' % m[13], 'vpermq $1,%ymm1,%ymm2',
            'vpdpbusd %ymm1,%ymm2,%ymm3',
            'vmovups %s,%%zmm1' % m[0], 'vmovdqu32 %%zmm1,%s' % m[1],
            'vmovdqa64 %s,%%zmm2{%%k3}{z}' % m[2],
            'vaddpd %s,%%zmm1,%%zmm2' % m[3],
            'vaddps 0x40(%s),%%zmm1,%%zmm2' % ('%eax' if mode != 64 else
                                               '%rax'),
            'vpandd %zmm1,%zmm2,%zmm3{%k1}', 'vpcmpd $1,%zmm1,%zmm2,%k1',
            'vpermt2d %zmm1,%zmm2,%zmm3', 'vcompressps %%zmm1,%s{%%k1}' % m[4],
            'vextractf32x4 $1,%%zmm1,%s' % m[5], 'vpmovqd %%zmm1,%s' % m[6],
            'vcvtudq2ps %zmm1,%zmm2', 'vrndscaleps $1,%zmm1,%zmm2',
            'vfixupimmpd $1,%zmm1,%zmm2,%zmm3', 'vpconflictd %zmm1,%zmm2',
            'vaddsh %xmm1,%xmm2,%xmm3', 'vcvtph2w %zmm1,%zmm2',
            'vpshldvd %zmm1,%zmm2,%zmm3', 'vpopcntq %zmm1,%zmm2',
            'vgf2p8affineqb $1,%zmm1,%zmm2,%zmm3', 'kmovw %k1,%k2',
            'kmovb (%eax),%k1' if mode != 64 else 'kmovb (%rax),%k1',
            'kaddw %k1,%k2,%k3', 'knotq %k1,%k2', 'kshiftlw $3,%k1,%k2',
            'vpmovm2d %k1,%zmm2', 'vp2intersectd %zmm1,%zmm2,%k2']
    return out


def branches(mode):
    out = []
    for c in CC:
        out += ['j%s .+0x10' % c, 'j%s .+0x1000' % c, 'j%s .-0x80' % c]
    out += ['jmp .+0x10', 'jmp .+0x1000', 'jmp .-0x2', 'call .+0x100',
            'call .-0x1000', 'loop .+0x10', 'loope .-0x10', 'loopne .+0',
            'jcxz .+4' if mode != 64 else 'jecxz .+4',
            'jecxz .+4' if mode != 64 else 'jrcxz .+4']
    if mode != 64:
        out += ['data16 jmp .+0x1000', 'data16 call .+0x100',
                'data16 je .+0x1000', 'addr16 loop .+0x10']
    else:
        out += ['data16 jmp .+0x10']
    return out


TEMPLATES = [general, system, simd, branches]

# --------------------------------------------------------------- assembling

AS = {16: ['--32'], 32: ['--32'], 64: ['--64']}
MACH = {16: ['-m', 'i8086'], 32: ['-m', 'i386'],
        64: ['-m', 'i386:x86-64', '-M', 'intel64']}
DIRECTIVE = {16: '.code16\n', 32: '.code32\n', 64: '.code64\n'}


def assemble(mode, lines):
    """Assemble line by line, dropping what as rejects (template mistakes
    for one mode).  Returns the raw bytes of all accepted lines."""
    ok = []
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'x.s')
        obj = os.path.join(tmp, 'x.o')
        binf = os.path.join(tmp, 'x.bin')
        with open(src, 'w') as f:
            f.write(DIRECTIVE[mode])
            for i, line in enumerate(lines):
                f.write('%s\n' % line)
        r = subprocess.run(['as'] + AS[mode] + ['-o', obj, src],
                           capture_output=True, text=True)
        bad = set()
        for err in r.stderr.splitlines():
            m = re.match(r'.*:(\d+): Error', err)
            if m:
                bad.add(int(m.group(1)) - 2)
        ok = [ln for i, ln in enumerate(lines) if i not in bad]
        if os.environ.get('CORPUS_VERBOSE'):
            for i in sorted(bad):
                sys.stderr.write('%d: as rejects: %s\n' % (mode, lines[i]))
        with open(src, 'w') as f:
            f.write(DIRECTIVE[mode] + ''.join('%s\n' % ln for ln in ok))
        subprocess.run(['as'] + AS[mode] + ['-o', obj, src], check=True,
                       capture_output=True)
        subprocess.run(['objcopy', '-O', 'binary', '-j', '.text', obj, binf],
                       check=True)
        out = subprocess.run(['objdump', '-D', '-z', '-b', 'binary',
                              '--insn-width=16'] + MACH[mode] + [binf],
                             capture_output=True, text=True,
                             check=True).stdout
        blob = open(binf, 'rb').read()
    return blob, out


GPR = {}
for i, n in enumerate(['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di']):
    GPR['r' + n] = GPR['e' + n] = GPR[n] = i
for i in range(8, 16):
    for s in ('', 'd', 'w', 'b'):
        GPR['r%d%s' % (i, s)] = i
GPR['rip'] = GPR['eip'] = 0xfe
GPR['riz'] = GPR['eiz'] = 0xff
for i in range(32):
    for v in ('xmm', 'ymm', 'zmm'):
        GPR['%s%d' % (v, i)] = i
SEG = {'es': 0, 'cs': 1, 'ss': 2, 'ds': 3, 'fs': 4, 'gs': 5}

MEMRE = re.compile(r'(?:%([cdefgs]s):)?(-?0x[0-9a-f]+)?\((%[a-z0-9]+)?'
                   r'(?:,(%[a-z0-9]+)(?:,([1248]))?)?\)')
ABSRE = re.compile(r'(?:^|[ ,])(?:%([cdefgs]s):)?(0x[0-9a-f]+)(?=$|,)')
BRANCH = re.compile(r'^(j[a-z]+|call[wlq]?|loop[a-z]*|xbegin[wl]?)$')


def parse(text, ip, length):
    """Operands objdump printed: returns dict of checks."""
    c = {}
    text = text.split('#')[0].strip()
    parts = text.split(None, 1)
    mnem = parts[0] if parts else ''
    ops = parts[1] if len(parts) > 1 else ''
    while mnem in ('rep', 'repz', 'repnz', 'lock', 'data16', 'addr32',
                   'addr16', 'data32', 'notrack', 'bnd', 'xacquire',
                   'xrelease', 'cs', 'ds', 'es', 'ss', 'fs', 'gs') and ops:
        parts = ops.split(None, 1)
        mnem = parts[0]
        ops = parts[1] if len(parts) > 1 else ''
    imms = re.findall(r'\$(-?0x[0-9a-f]+)', ops)
    if len(imms) == 1 and not mnem.startswith(('enter', 'ljmp', 'lcall')):
        c['imm'] = int(imms[0], 16)
    if BRANCH.match(mnem) and '*' not in ops:
        m = re.match(r'^(0x[0-9a-f]+)', ops)
        if m:
            c['target'] = int(m.group(1), 16)
        return c
    if '*' in ops and '(' not in ops:
        return c  # indirect through a register
    m = MEMRE.search(ops.replace('(%dx)', ''))  # IN/OUT port, not memory
    if m:
        c['seg'] = SEG[m.group(1)] if m.group(1) else None
        c['disp'] = int(m.group(2), 16) if m.group(2) else 0
        c['base'] = GPR[m.group(3)[1:]] if m.group(3) else 0xff
        c['index'] = GPR[m.group(4)[1:]] if m.group(4) else 0xff
        c['scale'] = int(m.group(5)) if m.group(5) else 1
        if mnem.startswith(('ins', 'outs', 'movs', 'cmps', 'stos', 'lods',
                            'scas', 'xlat', 'maskmov', 'monitor',
                            'clzero', 'enqcmd', 'movdir64b', 'ldtilecfg',
                            'tileload', 'tilestore')) or \
                c['base'] in (6, 7) and '%es:(' in ops:
            for k in ('seg', 'disp', 'base', 'index', 'scale'):
                c.pop(k, None)
        return c
    m = ABSRE.search(ops)
    if m and not imms:
        c['seg'] = SEG[m.group(1)] if m.group(1) else None
        c['disp'] = int(m.group(2), 16)
        c['base'] = 0xff
        c['index'] = 0xff
        c['scale'] = 1
    return c


def collect(mode):
    lines = []
    for t in TEMPLATES:
        lines += t(mode)
    seen = set()
    uniq = [ln for ln in lines if not (ln in seen or seen.add(ln))]
    blob, out = assemble(mode, uniq)
    pat = re.compile(r'^\s*([0-9a-f]+):\t((?:[0-9a-f]{2} )+)\s*\t?(.*)$')
    vecs = []
    for line in out.splitlines():
        m = pat.match(line)
        if not m:
            continue
        addr = int(m.group(1), 16)
        bs = bytes.fromhex(m.group(2).replace(' ', ''))
        text = m.group(3).strip()
        assert blob[addr:addr + len(bs)] == bs
        if '(bad)' in text or len(bs) > 15:
            continue
        vecs.append((mode, addr, bs, text, parse(text, addr, len(bs))))
    return vecs


def wrap(items):
    lines, cur = [], '\t' + items[0]
    for it in items[1:]:
        if len(cur.expandtabs()) + 1 + len(it) > 79:
            lines.append(cur)
            cur = '\t  ' + it
        else:
            cur += ' ' + it
    return '\n'.join(lines + [cur])


def cstr(s):
    return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')


def main():
    print('''/*
 * tests/unit/decode/corpus.c - instructions assembled by GNU as 2.40 and
 * split by GNU objdump 2.40 (-M intel64 in 64-bit mode), with the operands
 * objdump printed.  GENERATED by gen/corpus.py; do not edit.
 */
#include "decode-test.h"

const struct corpus_vec corpus[] = {''')
    total = 0
    for mode in (16, 32, 64):
        for mode_, ip, bs, text, c in collect(mode):
            total += 1
            has = []
            fields = []
            if 'imm' in c:
                has.append('CV_IMM')
                fields.append('.imm = 0x%x' % (c['imm'] & (2**64 - 1)))
            if 'target' in c:
                has.append('CV_TARGET')
                fields.append('.target = 0x%x' % c['target'])
            if 'base' in c:
                has.append('CV_MEM')
                fields.append('.base = 0x%x, .index = 0x%x, .scale = %d' %
                              (c['base'], c['index'], c['scale']))
                fields.append('.disp = 0x%x' % (c['disp'] & (2**64 - 1)))
                fields.append('.seg = 0x%x' % (c['seg'] if c['seg'] is not
                                               None else 0xff))
            items = ['{ %d, %d, 0x%x, "%s",' %
                     (mode, len(bs), ip, ''.join('\\x%02x' % b for b in bs)),
                     (' | '.join(has) or '0') + ','] + \
                [f + ',' for f in fields] + \
                ['.text = %s },' % cstr(text[:40])]
            print(wrap(items))
    print('};\n\nconst size_t corpus_len = sizeof(corpus) / sizeof(corpus[0]);')
    sys.stderr.write('%d instructions\n' % total)


if __name__ == '__main__':
    main()
