/*
 * 16550-compatible UART, polled.  Register map: PC16550D data sheet
 * (THR/RBR +0, IER +1, IIR/FCR +2, LCR +3, MCR +4, LSR +5).
 *
 * The transmitter takes bytes as fast as the line sends them: one
 * character time each (about 87 us at 115200 8N1, longer behind a BMC's
 * serial-over-LAN), with a 16-byte FIFO on a 16550A (LSR.THRE: the FIFO
 * is empty, data sheet "FIFO Polled Mode Operation").  QEMU's UART takes
 * every byte at once.  serial_delay_us=N makes every port's transmitter
 * take N us per byte, behind a FIFO of the same depth, the way a slow line
 * does, so that tests see what waiting for it costs.
 *
 * serial_putc() waits; serial_tx_room() and serial_tx_byte() do not, for
 * the console drainer (log.c).  Nobody may poll the UART (these, and
 * serial_getc()) with interrupts off or holding a spinlock that another
 * CPU may need (docs/console.md): once log.c turns the checks on, such a
 * poll is counted and, with ASSERT compiled in (no NDEBUG, the default
 * build), panics.
 */
#include <trivisor/serial.h>
#include <trivisor/io.h>
#include <trivisor/cpu.h>
#include <trivisor/spinlock.h>
#include <trivisor/time.h>
#include <trivisor/panic.h>

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define IIR_FIFO 0xc0 /* both set: FIFOs enabled (16550A) */
#define FIFO_DEPTH 16

uint32_t serial_delay_us;
static bool checks_on;
static uint64_t bad_waits;

/* Per port, by bits 8-9 of its base (0x3f8, 0x2f8, 0x3e8, 0x2e8 differ
 * there): the transmit FIFO's depth, and under serial_delay_us the TSC at
 * which the last byte written leaves it. */
static unsigned int fifo_depth[4] = { 1, 1, 1, 1 };
static uint64_t tx_done_tsc[4];

static unsigned int slot(uint16_t port)
{
	return (port >> 8) & 3;
}

void serial_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));

	outb(port + UART_IER, 0x00);
	outb(port + UART_LCR, 0x80); /* DLAB */
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, 0x03); /* 8N1 */
	outb(port + UART_FCR, 0xc7); /* FIFOs on, cleared, 14-byte trigger */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
	fifo_depth[slot(port)] =
		(inb(port + UART_IIR) & IIR_FIFO) == IIR_FIFO ? FIFO_DEPTH : 1;
}

void serial_check_waits(bool on)
{
	__atomic_store_n(&checks_on, on, __ATOMIC_RELEASE);
}

uint64_t serial_bad_waits(void)
{
	return __atomic_load_n(&bad_waits, __ATOMIC_RELAXED);
}

static void check_wait(void)
{
	bool bad;

	if (!__atomic_load_n(&checks_on, __ATOMIC_ACQUIRE))
		return;
	bad = !(read_rflags() & RFLAGS_IF) || lockstat_held();
	if (!bad)
		return;
	__atomic_fetch_add(&bad_waits, 1, __ATOMIC_RELAXED);
	/* panic() turns the checks off before it writes. */
	ASSERT(!"UART polled with interrupts off or a spinlock held");
}

static uint64_t delay_tsc(void)
{
	return (uint64_t)serial_delay_us * tsc_khz() / 1000;
}

static unsigned int room_now(uint16_t port)
{
	unsigned int s = slot(port), depth = fifo_depth[s];
	uint64_t d = delay_tsc();

	if (d) {
		uint64_t now = rdtsc(), queued;

		if ((int64_t)(tx_done_tsc[s] - now) <= 0)
			return depth;
		queued = (tx_done_tsc[s] - now + d - 1) / d;
		return queued < depth ? depth - (unsigned int)queued : 0;
	}
	return inb(port + UART_LSR) & LSR_THRE ? depth : 0;
}

unsigned int serial_tx_room(uint16_t port)
{
	check_wait();
	return room_now(port);
}

void serial_tx_byte(uint16_t port, char c)
{
	unsigned int s = slot(port);
	uint64_t d = delay_tsc();

	if (d) {
		uint64_t now = rdtsc();

		if ((int64_t)(tx_done_tsc[s] - now) < 0)
			tx_done_tsc[s] = now;
		tx_done_tsc[s] += d;
	}
	outb(port + UART_THR, (uint8_t)c);
}

uint64_t serial_tx_busy_ns(uint16_t port)
{
	uint64_t khz = tsc_khz(), now = rdtsc(), done = tx_done_tsc[slot(port)];

	if (delay_tsc() && khz && (int64_t)(done - now) > 0)
		return (done - now) * 1000000 / khz;
	/* A FIFO's worth at 115200 8N1 (86.8 us a byte). */
	return fifo_depth[slot(port)] * 87000ull;
}

void serial_putc(uint16_t port, char c)
{
	check_wait();
	/* Bounded wait: a missing UART must not hang the log forever. */
	for (unsigned int i = 0; i < 100000; i++) {
		if (room_now(port))
			break;
		if (delay_tsc())
			i = 0; /* the modelled line always drains */
		cpu_relax();
	}
	serial_tx_byte(port, c);
}

int serial_getc(uint16_t port)
{
	check_wait();
	if (!(inb(port + UART_LSR) & LSR_DR))
		return -1;
	return inb(port + UART_RBR);
}
