/*
 * Strict number parsing for values that come from guests, clients and
 * the command line: no signs, no white space, no silent overflow.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"

static int digit_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return 99;
}

int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result)
{
    const char *p = nptr;
    uint64_t val = 0;
    bool overflow = false;
    int d;

    if (!nptr) {
        return -EINVAL;
    }
    if (base == 0) {
        base = 10;
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
            base = 16;
            p += 2;
        }
    } else if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
    }
    if (base != 10 && base != 16) {
        return -EINVAL;
    }
    if (digit_value(*p) >= base) {
        return -EINVAL;
    }
    for (; (d = digit_value(*p)) < base; p++) {
        if (val > (UINT64_MAX - d) / base) {
            overflow = true;
        }
        val = val * base + d;
    }
    if (endptr) {
        *endptr = p;
    } else if (*p) {
        return -EINVAL;
    }
    if (overflow) {
        return -ERANGE;
    }
    *result = val;
    return 0;
}

int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result)
{
    uint64_t val;
    int ret = qemu_strtou64(nptr, endptr, base, &val);

    if (ret) {
        return ret;
    }
    if (val > UINT_MAX) {
        return -ERANGE;
    }
    *result = val;
    return 0;
}

int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result)
{
    bool neg = nptr && nptr[0] == '-';
    uint64_t val;
    int ret = qemu_strtou64(neg ? nptr + 1 : nptr, endptr, base, &val);

    if (ret) {
        return ret;
    }
    if (val > (uint64_t)INT_MAX + neg) {
        return -ERANGE;
    }
    *result = neg ? (int)-(int64_t)val : (int)val;
    return 0;
}
