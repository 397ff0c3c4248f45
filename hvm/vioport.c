/*
 * hvm/vioport.c - port-I/O dispatch for a domain's virtual devices.
 *
 * A short sorted array is all a PC needs: about a dozen ranges, so a
 * linear scan costs less than the VM exit that brought us here.  The
 * splitting rules mirror the ISA bus (and an LPC bridge forwarding to
 * it): a 16- or 32-bit cycle to an 8-bit device becomes consecutive byte
 * cycles, lowest address first, assembled little-endian.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hvm/vioport.h>
#include <hvm/vplat.h>
#include <vmi/errno.h>

void vioport_init(struct vioport_table *tab, const struct vplat_ops *ops)
{
	memset(tab, 0, sizeof(*tab));
	tab->ops = ops;
}

int vioport_register(struct vioport_table *tab, uint16_t base,
		     unsigned int len, unsigned int width, vplat_io_fn fn,
		     void *dev)
{
	unsigned int i, end = (unsigned int)base + len;

	if (!fn || len == 0 || end > VIOPORT_NR_PORTS)
		return -VMI_EINVAL;
	if (width != 1 && width != 2 && width != 4)
		return -VMI_EINVAL;
	for (i = 0; i < tab->nr; i++) {
		const struct vioport_range *r = &tab->range[i];

		if (base < r->base + r->len && r->base < end)
			return -VMI_EEXIST;
	}
	if (tab->nr == VIOPORT_MAX_RANGES)
		return -VMI_ENOSPC;

	/* Keep the array sorted by base: insert before the first above. */
	for (i = tab->nr; i > 0 && tab->range[i - 1].base > base; i--)
		tab->range[i] = tab->range[i - 1];
	tab->range[i].base = base;
	tab->range[i].len = (uint16_t)len;
	tab->range[i].width = (uint8_t)width;
	tab->range[i].fn = fn;
	tab->range[i].dev = dev;
	tab->nr++;
	return 0;
}

int vioport_unregister(struct vioport_table *tab, uint16_t base)
{
	unsigned int i;

	for (i = 0; i < tab->nr; i++) {
		if (tab->range[i].base != base)
			continue;
		for (; i + 1 < tab->nr; i++)
			tab->range[i] = tab->range[i + 1];
		tab->nr--;
		memset(&tab->range[tab->nr], 0, sizeof(tab->range[0]));
		return 0;
	}
	return -VMI_ENOENT;
}

static const struct vioport_range *vioport_find(const struct vioport_table *tab,
						 uint16_t port)
{
	unsigned int i;

	for (i = 0; i < tab->nr; i++) {
		const struct vioport_range *r = &tab->range[i];

		if (port < r->base)
			break;
		if (port - r->base < r->len)
			return r;
	}
	return NULL;
}

/* Log an unclaimed port the first time the guest touches it. */
static void vioport_report(struct vioport_table *tab, uint16_t port)
{
	static const char hex[] = "0123456789abcdef";
	static const char head[] = "vioport: access to unclaimed I/O port 0x";
	char msg[sizeof(head) + 4];
	uint8_t bit = (uint8_t)(1u << (port & 7));
	unsigned int i;

	if (tab->reported[port >> 3] & bit)
		return;
	tab->reported[port >> 3] |= bit;
	if (!tab->ops || !tab->ops->log)
		return;
	memcpy(msg, head, sizeof(head) - 1);
	for (i = 0; i < 4; i++)
		msg[sizeof(head) - 1 + i] = hex[(port >> (12 - 4 * i)) & 0xf];
	msg[sizeof(head) + 3] = '\0';
	tab->ops->log(tab->ops->ctx, msg);
}

static uint64_t vioport_mask(unsigned int size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

int vioport_dispatch(struct vioport_table *tab, uint16_t port,
		     unsigned int size, bool write, uint32_t *val,
		     uint64_t now_ns)
{
	uint64_t in = write ? *val : 0, out = 0;
	unsigned int pos = 0;
	int ret = 0;

	if (size != 1 && size != 2 && size != 4) {
		if (!write)
			*val = 0xffffffffu;
		return -VMI_EINVAL;
	}

	while (pos < size) {
		/* Port numbers wrap at 64 Ki like the 16-bit I/O address. */
		uint16_t p = (uint16_t)(port + pos);
		const struct vioport_range *r = vioport_find(tab, p);
		unsigned int piece, avail;
		uint64_t v;
		int rc;

		if (!r) {
			vioport_report(tab, p);
			out |= (uint64_t)0xff << (8 * pos);
			pos++;
			continue;
		}

		piece = size - pos;
		avail = (unsigned int)r->base + r->len - p;
		if (piece > avail)
			piece = avail;
		if (piece > r->width)
			piece = r->width;
		if (piece == 3)
			piece = 2;

		v = write ? (in >> (8 * pos)) & vioport_mask(piece) : 0;
		rc = r->fn(r->dev, p, piece, write, &v, now_ns);
		if (rc) {
			if (!ret)
				ret = rc;
			v = ~0ull;
		}
		out |= (v & vioport_mask(piece)) << (8 * pos);
		pos += piece;
	}

	if (!write)
		*val = (uint32_t)(out & vioport_mask(size));
	return ret;
}
