/*
 * Development harness: decode hex byte strings read from stdin, one per
 * line as "MODE HEX" (MODE = 16, 32, 64, or 64a for BT_MODE_AMD), and
 * print "ret len opsize addrsize memsize flags branch" for each, so that
 * the gen/ scripts can compare the decoder with GNU objdump.  Not part of the
 * unit test.  Build (from the repo root):
 *   gcc -O1 -g -fsanitize=address,undefined -Ivmi-abi/include \
 *       -Ibt-fallback/include -o build/decode-cli \
 *       tests/unit/decode/gen/decode-cli.c bt-fallback/decode*.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bt/decode.h>

int main(void)
{
	char line[256], mstr[8], hex[200];
	uint8_t buf[32];
	struct bt_insn in;

	while (fgets(line, sizeof(line), stdin)) {
		unsigned int mode, n = 0;
		size_t i;
		uint8_t *heap;
		int ret;

		if (sscanf(line, "%7s %199s", mstr, hex) != 2)
			continue;
		mode = atoi(mstr) == 16 ? BT_MODE_16 :
		       atoi(mstr) == 32 ? BT_MODE_32 : BT_MODE_64;
		if (strchr(mstr, 'a'))
			mode |= BT_MODE_AMD;
		for (i = 0; hex[i] && hex[i + 1] && n < sizeof(buf); i += 2) {
			unsigned int v;

			sscanf(hex + i, "%2x", &v);
			buf[n++] = v;
		}
		/* Exact-size heap copy: ASan catches any over-read. */
		heap = malloc(n ? n : 1);
		memcpy(heap, buf, n);
		ret = bt_decode(heap, n, mode, &in);
		free(heap);
		if (ret)
			printf("%d 0\n", ret);
		else
			printf("0 %u %u %u %u %#x %u %u %u %d %d\n", in.len,
			       in.opsize, in.addrsize, in.memsize, in.flags,
			       in.branch, in.disp_size, in.imm_size,
			       in.mem.base == 0xff ? -1 : in.mem.base,
			       in.mem.index == 0xff ? -1 : in.mem.index);
	}
	return 0;
}
