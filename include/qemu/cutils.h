/*
 * Strict number parsing: the whole string (or up to *endptr) must be a
 * number, no signs, no spaces, no overflow.  Returns 0 or -errno.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

/*
 * With endptr NULL the whole string must be consumed (else -EINVAL);
 * otherwise *endptr is left just past the digits.  An empty number is
 * -EINVAL, a value out of range -ERANGE.  base is 10 or 16 (0x allowed
 * with 16 only when given) or 0 for "0x" = hex, otherwise decimal.
 */
int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result);
int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result);
int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result);

#endif
