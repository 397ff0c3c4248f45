/*
 * vPIC: the 8259A pair as Linux programs it (arch/x86/kernel/i8259.c),
 * masking, EOI forms, rotation, cascade, poll, ELCR, AEOI, spurious IR7.
 */
#include "fake.h"

static void setup(void)
{
	fake_setup(1, false, false, 1000000);
}

/* Linux's mask_and_ack_8259A() + specific EOI, for IRQ @irq. */
static void linux_eoi(unsigned int irq)
{
	if (irq & 8) {
		pout8(0xa0, (uint8_t)(0x60 + (irq & 7)));
		pout8(0x20, 0x60 + 2);
	} else {
		pout8(0x20, (uint8_t)(0x60 + irq));
	}
}

static void pulse(unsigned int irq)
{
	CU_ASSERT_EQUAL(vpic_set_irq(&F.pic, irq, true), 0);
	CU_ASSERT_EQUAL(vpic_set_irq(&F.pic, irq, false), 0);
}

static void test_power_on_and_probe(void)
{
	setup();
	/* Everything masked until programmed. */
	CU_ASSERT_EQUAL(pin8(0x21), 0xff);
	CU_ASSERT_EQUAL(pin8(0xa1), 0xff);
	pulse(1);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_pending_vector(&F.pic), -1);
	/* probe_8259A(): mask the slave, write 0xfb, read it back. */
	pout8(0xa1, 0xff);
	pout8(0x21, 0xfb);
	CU_ASSERT_EQUAL(pin8(0x21), 0xfb);
}

static void test_linux_init_sequence(void)
{
	setup();
	linux_init_8259a(0xff, 0xff);
	CU_ASSERT_EQUAL(F.pic.chip[0].base, 0x30);
	CU_ASSERT_EQUAL(F.pic.chip[1].base, 0x38);
	CU_ASSERT_EQUAL(F.pic.chip[0].icw3, 0x04);
	CU_ASSERT_EQUAL(F.pic.chip[1].icw3, 0x02);
	CU_ASSERT_EQUAL(F.pic.chip[0].init_step, 0);
	CU_ASSERT_EQUAL(F.pic.chip[1].init_step, 0);
	CU_ASSERT_FALSE(F.pic.chip[0].aeoi);
	CU_ASSERT_EQUAL(pin8(0x21), 0xff);
	CU_ASSERT_EQUAL(pin8(0xa1), 0xff);
	/* Status read defaults to IRR. */
	pulse(0);
	CU_ASSERT_EQUAL(pin8(0x20), 0x01);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
}

static void test_irq_ack_eoi(void)
{
	setup();
	linux_init_8259a(0xfe, 0xff);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	pulse(0);
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(F.kicks[0], 1);
	CU_ASSERT_EQUAL(vpic_pending_vector(&F.pic), 0x30);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x30);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	pout8(0x20, 0x0b); /* OCW3: read ISR */
	CU_ASSERT_EQUAL(pin8(0x20), 0x01);
	pout8(0x20, 0x0a); /* back to IRR */
	CU_ASSERT_EQUAL(pin8(0x20), 0x00);
	/* A new edge while in service waits for the EOI. */
	pulse(0);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	linux_eoi(0);
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x30);
	pout8(0x20, 0x20); /* non-specific EOI */
	pout8(0x20, 0x0b);
	CU_ASSERT_EQUAL(pin8(0x20), 0x00);
}

static void test_masking(void)
{
	setup();
	linux_init_8259a(0xff, 0xff);
	pulse(3);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	/* The request is latched in IRR and shows once unmasked. */
	pout8(0x21, 0xf7);
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x33);
	linux_eoi(3);
	/* Linux masks both chips when it takes the I/O APIC path. */
	pout8(0x21, 0xff);
	pout8(0xa1, 0xff);
	pulse(4);
	pulse(12);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_pending_vector(&F.pic), -1);
}

static void test_priority_and_nesting(void)
{
	setup();
	linux_init_8259a(0x00, 0xff);
	pulse(3);
	pulse(1);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x31);
	CU_ASSERT_FALSE(vpic_output(&F.pic)); /* IR3 below IR1 */
	linux_eoi(1);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x33);
	/* IR4 is locked out by IR3 in service, IR0 is not. */
	pulse(4);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	pulse(0);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x30);
	pout8(0x20, 0x20); /* ends IR0, the highest */
	pout8(0x20, 0x0b);
	CU_ASSERT_EQUAL(pin8(0x20), 0x08);
	pout8(0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x34);
}

static void test_cascade(void)
{
	setup();
	linux_init_8259a(0xfb, 0xfb); /* IR2 and IRQ10 open */
	pulse(10);
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_pending_vector(&F.pic), 0x3a);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x3a);
	pout8(0x20, 0x0b);
	pout8(0xa0, 0x0b);
	CU_ASSERT_EQUAL(pin8(0x20), 0x04);
	CU_ASSERT_EQUAL(pin8(0xa0), 0x04);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	/* Two slave requests: the second follows the first's EOI. */
	pout8(0xa1, 0xf3); /* IRQ10, IRQ11 */
	pulse(11);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	linux_eoi(10);
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x3b);
	linux_eoi(11);
	CU_ASSERT_EQUAL(pin8(0x20), 0x00);
	CU_ASSERT_EQUAL(pin8(0xa0), 0x00);
	/* Slave masked via the master's IR2 mask. */
	pout8(0x21, 0xff);
	pulse(10);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	pout8(0x21, 0xfb);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x3a);
	/* IRQ 2 is the cascade itself. */
	CU_ASSERT_EQUAL(vpic_set_irq(&F.pic, 2, true), -VMI_EINVAL);
	CU_ASSERT_EQUAL(vpic_set_irq(&F.pic, 16, true), -VMI_EINVAL);
}

static void test_rotation(void)
{
	setup();
	linux_init_8259a(0x00, 0xff);
	/* Rotate on non-specific EOI: IR1 becomes the lowest. */
	pulse(1);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x31);
	pout8(0x20, 0xa0);
	pulse(1);
	pulse(5);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x35);
	pout8(0x20, 0x20);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x31);
	pout8(0x20, 0x61);
	/* Set priority: IR7 lowest, back to the default order. */
	pout8(0x20, 0xc7);
	pulse(6);
	pulse(0);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x30);
	pout8(0x20, 0x20);
	/* Rotate on specific EOI (IR6 becomes lowest). */
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x36);
	pout8(0x20, 0xe6);
	pulse(6);
	pulse(7);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x37);
	pout8(0x20, 0x67);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x36);
	pout8(0x20, 0x66);
	CU_ASSERT_EQUAL(F.pic.chip[0].isr, 0);
}

static void test_poll_mode(void)
{
	setup();
	linux_init_8259a(0xff, 0xff);
	pout8(0x20, 0x0c); /* OCW3: poll */
	CU_ASSERT_EQUAL(pin8(0x20), 0x00);
	pulse(5);
	/* Masked requests are not polled. */
	pout8(0x20, 0x0c);
	CU_ASSERT_EQUAL(pin8(0x20), 0x00);
	pout8(0x21, 0xdf);
	pout8(0x20, 0x0c);
	CU_ASSERT_EQUAL(pin8(0x20), 0x85);
	CU_ASSERT_EQUAL(F.pic.chip[0].isr, 0x20);
	/* The poll is a one-shot: the next read is IRR again. */
	CU_ASSERT_EQUAL(pin8(0x20), 0x00);
	pout8(0x20, 0x65);
	/* Poll through the data port too. */
	pulse(5);
	pout8(0x20, 0x0c);
	CU_ASSERT_EQUAL(pin8(0x21), 0x85);
	CU_ASSERT_EQUAL(pin8(0x21), 0xdf);
}

static void test_elcr_level(void)
{
	setup();
	linux_init_8259a(0xf7, 0xff);
	pout8(0x4d0, 0xff);
	pout8(0x4d1, 0xff);
	CU_ASSERT_EQUAL(pin8(0x4d0), 0xf8);
	CU_ASSERT_EQUAL(pin8(0x4d1), 0xde);
	pout8(0x4d0, 0x08); /* IRQ3 level */
	vpic_set_irq(&F.pic, 3, true);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x33);
	linux_eoi(3);
	/* Still high: requested again. */
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x33);
	vpic_set_irq(&F.pic, 3, false);
	linux_eoi(3);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	/* Dropped before INTA: the chip answers IR7 (spurious). */
	vpic_set_irq(&F.pic, 3, true);
	CU_ASSERT(vpic_output(&F.pic));
	vpic_set_irq(&F.pic, 3, false);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x37);
	pout8(0x20, 0x0b);
	CU_ASSERT_EQUAL(pin8(0x20), 0x00); /* no ISR bit for spurious */
	/* An input switched to level while high requests at once. */
	pout8(0x4d0, 0x00);
	vpic_set_irq(&F.pic, 3, true);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x33);
	linux_eoi(3);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	pout8(0x4d0, 0x08);
	CU_ASSERT(vpic_output(&F.pic));
	/* Word access covers both ELCRs. */
	{
		uint64_t v = 0;

		vpic_io(&F.pic, 0x4d0, 2, false, &v, 0);
		CU_ASSERT_EQUAL(v, 0xde08);
	}
}

static void test_auto_eoi(void)
{
	setup();
	pout8(0x20, 0x11);
	pout8(0x21, 0x30);
	pout8(0x21, 0x04);
	pout8(0x21, 0x03); /* ICW4: 8086, AEOI */
	pout8(0x21, 0xfe);
	pulse(0);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x30);
	CU_ASSERT_EQUAL(F.pic.chip[0].isr, 0);
	pulse(0);
	CU_ASSERT(vpic_output(&F.pic));
	/* Rotate in AEOI mode. */
	pout8(0x21, 0xfc);
	pout8(0x20, 0x80);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x30);
	pulse(0);
	pulse(1);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x31);
	pout8(0x20, 0x00);
	CU_ASSERT_FALSE(F.pic.chip[0].rotate_aeoi);
}

static void test_spurious_and_reinit(void)
{
	setup();
	linux_init_8259a(0xfb, 0x00);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x37);
	/* Re-initialisation forgets edge requests and in-service bits. */
	pulse(9);
	CU_ASSERT(vpic_output(&F.pic));
	linux_init_8259a(0xfb, 0x00);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x37);
	/* ICW1 without IC4, single mode: ICW2 alone. */
	pout8(0xa0, 0x12);
	pout8(0xa1, 0x78);
	CU_ASSERT_EQUAL(F.pic.chip[1].init_step, 0);
	CU_ASSERT_EQUAL(F.pic.chip[1].base, 0x78);
	CU_ASSERT_EQUAL(pin8(0xa1), 0x00);
	/* MCS-80 mode in ICW4 is logged. */
	pout8(0x20, 0x11);
	pout8(0x21, 0x30);
	pout8(0x21, 0x04);
	pout8(0x21, 0x00);
	CU_ASSERT(F.nlog >= 1);
}

static void test_special_modes(void)
{
	setup();
	linux_init_8259a(0x00, 0xff);
	/* Special mask mode: the masked in-service level stops blocking. */
	pulse(3);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x33);
	pulse(5);
	CU_ASSERT_FALSE(vpic_output(&F.pic));
	pout8(0x21, 0x08);
	pout8(0x20, 0x68); /* OCW3: set special mask */
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x35);
	/* Non-specific EOI skips the masked IS bit. */
	pout8(0x20, 0x20);
	CU_ASSERT_EQUAL(F.pic.chip[0].isr, 0x08);
	pout8(0x20, 0x48); /* reset special mask */
	pout8(0x20, 0x63);
	pout8(0x21, 0x00);
	/* Special fully nested: a slave IRQ while another is in service. */
	pout8(0x20, 0x11);
	pout8(0x21, 0x30);
	pout8(0x21, 0x04);
	pout8(0x21, 0x11); /* 8086, SFNM */
	pout8(0x21, 0xfb);
	pout8(0xa1, 0x00);
	pulse(12);
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x3c);
	pulse(9);
	CU_ASSERT(vpic_output(&F.pic));
	CU_ASSERT_EQUAL(vpic_ack(&F.pic), 0x39);
}

static void test_io_handler_shapes(void)
{
	uint64_t v = 0;

	setup();
	linux_init_8259a(0x12, 0x34);
	CU_ASSERT_EQUAL(vpic_io(&F.pic, 0x21, 1, false, &v, 0), 0);
	CU_ASSERT_EQUAL(v, 0x12);
	vpic_io(&F.pic, 0x20, 2, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0x1200);
	v = 0x5600;
	vpic_io(&F.pic, 0xa0, 2, true, &v, 0); /* OCW2 0x00, then OCW1 */
	CU_ASSERT_EQUAL(pin8(0xa1), 0x56);
	vpic_io(&F.pic, 0x60, 1, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0xff);
	vpic_io(&F.pic, 0x22, 4, false, &v, 0);
	CU_ASSERT_EQUAL(v, 0xffffffffull);
	CU_ASSERT_EQUAL(vpic_io(&F.pic, 0x20, 1, true, NULL, 0), 0);
}

void register_vpic(void)
{
	CU_pSuite s = CU_add_suite("vpic", NULL, NULL);

	ADD(s, test_power_on_and_probe);
	ADD(s, test_linux_init_sequence);
	ADD(s, test_irq_ack_eoi);
	ADD(s, test_masking);
	ADD(s, test_priority_and_nesting);
	ADD(s, test_cascade);
	ADD(s, test_rotation);
	ADD(s, test_poll_mode);
	ADD(s, test_elcr_level);
	ADD(s, test_auto_eoi);
	ADD(s, test_spurious_and_reinit);
	ADD(s, test_special_modes);
	ADD(s, test_io_handler_shapes);
}
