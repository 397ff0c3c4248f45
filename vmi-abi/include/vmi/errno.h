/* SPDX-License-Identifier: MIT */
/*
 * vmi/errno.h - error codes returned by VMI calls.
 *
 * Every VMI call returns 0 (or a non-negative value where the call says so)
 * on success and the negation of one of these codes on failure.  The values
 * match the classic Unix numbering so that a guest can pass them on without
 * translation.  Numbers are never reused.
 *
 * The hypervisor uses the same codes internally.
 */
#ifndef VMI_ERRNO_H
#define VMI_ERRNO_H

#define VMI_EPERM 1 /* operation not permitted for this domain */
#define VMI_ENOENT 2 /* no such object */
#define VMI_ESRCH 3 /* no such domain or vCPU */
#define VMI_EINTR 4 /* interrupted; call again */
#define VMI_EIO 5 /* I/O error */
#define VMI_E2BIG 7 /* batch or argument list too long */
#define VMI_EBADF 9 /* bad handle (event channel, ring) */
#define VMI_EAGAIN 11 /* try again later */
#define VMI_ENOMEM 12 /* out of memory */
#define VMI_EACCES 13 /* access to a frame not owned by the caller */
#define VMI_EFAULT 14 /* bad guest address */
#define VMI_EBUSY 16 /* object in use */
#define VMI_EEXIST 17 /* object already exists */
#define VMI_ENODEV 19 /* no such device */
#define VMI_EINVAL 22 /* invalid argument */
#define VMI_ENOSPC 28 /* no space left */
#define VMI_ERANGE 34 /* value out of range */
#define VMI_ENOSYS 38 /* call not implemented */
#define VMI_EOVERFLOW 75 /* value too large */
#define VMI_EOPNOTSUPP 95 /* operation not supported in this container */
#define VMI_ETIMEDOUT 110 /* timed out */

#endif /* VMI_ERRNO_H */
