/*
 * The VT-x backend.  Not implemented yet: probing reports its absence so
 * that on an Intel CPU the boot log says why no hv domain can run.
 */
#include <hvm/hvm.h>
#include <stddef.h>

const struct hvm_ops *vmx_probe(void)
{
	return NULL;
}
