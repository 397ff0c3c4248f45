// SPDX-License-Identifier: MIT
/*
 * vmitest: the Linux test guest's workload (/bin/vmitest in the initramfs
 * of tools/linux-guest.sh).  It exercises what a paravirtual kernel
 * replaces: timers (clockevents), the clocksource, wake-up IPIs,
 * cross-CPU function calls and TLB shootdowns, on one or two CPUs.
 *
 *   vmitest work [KEY=N ...]       timer and IPI workload with checks
 *   vmitest ipi N [mode=spin|read] [settle=MS]
 *   vmitest idle SECONDS [settle=MS]
 *
 * Every result is one line starting with "VMITEST "; a failure prints
 * "VMITEST <command> FAIL <reason>" and exits with status 1 (2 for a
 * usage error).  Arguments may also be separated by commas, so the
 * initramfs can pass "sleeps=50,clock=100" from the kernel command line.
 *
 * work: threads are pinned with sched_setaffinity to the first two CPUs
 * the process may use (both threads share one CPU on a 1-CPU guest).
 * While one thread per CPU does `sleeps` short clock_nanosleep()s, each
 * checked to last at least what was asked (CLOCK_MONOTONIC) and at most
 * `maxlate` ms longer, a pair of threads on the two CPUs runs, in turn:
 *   pingpong    round trips of a byte through two pipes (wake-up IPIs);
 *   membarrier  MEMBARRIER_CMD_PRIVATE_EXPEDITED calls while the other
 *               CPU runs a thread of this process, spinning at
 *               SCHED_FIFO (function-call IPIs);
 *   shootdowns  pages written on both CPUs, then mprotect(PROT_READ) and
 *               munmap() on the first: afterwards a write (then a read)
 *               on the second must fault, which a missed TLB shootdown
 *               would let through;
 *   clock       readings of CLOCK_MONOTONIC handed back and forth through
 *               shared memory: one taken after seeing the other CPU's
 *               must not be smaller.
 * The deltas of the RES, CAL and TLB lines of /proc/interrupts over the
 * run are printed when the kernel has them, and that of CAL over the
 * membarrier calls alone (membarrier_cal).
 *
 * ipi: N MEMBARRIER_CMD_PRIVATE_EXPEDITED calls from the first CPU while
 * a thread of the process spins on the second, SCHED_FIFO so that no
 * other thread takes its CPU (mode=spin; mode=read
 * leaves it blocked in read(), where the kernel sends no IPI, as the
 * printed CAL delta shows).  "VMITEST ipi-start" is printed, then the
 * program waits `settle` ms (so a host reading hypervisor counters at
 * the marker is done before the calls start), makes the calls, prints
 * "VMITEST ipi-end n=N ms=T cal=C rt=R" (T: the calls' wall time; C:
 * function-call interrupts counted meanwhile, -1 without a CAL line; R: 1
 * if the spinner got SCHED_FIFO) and waits
 * `settle` ms again before exiting.
 *
 * idle: "VMITEST idle-start", SECONDS of sleep, "VMITEST idle-end", then
 * `settle` ms more sleep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* A wait for the other CPU longer than this is a hang. */
#define WAIT_LIMIT_NS (30ull * 1000000000ull)

static const char *command = "?";
static int cpu_a, cpu_b; /* the pair's CPUs (equal on a 1-CPU guest) */
static int ncpus;	 /* CPUs in the affinity mask */

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("VMITEST %s FAIL %s\n", command, msg);
	fflush(stdout);
	_exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		fail("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("sched_setaffinity(CPU %d): %s", cpu, strerror(errno));
	if (sched_getcpu() != cpu)
		fail("pinned to CPU %d but running on CPU %d", cpu, sched_getcpu());
}

/* The first two CPUs of the affinity mask. */
static void find_cpus(void)
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		fail("sched_getaffinity: %s", strerror(errno));
	ncpus = CPU_COUNT(&set);
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (found++ == 0)
			cpu_a = cpu_b = c;
		else
			cpu_b = c;
	}
	if (!found)
		fail("no CPU in the affinity mask");
}

/*
 * Waits until *p == want.  Spins while the other CPU is a different one,
 * yields on a shared CPU (the other side cannot run meanwhile).
 */
static void wait_for(const int *p, int want, const char *what)
{
	uint64_t start = 0;

	for (unsigned long i = 0; __atomic_load_n(p, __ATOMIC_ACQUIRE) != want; i++) {
		if (cpu_a == cpu_b)
			sched_yield();
		else
			__builtin_ia32_pause();
		if ((i & 4095) == 0) {
			uint64_t t = now_ns();

			if (!start)
				start = t;
			else if (t - start > WAIT_LIMIT_NS)
				fail("waited over %llu s for %s",
				     WAIT_LIMIT_NS / 1000000000ull, what);
		}
	}
}

static void set_flag(int *p, int v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static long membarrier(int cmd, unsigned int flags)
{
	return syscall(__NR_membarrier, cmd, flags, 0);
}

static void membarrier_register(void)
{
	long q = membarrier(MEMBARRIER_CMD_QUERY, 0);

	if (q < 0)
		fail("membarrier(QUERY): %s (a kernel without CONFIG_MEMBARRIER?)",
		     strerror(errno));
	if (!(q & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
		fail("membarrier: PRIVATE_EXPEDITED not offered (commands 0x%lx)", q);
	if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0))
		fail("membarrier(REGISTER_PRIVATE_EXPEDITED): %s", strerror(errno));
}

/* /proc/interrupts: the sum over CPUs of the line named @name ("CAL"), or
 * -1 when there is no such line. */
static long long irq_count(const char *name)
{
	char line[1024];
	size_t len = strlen(name);
	long long sum = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, name, len) || p[len] != ':')
			continue;
		p += len + 1;
		sum = 0;
		for (;;) {
			long long v = strtoll(p, &end, 10);

			if (end == p)
				break;
			sum += v;
			p = end;
		}
		break;
	}
	fclose(f);
	return sum;
}

/* Options: KEY=N words, commas also separate. */
struct opt {
	const char *key;
	long val;
};

static void parse_opts(int argc, char **argv, struct opt *opts, int nopts,
		       const char **mode)
{
	for (int i = 0; i < argc; i++) {
		char *save = NULL;

		for (char *w = strtok_r(argv[i], ",", &save); w;
		     w = strtok_r(NULL, ",", &save)) {
			char *eq = strchr(w, '='), *end;
			int k;

			if (!eq)
				goto bad;
			*eq = '\0';
			if (mode && !strcmp(w, "mode")) {
				*mode = eq + 1;
				continue;
			}
			for (k = 0; k < nopts && strcmp(w, opts[k].key); k++)
				;
			if (k == nopts)
				goto bad;
			errno = 0;
			opts[k].val = strtol(eq + 1, &end, 10);
			if (errno || *end || end == eq + 1 || opts[k].val < 0)
				goto bad;
			continue;
bad:
			printf("VMITEST %s FAIL bad argument '%s'\n", command, w);
			exit(2);
		}
	}
}

/* A thread pinned to @cpu running @fn(@arg). */
struct job {
	pthread_t thread;
	int cpu;
	void *(*fn)(void *);
	void *arg;
};

static void *job_main(void *p)
{
	struct job *j = p;

	pin(j->cpu);
	return j->fn(j->arg);
}

static void job_start(struct job *j, int cpu, void *(*fn)(void *), void *arg)
{
	int e;

	j->cpu = cpu;
	j->fn = fn;
	j->arg = arg;
	e = pthread_create(&j->thread, NULL, job_main, j);
	if (e)
		fail("pthread_create: %s", strerror(e));
}

static void job_join(struct job *j)
{
	int e = pthread_join(j->thread, NULL);

	if (e)
		fail("pthread_join: %s", strerror(e));
}

/* ---- work: sleeps ------------------------------------------------------ */

struct sleeper {
	long n, maxlate_ms;
	int cpu;
	uint64_t late_max_ns, done_ns;
};

static void *sleeper_fn(void *p)
{
	struct sleeper *s = p;

	for (long i = 0; i < s->n; i++) {
		/* 20 us to 500 us, spread over timer slack and tick lengths. */
		uint64_t want = 20000ull * (uint64_t)(1 + (i * 7) % 25);
		struct timespec req = { 0, (long)want };
		uint64_t t0 = now_ns(), took;
		int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);

		if (e)
			fail("clock_nanosleep on CPU %d: %s", s->cpu, strerror(e));
		took = now_ns() - t0;
		if (took < want)
			fail("a %llu us sleep on CPU %d ended after %llu ns",
			     (unsigned long long)want / 1000, s->cpu,
			     (unsigned long long)took);
		if (took - want > s->late_max_ns)
			s->late_max_ns = took - want;
		if (took - want > (uint64_t)s->maxlate_ms * 1000000ull)
			fail("a %llu us sleep on CPU %d took %llu ms",
			     (unsigned long long)want / 1000, s->cpu,
			     (unsigned long long)took / 1000000);
	}
	s->done_ns = now_ns();
	return NULL;
}

/* ---- work: pipe ping-pong ---------------------------------------------- */

static int ping[2], pong[2];

static void xfer(int fd, unsigned char *c, bool wr, const char *what)
{
	ssize_t r = wr ? write(fd, c, 1) : read(fd, c, 1);

	if (r != 1)
		fail("%s: %s", what, r < 0 ? strerror(errno) : "end of file");
}

static void *pong_fn(void *p)
{
	long n = *(long *)p;
	unsigned char c;

	for (long i = 0; i < n; i++) {
		xfer(ping[0], &c, false, "ping-pong: read on the second CPU");
		c++;
		xfer(pong[1], &c, true, "ping-pong: write on the second CPU");
	}
	return NULL;
}

static void pingpong(long n)
{
	struct job j;

	if (pipe(ping) || pipe(pong))
		fail("pipe: %s", strerror(errno));
	job_start(&j, cpu_b, pong_fn, &n);
	for (long i = 0; i < n; i++) {
		unsigned char c = (unsigned char)i, r;

		xfer(ping[1], &c, true, "ping-pong: write on the first CPU");
		xfer(pong[0], &r, false, "ping-pong: read on the first CPU");
		if (r != (unsigned char)(c + 1))
			fail("ping-pong: sent %u, got back %u", c, r);
	}
	job_join(&j);
	close(ping[0]);
	close(ping[1]);
	close(pong[0]);
	close(pong[1]);
}

/*
 * A spinning partner runs SCHED_FIFO: the kernel interrupts only the
 * CPUs that run a thread of the process at the time of a membarrier call
 * or a TLB flush, and under a normal policy a kernel thread preempting
 * the spinner now and then took the IPIs of whole runs away.  Not on a
 * shared CPU, where it would starve the other side.  Best effort: false
 * when the policy cannot be set (not root).
 */
static bool rt_partner(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	return cpu_a != cpu_b &&
	       !pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

static bool partner_rt; /* the last spinning partner got SCHED_FIFO */

/* ---- membarrier (work and ipi) ----------------------------------------- */

static int spin_state; /* 1: partner running, 2: stop */
static int wake_pipe[2];

static void *spinner_fn(void *p)
{
	bool block = *(bool *)p;
	char c;

	if (block) {
		/* mode=read: blocked until the caller is done. */
		set_flag(&spin_state, 1);
		if (read(wake_pipe[0], &c, 1) != 1)
			fail("read on the second CPU: %s", strerror(errno));
		return NULL;
	}
	partner_rt = rt_partner();
	set_flag(&spin_state, 1);
	while (__atomic_load_n(&spin_state, __ATOMIC_ACQUIRE) != 2) {
		if (cpu_a == cpu_b)
			sched_yield();
		else
			__builtin_ia32_pause();
	}
	return NULL;
}

static void partner_start(struct job *j, bool *block)
{
	if (*block && pipe(wake_pipe))
		fail("pipe: %s", strerror(errno));
	set_flag(&spin_state, 0);
	job_start(j, cpu_b, spinner_fn, block);
	wait_for(&spin_state, 1, "the second CPU's thread to start");
}

static void partner_stop(struct job *j, bool block)
{
	if (block) {
		if (write(wake_pipe[1], "x", 1) != 1)
			fail("write: %s", strerror(errno));
	} else {
		set_flag(&spin_state, 2);
	}
	job_join(j);
	if (block) {
		close(wake_pipe[0]);
		close(wake_pipe[1]);
	}
}

static void membarrier_calls(long n)
{
	for (long i = 0; i < n; i++)
		if (membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0))
			fail("membarrier(PRIVATE_EXPEDITED) call %ld: %s", i,
			     strerror(errno));
}

/* ---- work: TLB shootdowns ---------------------------------------------- */

static __thread sigjmp_buf fault_jb;
static __thread volatile int fault_armed;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (fault_armed) {
		fault_armed = 0;
		siglongjmp(fault_jb, 1);
	}
	printf("VMITEST %s FAIL unexpected signal %d at address %p\n", command,
	       sig, si->si_addr);
	fflush(stdout);
	_exit(1);
}

/* Writes (@write) or reads the long at @p; true if that faulted. */
static bool faults(volatile long *p, bool write)
{
	if (sigsetjmp(fault_jb, 1))
		return true;
	fault_armed = 1;
	if (write)
		*p = 0x5a5a;
	else
		(void)*p;
	fault_armed = 0;
	return false;
}

static struct {
	long *pages; /* the mapping of this round */
	long npages;
	int step;    /* set by the first CPU */
	int ack;     /* set by the second CPU: the step it finished */
} sd;

#define PAGE_LONGS (4096 / sizeof(long))

static void *shoot_partner_fn(void *p)
{
	long rounds = *(long *)p;

	partner_rt = rt_partner();
	for (long r = 0; r < rounds; r++) {
		int base = (int)r * 3;
		long *pg;

		/* Step 1: the pages are there; read them, write our mark. */
		wait_for(&sd.step, base + 1, "shootdown step 1");
		pg = sd.pages;
		for (long i = 0; i < sd.npages; i++) {
			if (pg[i * PAGE_LONGS] != r * 1000 + i)
				fail("shootdown: page %ld of round %ld reads %ld on the second CPU",
				     i, r, pg[i * PAGE_LONGS]);
			pg[i * PAGE_LONGS + 1] = -(r * 1000 + i);
		}
		set_flag(&sd.ack, base + 1);
		/* Step 2: read-only now; writes must fault, reads not. */
		wait_for(&sd.step, base + 2, "shootdown step 2");
		for (long i = 0; i < sd.npages; i++) {
			if (faults(&pg[i * PAGE_LONGS + 2], false))
				fail("shootdown: a read of a read-only page faulted");
			if (!faults(&pg[i * PAGE_LONGS + 2], true))
				fail("shootdown: a write on CPU %d to a page made read-only on CPU %d did not fault (stale TLB entry, round %ld page %ld)",
				     cpu_b, cpu_a, r, i);
		}
		set_flag(&sd.ack, base + 2);
		/* Step 3: unmapped; reads must fault. */
		wait_for(&sd.step, base + 3, "shootdown step 3");
		for (long i = 0; i < sd.npages; i++)
			if (!faults(&pg[i * PAGE_LONGS], false))
				fail("shootdown: a read on CPU %d of a page unmapped on CPU %d did not fault (stale TLB entry, round %ld page %ld)",
				     cpu_b, cpu_a, r, i);
		set_flag(&sd.ack, base + 3);
	}
	return NULL;
}

static void shootdowns(long rounds, long npages)
{
	size_t len = (size_t)npages * 4096;
	struct job j;

	sd.step = sd.ack = 0;
	sd.npages = npages;
	job_start(&j, cpu_b, shoot_partner_fn, &rounds);
	for (long r = 0; r < rounds; r++) {
		int base = (int)r * 3;
		long *pg = mmap(NULL, len, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (pg == MAP_FAILED)
			fail("mmap: %s", strerror(errno));
		for (long i = 0; i < npages; i++)
			pg[i * PAGE_LONGS] = r * 1000 + i;
		sd.pages = pg;
		set_flag(&sd.step, base + 1);
		wait_for(&sd.ack, base + 1, "the second CPU to touch the pages");
		for (long i = 0; i < npages; i++)
			if (pg[i * PAGE_LONGS + 1] != -(r * 1000 + i))
				fail("shootdown: the second CPU's write to page %ld is not seen",
				     i);
		if (mprotect(pg, len, PROT_READ))
			fail("mprotect: %s", strerror(errno));
		set_flag(&sd.step, base + 2);
		wait_for(&sd.ack, base + 2, "the second CPU's writes to fault");
		if (munmap(pg, len))
			fail("munmap: %s", strerror(errno));
		set_flag(&sd.step, base + 3);
		wait_for(&sd.ack, base + 3, "the second CPU's reads to fault");
	}
	job_join(&j);
}

/* ---- work: CLOCK_MONOTONIC across CPUs --------------------------------- */

static struct {
	uint64_t t;    /* the last reading handed over */
	int turn;      /* even: the first CPU's, odd: the second's */
	uint64_t back; /* the largest step back seen (0: none) */
} ck;

/* One side of the hand-over: @parity 0 (first CPU) or 1. */
static void clock_side(long rounds, int parity)
{
	for (long i = 0; i < rounds; i++) {
		int turn = (int)(2 * i + parity);
		uint64_t prev, t;

		wait_for(&ck.turn, turn, "the other CPU's clock reading");
		prev = ck.t;
		t = now_ns();
		if (t < prev)
			fail("CLOCK_MONOTONIC went back %llu ns: CPU %d read %llu after CPU %d %llu (round %ld)",
			     (unsigned long long)(prev - t),
			     parity ? cpu_b : cpu_a, (unsigned long long)t,
			     parity ? cpu_a : cpu_b, (unsigned long long)prev, i);
		ck.t = t;
		set_flag(&ck.turn, turn + 1);
	}
}

static void *clock_partner_fn(void *p)
{
	clock_side(*(long *)p, 1);
	return NULL;
}

static void clock_check(long rounds)
{
	struct job j;

	ck.t = 0;
	ck.turn = 0;
	job_start(&j, cpu_b, clock_partner_fn, &rounds);
	clock_side(rounds, 0);
	job_join(&j);
}

/* ---- the commands ------------------------------------------------------ */

#define MS(a, b) ((unsigned long long)((b) - (a)) / 1000000)

static int cmd_work(int argc, char **argv)
{
	struct opt o[] = {
		{ "sleeps", 100 },	/* per CPU */
		{ "pingpong", 100 },	/* round trips */
		{ "membarrier", 100 },	/* calls */
		{ "shootdowns", 20 },	/* rounds of mprotect + munmap */
		{ "pages", 4 },		/* pages per round */
		{ "clock", 1000 },	/* hand-overs each way */
		{ "maxlate", 2000 },	/* ms a sleep may overrun */
	};
	struct sleeper s[2] = { 0 };
	struct job sj[2], mj;
	long long res0 = irq_count("RES"), cal0 = irq_count("CAL");
	long long tlb0 = irq_count("TLB"), mb_cal;
	struct sigaction sa = { 0 };
	bool spin = false;
	uint64_t t0 = now_ns(), ms, phase[5];
	int nsl = cpu_a == cpu_b ? 1 : 2;

	parse_opts(argc, argv, o, 7, NULL);
	sa.sa_sigaction = segv_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	membarrier_register();
	pin(cpu_a);

	for (int i = 0; i < nsl; i++) {
		s[i].n = o[0].val;
		s[i].maxlate_ms = o[6].val;
		s[i].cpu = i ? cpu_b : cpu_a;
		job_start(&sj[i], s[i].cpu, sleeper_fn, &s[i]);
	}
	pingpong(o[1].val);
	phase[0] = now_ns();
	partner_start(&mj, &spin);
	mb_cal = irq_count("CAL");
	membarrier_calls(o[2].val);
	if (mb_cal >= 0)
		mb_cal = irq_count("CAL") - mb_cal;
	partner_stop(&mj, false);
	phase[1] = now_ns();
	shootdowns(o[3].val, o[4].val > 0 ? o[4].val : 1);
	phase[2] = now_ns();
	clock_check(o[5].val);
	phase[3] = now_ns();
	for (int i = 0; i < nsl; i++)
		job_join(&sj[i]);
	phase[4] = now_ns();
	ms = (phase[4] - t0) / 1000000;

	printf("VMITEST work ok cpus=%d sleeps=%ld ipis=%ld shootdowns=%ld clock=%ld ms=%llu\n",
	       ncpus, o[0].val * nsl, 2 * o[1].val + o[2].val, 2 * o[3].val,
	       2 * o[5].val, (unsigned long long)ms);
	/*
	 * Each phase's wall time (the sleeps ran beside all of them), then
	 * the interrupt counts; short lines, as a hypervisor's console may
	 * break long ones.
	 */
	printf("VMITEST work ms pingpong=%llu membarrier=%llu shootdown=%llu clock=%llu sleeps=%llu late_max_us=%llu\n",
	       MS(t0, phase[0]), MS(phase[0], phase[1]),
	       MS(phase[1], phase[2]), MS(phase[2], phase[3]),
	       MS(t0, s[0].done_ns > s[1].done_ns ? s[0].done_ns : s[1].done_ns),
	       (unsigned long long)(s[0].late_max_ns > s[1].late_max_ns ?
					    s[0].late_max_ns : s[1].late_max_ns) / 1000);
	printf("VMITEST work irqs pingpong=%ld membarrier=%ld rt=%d", o[1].val,
	       o[2].val, partner_rt);
	if (res0 >= 0)
		printf(" res=%lld", irq_count("RES") - res0);
	if (cal0 >= 0)
		printf(" cal=%lld membarrier_cal=%lld", irq_count("CAL") - cal0,
		       mb_cal);
	if (tlb0 >= 0)
		printf(" tlb=%lld", irq_count("TLB") - tlb0);
	printf("\n");
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	int e;

	while ((e = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts)) == EINTR)
		;
	if (e)
		fail("clock_nanosleep: %s", strerror(e));
}

static int cmd_ipi(int argc, char **argv)
{
	struct opt o[] = { { "settle", 1000 } };
	const char *mode = "spin";
	struct job j;
	bool block;
	long n;
	long long cal0, cal1;
	uint64_t t0, t1;
	char *end;

	if (argc < 1 || (n = strtol(argv[0], &end, 10)) <= 0 || *end) {
		printf("VMITEST ipi FAIL usage: vmitest ipi N [mode=spin|read] [settle=MS]\n");
		return 2;
	}
	parse_opts(argc - 1, argv + 1, o, 1, &mode);
	if (strcmp(mode, "spin") && strcmp(mode, "read")) {
		printf("VMITEST ipi FAIL mode must be spin or read, not '%s'\n", mode);
		return 2;
	}
	block = !strcmp(mode, "read");
	membarrier_register();
	pin(cpu_a);
	printf("VMITEST ipi-start n=%ld mode=%s cpus=%d\n", n, mode, ncpus);
	fflush(stdout);
	sleep_ms(o[0].val);
	cal0 = irq_count("CAL");
	partner_start(&j, &block);
	t0 = now_ns();
	membarrier_calls(n);
	t1 = now_ns();
	partner_stop(&j, block);
	cal1 = irq_count("CAL");
	printf("VMITEST ipi-end n=%ld ms=%.1f cal=%lld rt=%d\n", n,
	       (t1 - t0) / 1e6, cal0 >= 0 && cal1 >= 0 ? cal1 - cal0 : -1,
	       !block && partner_rt);
	fflush(stdout);
	sleep_ms(o[0].val);
	return 0;
}

static int cmd_idle(int argc, char **argv)
{
	struct opt o[] = { { "settle", 1000 } };
	long secs;
	char *end;
	uint64_t t0;

	if (argc < 1 || (secs = strtol(argv[0], &end, 10)) < 0 || *end ||
	    end == argv[0]) {
		printf("VMITEST idle FAIL usage: vmitest idle SECONDS [settle=MS]\n");
		return 2;
	}
	parse_opts(argc - 1, argv + 1, o, 1, NULL);
	printf("VMITEST idle-start s=%ld\n", secs);
	fflush(stdout);
	t0 = now_ns();
	sleep_ms(secs * 1000);
	printf("VMITEST idle-end ms=%.1f\n", (now_ns() - t0) / 1e6);
	fflush(stdout);
	sleep_ms(o[0].val);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		printf("VMITEST FAIL usage: vmitest work|ipi|idle ...\n");
		return 2;
	}
	command = argv[1];
	find_cpus();
	if (!strcmp(command, "work"))
		return cmd_work(argc - 2, argv + 2);
	if (!strcmp(command, "ipi"))
		return cmd_ipi(argc - 2, argv + 2);
	if (!strcmp(command, "idle"))
		return cmd_idle(argc - 2, argv + 2);
	printf("VMITEST %s FAIL unknown command (work, ipi, idle)\n", command);
	return 2;
}
