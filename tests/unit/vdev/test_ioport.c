/*
 * hvm/vioport.c: registration rules, splitting of wide and straddling
 * accesses, floating unclaimed ports reported once each.
 */
#include "unit.h"
#include "vdev_test.h"

#include <string.h>
#include <vmi/errno.h>

/* A recording device: every call is logged; reads return data[off]. */
struct rec_dev {
	uint16_t base;
	uint8_t data[16];
	unsigned int nr;
	struct {
		uint16_t port;
		unsigned int size;
		bool write;
		uint32_t val;
	} call[16];
	int fail; /* return this from every call */
};

static int rec_io(void *dev, uint64_t addr, unsigned int size, bool write,
		  uint64_t *val, uint64_t now)
{
	struct rec_dev *d = dev;
	unsigned int i, off = (unsigned int)(addr - d->base);

	(void)now;
	CU_ASSERT_FATAL(off + size <= sizeof(d->data));
	if (d->nr < 16) {
		d->call[d->nr].port = (uint16_t)addr;
		d->call[d->nr].size = size;
		d->call[d->nr].write = write;
		d->call[d->nr].val = write ? (uint32_t)*val : 0;
	}
	d->nr++;
	if (write) {
		for (i = 0; i < size; i++)
			d->data[off + i] = (uint8_t)(*val >> (8 * i));
	} else {
		/* Junk above @size must be masked off by the table. */
		*val = 0xdeadbeef00000000ull;
		for (i = 0; i < size; i++)
			*val |= (uint64_t)d->data[off + i] << (8 * i);
	}
	return d->fail;
}

static struct vioport_table tab;
static struct fake f;

static void setup(void)
{
	fake_init(&f);
	vioport_init(&tab, &f.ops);
}

static void test_register_rules(void)
{
	struct rec_dev a = { .base = 0x40 };
	unsigned int i;

	setup();
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x40, 4, 1, rec_io, &a), 0);
	/* Every kind of overlap is refused. */
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x43, 2, 1, rec_io, &a),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x3f, 2, 1, rec_io, &a),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x41, 1, 1, rec_io, &a),
			-VMI_EEXIST);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x30, 0x20, 1, rec_io, &a),
			-VMI_EEXIST);
	/* Neighbours are fine. */
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x3e, 2, 1, rec_io, &a), 0);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x44, 1, 1, rec_io, &a), 0);
	/* Bad arguments. */
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x100, 0, 1, rec_io, &a),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0xfffe, 3, 1, rec_io, &a),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x100, 1, 3, rec_io, &a),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x100, 1, 8, rec_io, &a),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x100, 1, 1, NULL, &a),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0xffff, 1, 1, rec_io, &a), 0);
	CU_ASSERT_EQUAL(tab.nr, 4);
	/* Sorted by base whatever the order of registration. */
	for (i = 1; i < tab.nr; i++)
		CU_ASSERT(tab.range[i - 1].base < tab.range[i].base);
	/* Full table. */
	for (i = tab.nr; i < VIOPORT_MAX_RANGES; i++)
		CU_ASSERT_EQUAL(vioport_register(&tab, (uint16_t)(0x1000 + i),
						 1, 1, rec_io, &a),
				0);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x2000, 1, 1, rec_io, &a),
			-VMI_ENOSPC);
	/* Unregister frees the slot and the ports. */
	CU_ASSERT_EQUAL(vioport_unregister(&tab, 0x40), 0);
	CU_ASSERT_EQUAL(vioport_unregister(&tab, 0x40), -VMI_ENOENT);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x41, 2, 1, rec_io, &a), 0);
}

static void test_unclaimed(void)
{
	uint32_t v;

	setup();
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0xcf8, 4, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x2f9, 2, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xffff);
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x2f9, 1, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xff);
	v = 0x12345678;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0xcf8, 4, true, &v, 0), 0);
	/* 0xcf8-0xcfb and 0x2f9-0x2fa: six ports, one report each. */
	CU_ASSERT_EQUAL(f.nr_log, 6);
	CU_ASSERT_STRING_EQUAL(f.log[0],
			       "vioport: access to unclaimed I/O port 0x0cf8");
	CU_ASSERT_STRING_EQUAL(f.log[3],
			       "vioport: access to unclaimed I/O port 0x0cfb");
	CU_ASSERT_STRING_EQUAL(f.log[4],
			       "vioport: access to unclaimed I/O port 0x02f9");
	/* Wrap at the top of the port space, no crash, two more. */
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0xffff, 2, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xffff);
	CU_ASSERT_EQUAL(f.nr_log, 8);
	CU_ASSERT_STRING_EQUAL(f.log[6],
			       "vioport: access to unclaimed I/O port 0xffff");
	CU_ASSERT_STRING_EQUAL(f.log[7],
			       "vioport: access to unclaimed I/O port 0x0000");
	/* No ops at all: still floats, no crash. */
	vioport_init(&tab, NULL);
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x80, 1, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xff);
}

static void test_bad_size(void)
{
	uint32_t v = 0;

	setup();
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x80, 3, false, &v, 0),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(v, 0xffffffffu);
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x80, 8, true, &v, 0),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x80, 0, true, &v, 0),
			-VMI_EINVAL);
	CU_ASSERT_EQUAL(f.nr_log, 0);
}

static void test_split_byte_device(void)
{
	struct rec_dev d = { .base = 0x3f8 };
	uint32_t v;

	setup();
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x3f8, 8, 1, rec_io, &d), 0);
	/* OUTW to an 8-bit device: two byte cycles, low byte first. */
	v = 0x1234;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x3f9, 2, true, &v, 0), 0);
	CU_ASSERT_EQUAL(d.nr, 2);
	CU_ASSERT_EQUAL(d.call[0].port, 0x3f9);
	CU_ASSERT_EQUAL(d.call[0].size, 1);
	CU_ASSERT_EQUAL(d.call[0].val, 0x34);
	CU_ASSERT_EQUAL(d.call[1].port, 0x3fa);
	CU_ASSERT_EQUAL(d.call[1].val, 0x12);
	/* INL assembles little-endian; handler junk is masked. */
	memcpy(d.data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	d.nr = 0;
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x3f8, 4, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0x44332211);
	CU_ASSERT_EQUAL(d.nr, 4);
	/* A 4-byte read that runs past the end: the rest floats. */
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x3fe, 4, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xffff8877);
	CU_ASSERT_EQUAL(f.nr_log, 2); /* 0x400, 0x401 */
	/* And one that starts before it. */
	d.nr = 0;
	v = 0xaabbccdd;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x3f6, 4, true, &v, 0), 0);
	CU_ASSERT_EQUAL(d.nr, 2);
	CU_ASSERT_EQUAL(d.call[0].port, 0x3f8);
	CU_ASSERT_EQUAL(d.call[0].val, 0xbb);
	CU_ASSERT_EQUAL(d.call[1].val, 0xaa);
	CU_ASSERT_EQUAL(f.nr_log, 4);
}

static void test_split_wide_devices(void)
{
	struct rec_dev w2 = { .base = 0x600 }, w4 = { .base = 0x608 };
	uint32_t v;

	setup();
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x600, 4, 2, rec_io, &w2), 0);
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x608, 4, 4, rec_io, &w4), 0);
	/* 32-bit access to two 16-bit registers: two 16-bit cycles. */
	v = 0x87654321;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x600, 4, true, &v, 0), 0);
	CU_ASSERT_EQUAL(w2.nr, 2);
	CU_ASSERT_EQUAL(w2.call[0].size, 2);
	CU_ASSERT_EQUAL(w2.call[0].val, 0x4321);
	CU_ASSERT_EQUAL(w2.call[1].port, 0x602);
	CU_ASSERT_EQUAL(w2.call[1].val, 0x8765);
	/* A native-width access is passed whole. */
	memcpy(w4.data, "\x01\x02\x03\x04", 4);
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x608, 4, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0x04030201);
	CU_ASSERT_EQUAL(w4.nr, 1);
	/* Straddling the end of a wide device: 2 inside, 2 floating. */
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x60a, 4, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xffff0403);
	CU_ASSERT_EQUAL(w4.nr, 2);
	CU_ASSERT_EQUAL(w4.call[1].size, 2);
	/* 3 bytes left in a range: a 2-byte then a 1-byte piece. */
	w4.nr = 0;
	v = 0;
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x609, 4, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0xff040302);
	CU_ASSERT_EQUAL(w4.nr, 2);
	CU_ASSERT_EQUAL(w4.call[0].size, 2);
	CU_ASSERT_EQUAL(w4.call[1].size, 1);
}

static void test_handler_error(void)
{
	struct rec_dev d = { .base = 0x70, .fail = -VMI_EIO };
	uint32_t v = 0;

	setup();
	CU_ASSERT_EQUAL(vioport_register(&tab, 0x70, 2, 1, rec_io, &d), 0);
	CU_ASSERT_EQUAL(vioport_dispatch(&tab, 0x70, 2, false, &v, 0),
			-VMI_EIO);
	CU_ASSERT_EQUAL(v, 0xffff);
	CU_ASSERT_EQUAL(d.nr, 2);
}

/* All PC devices share one table without conflicts. */
static void test_platform_layout(void)
{
	vdev_setup();
	CU_ASSERT_EQUAL(vd.tab.nr, 10);
	CU_ASSERT_EQUAL(vd.fake.nr_log, 0);
	/* Linux's 8250 probe of an absent COM2: IER reads 0xff. */
	CU_ASSERT_EQUAL(in8(0x2f9, T0), 0xff);
}

void register_ioport_tests(void)
{
	CU_pSuite s = CU_add_suite("vioport", NULL, NULL);

	CU_add_test(s, "registration rules", test_register_rules);
	CU_add_test(s, "unclaimed ports float, reported once",
		    test_unclaimed);
	CU_add_test(s, "bad access size", test_bad_size);
	CU_add_test(s, "split to a byte device", test_split_byte_device);
	CU_add_test(s, "split to 16/32-bit devices", test_split_wide_devices);
	CU_add_test(s, "handler error", test_handler_error);
	CU_add_test(s, "PC platform layout", test_platform_layout);
}
